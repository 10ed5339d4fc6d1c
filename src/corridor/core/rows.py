"""Writing a file's rows all or nothing, with each refusal named by file, row and column.

The importers that write a row at a time through a service (the ledger import, the rates
import) check every row first; this writes the checked rows in one transaction and rolls the
whole file back when the service still refuses one, so a file is never half applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from corridor.core.errors import CorridorError


class _Refused(Exception):
    """Rolls the file back when any row was refused."""


def write_rows(
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    write: Callable[..., Any],
    *,
    columns: Mapping[str, str],
) -> tuple[int, list[str]]:
    """Call ``write(**values)`` for each row, given as (where it is, e.g. "f.csv, row 3", its
    values); ``columns`` names a field as the file's column. Returns how many rows were
    written (0 when any was refused: none is kept) and the refusals, one line each."""
    written, errors = 0, []
    try:
        with transaction.atomic():
            for where, values in rows:
                try:
                    write(**values)
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        column = columns.get(field, field)
                        errors += [f"{where}, column {column}: {m}" for m in messages]
                except CorridorError as error:
                    errors.append(f"{where}: {error}")
                else:
                    written += 1
            if errors:
                raise _Refused
    except _Refused:
        written = 0
    return written, errors
