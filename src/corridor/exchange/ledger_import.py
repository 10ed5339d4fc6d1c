"""Importing a ledger: grants or transfers from a CSV or XLSX file, through the one import
pipeline (decision 0367, which replaces the separate path of decisions 0269 and 0280).

``ledger_import`` is what `corridor funds import` calls: ``exchange.services.file_import``
with the ``ledger`` format, its answer as lines. The file is read through the mapping proposed
for its header (formats/ledger.py: title rows, merged headers, English and Burmese headers);
each row is read, judged by the ledger's rules and the import policy, and written by the funds
services (kinds/ledger.py, kinds/ledger_run.py). All or nothing; every error names the file,
the row and the column; a file imported again updates the records it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.exchange.services import file_import


@dataclass
class LedgerImport:
    file: str
    kind: str = ""
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    run_id: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def ledger_import(
    *,
    by: Any,
    path: Path,
    name: str | None = None,
    kind: str | None = None,
    dry_run: bool = False,
) -> LedgerImport:
    """Create (or, for rows a stored record matches, update) every grant or transfer a file
    lists, or none. ``by`` None is the instance's operator; anyone else may import only rows
    of an organisation they edit for, and the services ask the access policy per row."""
    result = file_import(by=by, path=path, name=name, format="ledger", kind=kind, dry_run=dry_run)
    return LedgerImport(
        file=result.file,
        kind=result.kind,
        rows=result.rows,
        created=result.created,
        changed=result.changed,
        unchanged=result.unchanged,
        run_id=result.run_id,
        errors=[error.line() for error in result.errors],
    )
