"""What the record rules share: a problem, the window of dates, the bounds of a count.

The rules of each record type live in its app (``aid/rules.py``, ``situation/rules.py``,
``funds/rules.py``; the place rule in ``geo/rules.py``). They are pure functions over plain
values that return ``Problem``s, so the model's ``clean``, the services, the web forms, the
API and both importer paths give the same verdict in the same words (docs/rules.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput

# More people than this in one township row is a typing mistake: the most populous township
# (Hlaingthaya, Yangon) had about 690,000 people at the 2014 census; this leaves room for
# growth and for people displaced into it. Also keeps every count inside a 32-bit integer.
TOWNSHIP_CEILING = 2_000_000


@dataclass(frozen=True)
class Problem:
    """Why a value is refused: the field (the model's name), a stable code, a message."""

    field: str
    code: str
    message: str


def today() -> dt.date:
    """Today where Corridor runs (TIME_ZONE); the one clock the rules read."""
    return timezone.localdate()


def earliest() -> dt.date:
    return settings.EARLIEST_DATE


def shown(day: dt.date, *, month: bool = False) -> str:
    """A date as the messages show it: ISO, a month as YYYY-MM (year 2 stays 0002)."""
    if month:
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def date_problems(
    field: str,
    day: dt.date | None,
    *,
    ahead_days: int = 0,
    month: bool = False,
    now: dt.date | None = None,
) -> list[Problem]:
    """A date before CORRIDOR_EARLIEST_DATE, or later than ``ahead_days`` after today.

    ``now``: today, when the caller has read the clock once for many rows.
    """
    if day is None:
        return []
    first = earliest()
    if (day.replace(day=1) < first.replace(day=1)) if month else day < first:
        return [
            Problem(
                field,
                "too_early",
                _("%(date)s is before %(earliest)s, the earliest date Corridor takes")
                % {"date": shown(day, month=month), "earliest": shown(first, month=month)},
            )
        ]
    latest = (now or today()) + dt.timedelta(days=ahead_days)
    if day > latest:
        if ahead_days == 0:
            message = _("%(date)s is in the future") % {"date": shown(day, month=month)}
            return [Problem(field, "future", message)]
        message = _("%(date)s is more than %(days)s days ahead") % {
            "date": shown(day, month=month),
            "days": ahead_days,
        }
        return [Problem(field, "too_far_ahead", message)]
    return []


def count_problems(counts: Mapping[str, Any], names: Iterable[str]) -> list[Problem]:
    """Counts that are negative or more people than any township holds (None is no count)."""
    problems = []
    for name in names:
        number = counts.get(name)
        if number is None:
            continue
        if number < 0:
            message = _("must be 0 or more, not %(value)s") % {"value": number}
            problems.append(Problem(name, "negative", message))
        elif number > TOWNSHIP_CEILING:
            message = _("%(value)s is more people than live in any township (at most %(ceiling)s)")
            problems.append(
                Problem(name, "too_many", message % {"value": number, "ceiling": TOWNSHIP_CEILING})
            )
    return problems


class InFile(dict[tuple, tuple[int, str | set[str]]]):
    """What an import remembers of its file's rows, batch to batch, for the rows the same as an
    earlier row of the file (decisions 0250, 0281): a record's twin key -> (the first such
    row's number, the ids of every row of the file with that key so far, as the caller gave
    them: the one id alone while there is one, most keys, and a set from the second; read
    them with ``ids``). A set per key was most of a million-row import's memory (decision
    0373).

    ``fresh``: organisation (as in an activity's twin key) -> whether it had no current
    activity when the file's first row of it was checked. A stored twin of such an
    organisation can only be one of the file's own rows, which are never reported as stored
    twins, so its keys are not looked up at all (decision 0320). ``analysed``: the activity
    table's statistics were refreshed for this file (PostgreSQL).
    """

    def __init__(self) -> None:
        super().__init__()
        self.fresh: dict[Any, bool] = {}
        self.analysed = False

    def ids(self, key: tuple) -> AbstractSet[str]:
        """The ids of the file's rows with ``key`` so far (none: an empty set)."""
        found = self.get(key)
        if found is None:
            return _NO_IDS
        ids = found[1]
        return ids if type(ids) is set else frozenset((ids,))


def in_file_earlier(
    in_file: InFile, key: tuple, number: int, own: str | None
) -> tuple[int | None, AbstractSet[str]]:
    """The number of the file's earlier row with ``key`` (None: this is the first), and the
    ids of the file's rows with that key before this one; remembers this row (``own``)."""
    own = own or ""
    found = in_file.get(key)
    if found is None:  # the file's first row with this key (most rows): its id alone
        in_file[key] = (number, own)
        return None, _NO_IDS
    first, ids = found
    if type(ids) is not set:  # the second: the ids become a set
        in_file[key] = (first, {ids, own})
        return first, frozenset((ids,))
    before = set(ids)
    ids.add(own)
    return first, before


_NO_IDS: frozenset[str] = frozenset()


# Problems a person may confirm (decision 0215): the values are possible, only unlikely — a
# likely duplicate, a jump against the township's last figure. The forms and the API refuse
# them until the person confirms (a checkbox, ``"confirm": true``); an import reports them
# as warnings on its check and its result, and imports the rows.
CONFIRMABLE = frozenset({"duplicate", "figure_jump"})


def refuse(problems: Iterable[Problem], *, confirmed: bool = False) -> None:
    """Raise the problems as one ValidationError keyed by field (nothing when there are none).

    ``confirmed``: the person has confirmed the values, so ``CONFIRMABLE`` problems pass.
    """
    errors: dict[str, list[ValidationError]] = {}
    for problem in problems:
        if confirmed and problem.code in CONFIRMABLE:
            continue
        errors.setdefault(problem.field, []).append(
            ValidationError(problem.message, code=problem.code)
        )
    if errors:
        raise ValidationError(errors)


def settable_only(values: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    """Refuse a service call that would set a field its record type does not let callers set."""
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InvalidInput(f"{what}: field(s) {', '.join(unknown)} cannot be set")


def values_set(record: Any, values: Mapping[str, Any]) -> None:
    """The new values on the record, so the rules judge the record as it would be saved."""
    for name, value in values.items():
        setattr(record, name, value)
