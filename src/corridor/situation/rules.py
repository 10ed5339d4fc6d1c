"""The rules of displacement figures and incidents, in one place (docs/rules.md).

Pure functions over plain values (the model's field names; ``admin_unit`` as a p-code with its
``level``) returning ``Problem``s: the models' ``clean``, the services, the entry forms, the API
and the importer all ask these, so a figure or an incident gets the same verdict, in the same
words, wherever it comes in. Both happened, or were counted, already: neither may be dated in
the future.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from corridor.core.coordinates import LATITUDE_RANGE, LONGITUDE_RANGE
from corridor.core.rules import Problem, count_problems, date_problems, refuse
from corridor.geo.models import Level
from corridor.geo.rules import township_problems

FIGURE_COUNTS = ("idps", "refugees", "people_in_need")
INCIDENT_COUNTS = ("fatalities", "injuries", "detained")
# ACLED's geo_precision 3 (``situation.models.GeoPrecision.REGION``): only the state or region
# is known, so such an incident is filed there, never pinned to a township (decision 0168).
REGION_ONLY = 3


def figure_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every reason to refuse a displacement figure with these values."""
    problems = township_problems("admin_unit", values.get("admin_unit"), values.get("level"))
    problems += date_problems("as_of", values.get("as_of"))
    problems += count_problems(values, FIGURE_COUNTS)
    return problems


def incident_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every reason to refuse an incident with these values."""
    level = values.get("level")
    if values.get("geo_precision") == REGION_ONLY and level == Level.STATE:
        problems = []  # known only to its state or region: filed there, as said
    else:
        problems = township_problems("admin_unit", values.get("admin_unit"), level)
    problems += date_problems("occurred_on", values.get("occurred_on"))
    problems += count_problems(values, INCIDENT_COUNTS)
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        message = _("Give both latitude and longitude, or neither.")
        problems.append(Problem(NON_FIELD_ERRORS, "coordinates_half", message))
    elif latitude is not None:
        if not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
            message = _("Latitude must be between 9 and 29 (Myanmar).")
            problems.append(Problem("latitude", "outside_myanmar", message))
        if not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
            message = _("Longitude must be between 92 and 102 (Myanmar).")
            problems.append(Problem("longitude", "outside_myanmar", message))
    return problems


def _place(record: Any) -> dict[str, Any]:
    unit = record.admin_unit if record.admin_unit_id else None
    return {"admin_unit": record.admin_unit_id, "level": unit.level if unit else None}


def figure_clean(figure: Any) -> None:
    values = {name: getattr(figure, name) for name in (*FIGURE_COUNTS, "as_of")}
    refuse(figure_problems({**values, **_place(figure)}))


def incident_clean(incident: Any) -> None:
    names = (*INCIDENT_COUNTS, "occurred_on", "latitude", "longitude", "geo_precision")
    values = {name: getattr(incident, name) for name in names}
    refuse(incident_problems({**values, **_place(incident)}))


# A figure this many times the township's last one, and at least JUMP_MARGIN people more, is
# flagged (decision 0215): Corridor holds no township populations, so the last figure is the
# yardstick. A real offensive can multiply a township's IDPs within weeks, hence a flag the
# person confirms rather than a refusal; the margin keeps small townships (200 -> 3,000) quiet.
JUMP_FACTOR = 10
JUMP_MARGIN = 10_000
JUMP_COUNTS = ("idps", "refugees")


def figure_jump_problems(
    values: Mapping[str, Any],
    last: Mapping[str, Any] | None,
    stored: Mapping[str, Any] | None = None,
) -> list[Problem]:
    """IDPs or refugees far above the township's last figure (``last``: its counts and
    ``as_of``, the figure that counted the day before this one's date, decision 0177).

    ``stored``: the record's own stored counts; a count it already holds was accepted once,
    so a re-import or a correction of another field does not flag it again.
    """
    problems: list[Problem] = []
    if last is None:
        return problems
    for name in JUMP_COUNTS:
        number, before = values.get(name), last.get(name)
        if number is None or before is None or (stored and stored.get(name) == number):
            continue
        if number > JUMP_FACTOR * before and number - before >= JUMP_MARGIN:
            message = _(
                "%(value)s is more than %(factor)s times this township's last figure "
                "(%(last)s on %(date)s): check the number"
            ) % {"value": number, "factor": JUMP_FACTOR, "last": before, "date": last["as_of"]}
            problems.append(Problem(name, "figure_jump", message))
    return problems


# A figure is its township, date, source and sector (the table's unique key, decision 0176): a
# file giving them twice keeps one figure, its last row's (decision 0281).
FIGURE_KEY = ("admin_unit", "as_of", "source", "sector")
FIGURE_NUMBERS = ("idps", "refugees", "people_in_need", "valid_from", "valid_to")


def figure_key(values: Mapping[str, Any]) -> tuple:
    return tuple(values.get(name) for name in FIGURE_KEY)


def figure_repeat_problems(earlier_row: int | None, *, same_numbers: bool) -> list[Problem]:
    """An imported figure row with the township, date, source and sector of an earlier row of
    its file (``earlier_row``, its number), flagged as a duplicate 4W row is (decision 0250):
    the same numbers are a row pasted twice; other numbers replace the earlier row's."""
    if earlier_row is None:
        return []
    if same_numbers:
        message = _(
            "looks like a duplicate of row %(row)s of this file: same township, date, source, "
            "sector and numbers"
        )
    else:
        message = _(
            "gives the township, date, source and sector of row %(row)s of this file again, "
            "with other numbers: only one figure is kept for them, this row's"
        )
    return [Problem(NON_FIELD_ERRORS, "duplicate", message % {"row": earlier_row})]
