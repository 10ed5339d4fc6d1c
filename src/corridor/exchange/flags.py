"""Warnings on imported rows: the rules a person confirms rather than obeys (decision 0215).

A row that looks like a duplicate of a stored activity or of an earlier row of its file
(decision 0250), a figure repeating an earlier row's township, date, source and sector
(decision 0281), or a figure far above its township's last one, is flagged by the same rules
and in the same words as on the entry forms and the API (``aid.checks``,
``situation.checks``). A file is a whole report, imported all or nothing: its check (the dry
run behind the upload page's preview, ``corridor import --dry-run``) lists these as warnings,
and importing it after the check is the confirmation — the rows are imported and the result
keeps the warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corridor.aid.checks import activity_duplicates
from corridor.aid.rules import twin_keys
from corridor.core.rules import InFile
from corridor.exchange.table import RowError, Table
from corridor.situation.checks import figure_jumps, figure_repeats

# A column stored as ``<name>_id`` is the rules' ``<name>``.
_FIELD = {"organisation_id": "organisation", "admin_unit_id": "admin_unit", "source_id": "source"}
_NO_VALUES: dict[str, Any] = {}


def batch_warnings(
    table: Table,
    columns: Sequence[str],
    numbers: list[int],
    batch: list[tuple],
    in_file: InFile,
) -> list[RowError]:
    """The warnings of one batch of built rows (``columns``: the values' names, id first).

    ``in_file``: what the table's earlier batches left to remember (one per table and file).
    """
    if table.kind not in ("activities", "figures"):
        return []
    names = [_FIELD.get(name, name) for name in columns]
    if table.kind == "activities":
        # The twin keys straight from the tuples; a row's values by name only for a warning.
        keys = twin_keys(names, batch)
        ids = [(values[0], _NO_VALUES) for values in batch]
        found = activity_duplicates(ids, numbers=numbers, in_file=in_file, keys=keys)
    else:
        rows = [(values[0], dict(zip(names, values, strict=True))) for values in batch]
        repeats = figure_repeats(rows, numbers=numbers, in_file=in_file)
        found = [a + b for a, b in zip(repeats, figure_jumps(rows), strict=True)]
    warnings = []
    for number, values, problems in zip(numbers, batch, found, strict=True):
        if not problems:
            continue
        named = dict(zip(names, values, strict=True))
        for problem in problems:
            field = problem.field if problem.field in named else ""
            column = table.label(field) if field else ""
            shown = "" if not field or named[field] is None else str(named[field])
            warnings.append(RowError(table.name, number, column, shown, problem.message))
    return warnings
