"""A table read from a file, in the pipeline's terms: which column holds which field.

Every format (HXL, ACLED, KoBo) turns its file into a ``Table``: a plan from field names to
column positions, a label per column for error messages, the columns it ignores, and the data
rows as lists of strings with their row number in the file (as a spreadsheet shows it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    column: str
    value: str
    reason: str

    def line(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


@dataclass
class Table:
    name: str
    format: str
    kind: str
    plan: dict[str, list[int]]
    labels: list[str]
    rows: Iterator[tuple[int, list[str]]]
    ignored: list[str] = field(default_factory=list)
    # Prefix of stable keys taken from the file's own identifiers ("acled:", "kobo:").
    id_prefix: str = ""
    # Rows per position in the plan that are text splitting several values ("a; b").
    notes: list[str] = field(default_factory=list)
    # A format that names places and carries no p-codes (ACLED) names its place columns here
    # ("admin1/admin2/admin3"): the reasons for a place it cannot settle then point at those
    # columns, never ask for a p-code the file has no room for.
    place_columns: str = ""

    def label(self, name: str, at: int = 0) -> str:
        positions = self.plan.get(name)
        if not positions:
            return name
        return self.labels[positions[min(at, len(positions) - 1)]]


class Row:
    """One data row; ``get`` returns a field's text ("" when the column is absent or empty)."""

    __slots__ = ("cells", "errors", "number", "table")

    def __init__(self, table: Table, number: int, cells: list[str]) -> None:
        self.table = table
        self.number = number
        self.cells = cells
        self.errors: list[RowError] = []

    def get(self, name: str) -> str:
        positions = self.table.plan.get(name)
        if not positions:
            return ""
        at = positions[0]
        return self.cells[at].strip() if at < len(self.cells) else ""

    def all(self, name: str) -> list[str]:
        cells = self.cells
        return [
            cells[at].strip() if at < len(cells) else "" for at in self.table.plan.get(name, ())
        ]

    def error(self, name: str, reason: str, value: str | None = None, at: int = 0) -> None:
        if value is None:
            value = self.get(name)
        column = self.table.label(name, at) if name else ""
        self.errors.append(RowError(self.table.name, self.number, column, value, reason))
