"""The 4W activity rules, in one place: every entry point asks these and nothing else.

``activity_problems`` takes plain values (the model's field names; ``admin_unit`` as a p-code
with its ``level``) and returns every ``Problem``; it reads no database, so the importer's batch
path can run it on each row as cheaply as the row builder. The model's ``clean`` and the
services (``activity_clean``), the entry form, the API and both importer paths call it; the
list of rules, and why, is docs/rules.md. To add a count (e.g. elderly people), add its name to
``REACH`` or ``COUNTS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from corridor.core.rules import Problem, count_problems, date_problems, refuse, today
from corridor.geo.rules import township_problems

# People reached, by sex and age; their sum is "people reached".
REACH = ("women", "men", "girls", "boys", "unspecified")
# Every count a row carries (each bounded like a township's population).
COUNTS = (*REACH, "households")
# Statuses under which nobody may have been reached yet (decision 0170). "cancelled" is named
# ahead of the status itself so that adding it changes no rule.
ZERO_REACH_STATUSES = frozenset({"planned", "cancelled"})


def reporting_month_of(month: dt.date | None, start: dt.date | None) -> dt.date | None:
    """The month a row is counted in, as its first day: the one given, else its start's.

    Whatever a person types for a month (2026-05, 17 May 2026) lands in that month, and a
    row with only a start date is counted in the month it started.
    """
    if month is not None:
        return month.replace(day=1)
    if start is not None:
        return start.replace(day=1)
    return None


def reach_unspecified(
    known: int, unspecified: int, *, unspecified_given: bool, total: int | None
) -> tuple[int, Problem | None]:
    """People reached without sex and age, squared with a total column: (count, problem).

    ``known`` is women + men + girls + boys. A total alone fills the people not broken down;
    a total beside a given "unspecified" must add up.
    """
    if total is None:
        return unspecified, None
    if not unspecified_given and total >= known:
        return total - known, None
    if total != known + unspecified:
        message = _("total %(total)s is not the sum of the columns (%(sum)s)") % {
            "total": total,
            "sum": known + unspecified,
        }
        return unspecified, Problem("total", "total_mismatch", message)
    return unspecified, None


def currency_problems(value: Decimal | None, currency: str) -> list[Problem]:
    if value is not None and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
        message = _("a value needs its ISO 4217 currency code (e.g. MMK, THB, USD)")
        return [Problem("currency", "currency_missing", message)]
    return []


def activity_problems(values: Mapping[str, Any], *, now: dt.date | None = None) -> list[Problem]:
    """Every reason to refuse an activity with these values (empty: it may be saved).

    ``now``: today, when the caller has read the clock once for many rows. The rules come in
    parts (place, dates, counts, reach, value) so that the importer's batch path can ask each
    part once per distinct value of the cells it reads (decision 0358); this is their sum.
    """
    problems = township_problems("admin_unit", values.get("admin_unit"), values.get("level"))
    problems += when_problems(
        values.get("reporting_month"),
        values.get("start_date"),
        values.get("end_date"),
        now=now or today(),
    )
    counted = count_problems(values, COUNTS)
    problems += counted
    if not counted:
        problems += reached_problems(
            sum(values.get(name) or 0 for name in REACH),
            values.get("households"),
            values.get("status") or "ongoing",
        )
    problems += currency_problems(values.get("value"), values.get("currency") or "")
    return problems


def when_problems(
    month: dt.date | None, start: dt.date | None, end: dt.date | None, *, now: dt.date
) -> list[Problem]:
    """The dates' part of ``activity_problems``: a month or a start, each date in its window,
    no end before the start."""
    horizon = settings.PLANNING_HORIZON_DAYS
    problems = []
    if month is None and start is None:
        message = _("a reporting month or a start date is required")
        problems.append(Problem("reporting_month", "no_when", message))
    problems += date_problems("reporting_month", month, ahead_days=horizon, month=True, now=now)
    problems += date_problems("start_date", start, ahead_days=horizon, now=now)
    problems += date_problems("end_date", end, ahead_days=horizon, now=now)
    if start is not None and end is not None and end < start:
        message = _("ends %(end)s before it starts %(start)s") % {"end": end, "start": start}
        problems.append(Problem("end_date", "end_before_start", message))
    return problems


def reached_problems(reached: int, households: int | None, status: str) -> list[Problem]:
    """The people reached against the status and the households (counts already in bounds):
    ``activity_problems``'s part after ``count_problems``."""
    problems = []
    if reached == 0 and status not in ZERO_REACH_STATUSES:
        message = _(
            "no people reached: give women, men, girls, boys or sex and age not known, "
            "or record the activity as planned"
        )
        problems.append(Problem(NON_FIELD_ERRORS, "zero_reach", message))
    if households is not None and reached and households > reached:
        message = _("%(households)s households is more than the %(people)s people reached")
        problems.append(
            Problem(
                "households",
                "households_over_people",
                message % {"households": households, "people": reached},
            )
        )
    return problems


# What makes two activities the same report (decision 0215): one organisation's people of one
# sector and modality in one township and month, the same counts. Status is left out: a
# planned row and a completed one with the same people are one activity counted twice.
TWIN_FIELDS = ("organisation", "admin_unit", "reporting_month", "sector", "modality", *COUNTS)


_TWIN_IDS = tuple(n for n, name in enumerate(TWIN_FIELDS) if name in ("organisation", "admin_unit"))
_TWIN_COUNTS = tuple(n for n, name in enumerate(TWIN_FIELDS) if name in COUNTS)


def twin_key(values: Mapping[str, Any]) -> tuple:
    """The values two duplicate activities share (ids as text; no households as 0)."""
    get = values.get
    return _twin([get(name) for name in TWIN_FIELDS])


def twin_keys(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[tuple]:
    """``twin_key`` of each row given as a tuple of the values ``names`` name (a batch of
    imported rows: no dict per row). A twin field ``names`` lacks reads as None."""
    at = [names.index(name) if name in names else None for name in TWIN_FIELDS]
    if None in at:
        return [twin_key(dict(zip(names, row, strict=True))) for row in rows]
    pick = itemgetter(*at)
    return [_twin(list(pick(row))) for row in rows]


def _twin(key: list[Any]) -> tuple:
    # Asked of every imported row: no per-name tests.
    for at in _TWIN_IDS:
        if key[at] is not None:
            key[at] = str(key[at])
    for at in _TWIN_COUNTS:
        key[at] = key[at] or 0
    return tuple(key)


def duplicate_problems(
    record: str | None, twins: list[str], *, earlier_row: int | None = None
) -> list[Problem]:
    """An activity the same as one already recorded (``twins``: their ids) is flagged, and so
    is an imported row the same as an earlier row of its file (``earlier_row``, its number).

    ``record``: the activity's own id. When it is among the twins, the record is stored with
    these very values already — accepted once, so neither a re-import of the same file
    (decision 0150) nor a correction of another field flags it again.
    """
    if record is not None and record in twins:
        return []
    if twins:
        message = _(
            "looks like a duplicate of activity %(id)s, already recorded: same organisation, "
            "township, month, sector, modality and people"
        ) % {"id": min(twins)[:8]}
    elif earlier_row is not None:
        message = _(
            "looks like a duplicate of row %(row)s of this file: same organisation, "
            "township, month, sector, modality and people"
        ) % {"row": earlier_row}
    else:
        return []
    return [Problem(NON_FIELD_ERRORS, "duplicate", message)]


def activity_values(activity: Any) -> dict[str, Any]:
    """An Activity's values as the rules read them (the township's level from its unit)."""
    unit = activity.admin_unit if activity.admin_unit_id else None
    return {
        **{name: getattr(activity, name) for name in (*COUNTS, "status", "value", "currency")},
        "reporting_month": activity.reporting_month,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "admin_unit": activity.admin_unit_id,
        "level": unit.level if unit is not None else None,
        "organisation": activity.organisation_id,
        "sector": activity.sector,
        "modality": activity.modality,
    }


def activity_clean(activity: Any) -> None:
    """Put the reporting month on its first day, then refuse the activity if a rule says so."""
    activity.reporting_month = reporting_month_of(activity.reporting_month, activity.start_date)
    refuse(activity_problems(activity_values(activity)))
