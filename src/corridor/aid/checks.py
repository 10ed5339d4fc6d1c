"""The activity rules that read the database: duplicates (decision 0215).

``aid/rules.py`` decides (``duplicate_problems``); this finds the stored activities a rule
compares with, for one activity (the services) or a batch of imported rows (one query).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from corridor.aid.models import Activity
from corridor.aid.rules import TWIN_FIELDS, duplicate_problems, twin_key
from corridor.core.rules import Problem

_IDS = ("organisation", "admin_unit")
_COLUMNS = tuple(f"{name}_id" if name in _IDS else name for name in TWIN_FIELDS)
_MOST_VALUES = 5000


#: What an import remembers of its file's rows, batch to batch: twin key -> (the first row's
#: number, the ids of every row of the file with that key so far).
InFile = dict[tuple, tuple[int, set[str]]]


def activity_duplicates(
    rows: Sequence[tuple[Any, Mapping[str, Any]]],
    *,
    numbers: Sequence[int] = (),
    in_file: InFile | None = None,
) -> list[list[Problem]]:
    """For each (id, values), the problems of being a duplicate of a stored activity.

    Stored means current (a removed activity is nobody's twin). One query for all the rows:
    the organisations, townships, months, sectors and counts they name, matched on the whole
    key here.

    An import passes its rows' ``numbers`` and its file's memory ``in_file`` (kept between
    batches, updated here): a row the same as an earlier row of its file is flagged too, by
    the same rule. A stored twin that is one of the file's own rows (written with an earlier
    batch) is that row, not a record from before, so a check and an import say the same.
    """
    keys = [twin_key(values) for _, values in rows]
    wanted = {key for key in keys if None not in key[:3]}
    if not wanted:
        return [[] for _ in rows]
    twins = _stored_twins(wanted)
    if in_file is None:
        return [
            duplicate_problems(_id(pk), twins.get(key, []))
            for (pk, _), key in zip(rows, keys, strict=True)
        ]
    problems = []
    for number, (pk, _), key in zip(numbers, rows, keys, strict=True):
        if key not in wanted:
            problems.append([])
            continue
        own = _id(pk)
        first, ids = in_file.setdefault(key, (number, set()))
        stored = twins.get(key, [])
        before = [twin for twin in stored if twin not in ids]
        problems.append(duplicate_problems(own, before, earlier_row=first if ids else None))
        ids.add(own)
    return problems


def _id(pk: Any) -> str | None:
    return str(uuid.UUID(str(pk))) if pk is not None else None


def _stored_twins(wanted: set[tuple]) -> dict[tuple, list[str]]:
    """The ids of the current activities with each of these twin keys."""
    at = {name: n for n, name in enumerate(TWIN_FIELDS)}
    within = Activity.objects.filter(
        organisation_id__in={key[at["organisation"]] for key in wanted},
        admin_unit_id__in={key[at["admin_unit"]] for key in wanted},
        reporting_month__in={key[at["reporting_month"]] for key in wanted},
        sector__in={key[at["sector"]] for key in wanted},
    )
    # Narrowed by the counts too, so that a re-imported batch reads about its own rows, not
    # every activity of its townships and months (within SQLite's limit of query parameters).
    for name in ("women", "men"):
        values = {key[at[name]] for key in wanted}
        if len(values) <= _MOST_VALUES:
            within = within.filter(**{f"{name}__in": values})
    stored = within.values_list("id", *_COLUMNS)
    twins: dict[tuple, list[str]] = {}
    for pk, *values in stored.order_by():
        key = twin_key(dict(zip(TWIN_FIELDS, values, strict=True)))
        if key in wanted:
            twins.setdefault(key, []).append(str(pk))
    return twins
