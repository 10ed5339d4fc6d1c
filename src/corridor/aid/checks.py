"""The activity rules that read the database: duplicates (decision 0215).

``aid/rules.py`` decides (``duplicate_problems``); this finds the stored activities a rule
compares with, for one activity (the services) or a batch of imported rows (one query).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from corridor.aid.models import Activity
from corridor.aid.rules import TWIN_FIELDS, duplicate_problems, twin_key
from corridor.core.ids import dashed
from corridor.core.rules import InFile, Problem, in_file_earlier

_IDS = ("organisation", "admin_unit")
_COLUMNS = tuple(f"{name}_id" if name in _IDS else name for name in TWIN_FIELDS)
# Keys per query: each is an OR term of up to six parameters (SQLite's limit is 32,766).
_KEYS_PER_QUERY = 300
# Ids per lookup of the batch's own rows (SQLite's limit on parameters is far above).
_IDS_PER_QUERY = 900


def activity_duplicates(
    rows: Sequence[tuple[Any, Mapping[str, Any]]],
    *,
    numbers: Sequence[int] = (),
    in_file: InFile | None = None,
    keys: Sequence[tuple] | None = None,
) -> list[list[Problem]]:
    """For each (id, values), the problems of being a duplicate of a stored activity.

    Stored means current (a removed activity is nobody's twin). One query for all the rows:
    the organisations, townships, months, sectors and counts they name, matched on the whole
    key here.

    An import passes its rows' ``numbers`` and its file's memory ``in_file`` (kept between
    batches, updated here): a row the same as an earlier row of its file is flagged too, by
    the same rule. A stored twin that is one of the file's own rows (written with an earlier
    batch) is that row, not a record from before, so a check and an import say the same.
    ``keys``: the rows' ``twin_key``s, when the caller has made them (``twin_keys``).
    """
    if keys is None:
        keys = [twin_key(values) for _, values in rows]
    wanted = {key for key in keys if None not in key[:3]}
    if not wanted:
        return [[] for _ in rows]
    if in_file is None:
        twins = _stored_twins(wanted)
    else:
        fresh = in_file.fresh
        for organisation in {key[0] for key in wanted}.difference(fresh):
            fresh[organisation] = not Activity.objects.filter(
                organisation_id=_SEEK["organisation"][1](organisation)
            ).exists()
        seek = {key for key in wanted if not fresh[key[0]]}
        if seek and not in_file.analysed and connection.vendor == "postgresql":
            # The planner's statistics may still describe the table before its last large
            # import (autovacuum had no time): it then reads all of an organisation's rows
            # through their index and tests every key on each, for every batch. Fresh ones
            # let it seek each key in activity_gap_cover_idx (decision 0320).
            in_file.analysed = True
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Activity._meta.db_table)}")
        # A row already stored under its own id with this very key is its own twin: its
        # key needs no seek (a re-imported unchanged file: decision 0359).
        twins = _own_twins(rows, keys, seek, in_file) if seek else {}
        seek.difference_update(twins)
        if seek:
            twins.update(_stored_twins(seek))
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
        # The file's memory keeps each row's id as the row gives it (the importer's 32 hex
        # digits, already held for the scope); it is made canonical only to be compared, for
        # the few rows with a twin (decision 0373).
        earlier, ids = in_file_earlier(in_file, key, number, pk)
        stored = twins.get(key)
        if earlier is None and not stored:
            problems.append([])
            continue
        known = {_id(other) for other in ids if other}
        before = [twin for twin in stored or () if twin not in known]
        problems.append(duplicate_problems(_id(pk), before, earlier_row=earlier))
    return problems


def _own_twins(
    rows: Sequence[tuple[Any, Any]], keys: Sequence[tuple], seek: set[tuple], in_file: InFile
) -> dict[tuple, list[str]]:
    """The keys of ``seek`` whose every row of the batch is a current activity stored under
    the row's own id with that key, and those ids: looked up by id, not sought by key.

    For such a key the seek would find those very ids (among any others), and a row whose
    own id is among its stored twins is no duplicate of them (``duplicate_problems``), so the
    answer is the same. A key is left to the seek when an id comes twice for it, in the batch
    or earlier in the file: the other twins would then matter.
    """
    by_key: dict[tuple, list[str]] = {}
    for (pk, _), key in zip(rows, keys, strict=True):
        if key in seek and pk is not None:
            by_key.setdefault(key, []).append(cast(str, _id(pk)))
    ids = [own for owned in by_key.values() for own in owned]
    stored: dict[str, tuple] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        rows_found = Activity.objects.filter(pk__in=chunk).values_list("id", *_COLUMNS)
        for pk, *values in rows_found.order_by():
            stored[str(pk)] = twin_key(dict(zip(TWIN_FIELDS, values, strict=True)))
    own: dict[tuple, list[str]] = {}
    for key, owned in by_key.items():
        if (
            len(set(owned)) == len(owned)
            and all(stored.get(pk) == key for pk in owned)
            and {_id(other) for other in in_file.ids(key) if other}.isdisjoint(owned)
        ):
            own[key] = owned
    return own


def _id(pk: Any) -> str | None:
    """An id in its canonical text form; the importer's 32 hex digits are cut, not parsed."""
    if pk is None:
        return None
    if type(pk) is str and len(pk) == 32 and _HEX.fullmatch(pk):
        return dashed(pk.lower())
    return str(uuid.UUID(str(pk)))


_HEX = re.compile(r"[0-9a-fA-F]{32}")
_UNSET: Any = object()


def _stored_twins(wanted: set[tuple]) -> dict[tuple, list[str]]:
    """The ids of the current activities with each of these twin keys.

    Each key is looked up on its own (month, township, sector, organisation and, when not
    zero, women and men: a seek in ``activity_gap_cover_idx``), a few hundred keys a query.
    Filtering by the sets of values instead (every organisation x township x month x sector
    of the batch) read most of the table again for every batch of a large file: an import
    slowed with the rows it had already written (bench/README.md, "a file through a saved
    mapping")."""
    at = {name: n for n, name in enumerate(TWIN_FIELDS)}
    seeks: dict[tuple, tuple[str, list[Any]]] = {}  # keys told apart by modality share one
    # A batch repeats its months, townships, sectors and organisation thousands of times:
    # each distinct value is converted to the database's form once (the field's own
    # conversion per value was most of an import's duplicate check in a profile).
    done: dict[tuple[str, Any], Any] = {}
    where: dict[tuple[str, ...], str] = {}
    for key in wanted:
        names = ["reporting_month", "admin_unit", "sector", "organisation"]
        # A count of 0 in the key is 0 or empty when stored (twin_key), so only a non-zero
        # count narrows the seek.
        names += [name for name in ("women", "men") if key[at[name]]]
        values = []
        for name in names:
            value = key[at[name]]
            found = done.get((name, value), _UNSET)
            if found is _UNSET:
                found = done[(name, value)] = _SEEK[name][1](value)
            values.append(found)
        shape = tuple(names)
        sql = where.get(shape)
        if sql is None:
            sql = where[shape] = " AND ".join(f"{_SEEK[name][0]} = %s" for name in names)
        seeks[(sql, *map(str, values))] = (sql, values)
    found = [seeks[k] for k in sorted(seeks)]
    twins: dict[tuple, list[str]] = {}
    for start in range(0, len(found), _KEYS_PER_QUERY):
        chunk = found[start : start + _KEYS_PER_QUERY]
        # Written as SQL: building hundreds of OR'ed Q objects per batch cost the ORM more
        # than the seeks themselves (a profile of bench/import_hxl.py).
        where = " OR ".join(f"({sql})" for sql, _ in chunk)
        params = [value for _, values in chunk for value in values]
        # Only our own quoted column names are in the text; every value is a parameter.
        matching = RawSQL(where, params, output_field=BooleanField())  # noqa: S611
        _collect(Activity.objects.filter(matching), wanted, twins)
    return twins


def _seek_columns() -> dict[str, tuple[str, Callable[[Any], Any]]]:
    """Per twin field used in a seek: its quoted column, and its key value as the database
    holds it (a UUID as SQLite's 32 hex digits, a date as the driver takes it)."""
    out: dict[str, tuple[str, Callable[[Any], Any]]] = {}
    for name in ("reporting_month", "admin_unit", "sector", "organisation", "women", "men"):
        field = Activity._meta.get_field(name)
        target = field.target_field if field.is_relation else field  # type: ignore[union-attr]
        column = connection.ops.quote_name(field.column)  # type: ignore[union-attr]

        def prep(value: Any, target: Any = target) -> Any:
            return target.get_db_prep_value(target.to_python(value), connection, prepared=False)

        out[name] = (column, prep)
    return out


_SEEK = _seek_columns()


def _collect(within: Any, wanted: set[tuple], twins: dict[tuple, list[str]]) -> None:
    for pk, *values in within.values_list("id", *_COLUMNS).order_by():
        key = twin_key(dict(zip(TWIN_FIELDS, values, strict=True)))
        if key in wanted:
            twins.setdefault(key, []).append(str(pk))
