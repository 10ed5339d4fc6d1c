"""Reading a file through a mapping: the pipeline's own ``Table``, the file left as it is.

The mapping becomes a plan (field -> column positions), exactly what the HXL reader makes
from hashtags, so every rule and every error of the pipeline applies unchanged; the labels are
the file's own headers, so errors name the file's rows and columns
(``5w.xlsx, row 7, column Sector/Cluster: unknown sector ...``).

What the mapping changes in a cell is settled once per column before the first row: each
mapped column gets one recoding table (a dict, filled per distinct value as it is met, for
a cell met again is one dictionary lookup) and the row loop does one lookup per mapped cell;
other columns only have their "NA" cells (as typed, in any usual casing) blanked. Columns that
add up (age/sex groups) become one extra cell at the end of the row, labelled with the headers
it adds ("Female 18-59 + Female 60+"). Unmapped columns are never read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.mapping.propose import file_headers
from corridor.exchange.mapping.spec import CHOICES, Mapping, is_count, signature
from corridor.exchange.mapping.vocabulary import BLANKS, VALUES, normalise
from corridor.exchange.table import Table
from corridor.exchange.values import CellError, code_key, count

FORMAT = "mapped"
# Distinct values remembered per column before its table starts again (like kinds/batches).
CACHE_LIMIT = 100_000
# The "nothing here" cells as typed, in the casings files use (compared without stripping).
_BLANK_CELLS = frozenset(
    variant
    for token in BLANKS
    for variant in (token, token.upper(), token.title(), token.capitalize(), f" {token} ")
)


class _Recode(dict):
    """cell -> what the pipeline should read; computed once per distinct cell."""

    def __init__(self, compute: Callable[[str], str], remember: bool) -> None:
        super().__init__()
        self.compute = compute
        self.remember = remember

    def __missing__(self, cell: str) -> str:
        value = self.compute(cell)
        if self.remember:
            if len(self) >= CACHE_LIMIT:
                self.clear()
            self[cell] = value
        return value


def _blank(cell: str) -> bool:
    return cell.strip().lower() in BLANKS


def _choice(field: str, kind: str, given: dict[str, str]) -> Callable[[str], str]:
    choices = CHOICES[kind][field]
    by_key = {code_key(raw): code for raw, code in given.items()}
    extra = {key: code for key, code in VALUES.get(field, {}).items() if code in choices.codes}

    def compute(cell: str) -> str:
        value = cell.strip()
        if value in given:
            return given[value]
        if _blank(value):
            return ""
        key = code_key(value)
        if key in by_key:
            return by_key[key]
        if key in choices.lookup:
            return value
        return extra.get(key, value)

    return compute


def _rounded(cell: str) -> str:
    if _blank(cell):
        return ""
    value = cell.strip()
    if "." not in value:
        return value
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        return value
    return str(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _positions(mapping: Mapping, header: list[str], name: str) -> dict[int, int]:
    """Mapping column position -> position in this file, found by header text."""
    found = {}
    keys = [normalise(h) for h in header]
    for column in mapping.columns:
        if not column.field:
            continue
        want = normalise(column.header)
        if column.at < len(keys) and keys[column.at] == want:
            found[column.at] = column.at
        elif want and want in keys:
            found[column.at] = keys.index(want)
        else:
            raise InvalidInput(
                _("%(file)s: no column %(column)r (mapped to %(field)s) in the header row %(row)s")
                % {
                    "file": name,
                    "column": column.header,
                    "field": column.field,
                    "row": mapping.header_rows[0],
                }
            )
    return found


def fits(head: list[list[str]], mapping: Mapping) -> bool:
    """Whether the first rows of a sheet have this mapping's header rows."""
    numbers = mapping.header_rows
    if max(numbers) > len(head):
        return False
    return signature(file_headers([head[n - 1] for n in numbers])) == mapping.signature


def read(
    path: Path, *, name: str, kind: str | None, progress: Any = None, mapping: Mapping
) -> Table:
    if kind is not None and kind != mapping.kind:
        raise InvalidInput(
            _("the mapping is for %(mapped)s, not %(kind)s")
            % {"mapped": mapping.kind, "kind": kind}
        )
    label, source = reading.open_rows(
        path,
        name=name,
        progress=progress,
        fits=lambda head: fits(head, mapping),
        wanted=_("the header the mapping was made for"),
    )
    last = max(mapping.header_rows)
    header_rows = []
    for number, cells in source:
        if number in mapping.header_rows:
            header_rows.append(cells)
        if number >= last:
            break
    if len(header_rows) != len(mapping.header_rows):
        raise InvalidInput(_("%(file)s: the file ends before its header row") % {"file": label})
    header = file_headers(header_rows)
    moved = _positions(mapping, header, label)
    width = max([len(header), *(at + 1 for at in moved.values())])
    labels = [h.strip() or f"column {at + 1}" for at, h in enumerate(header)]
    labels += [f"column {at + 1}" for at in range(len(labels), width)]

    plan: dict[str, list[int]] = {}
    recodes: list[tuple[int, _Recode]] = []
    plain: list[int] = []
    sums: list[list[int]] = []
    choices = CHOICES[mapping.kind]
    for field, positions in mapping.plan().items():
        here = [moved[at] for at in positions]
        for at in here:
            if field in choices:
                compute = _choice(field, mapping.kind, mapping.values.get(field, {}))
                recodes.append((at, _Recode(compute, remember=True)))
            elif is_count(field) and mapping.round_counts:
                recodes.append((at, _Recode(_rounded, remember=True)))
            else:
                plain.append(at)  # only "NA" and the like change
        if len(here) > 1 and is_count(field):
            plan[field] = [width + len(sums)]
            labels.append(" + ".join(labels[at] for at in here))
            sums.append(here)
        else:
            plan[field] = here
    used = {at for positions in plan.values() for at in positions} | {
        at for group in sums for at in group
    }
    ignored = [labels[at] for at in range(len(header)) if at not in used and header[at].strip()]
    return Table(
        name=label,
        format=FORMAT,
        kind=mapping.kind,
        plan=plan,
        labels=labels,
        rows=_rows(source, width, recodes, plain, sums),
        ignored=ignored,
    )


def _total(cells: list[str], group: list[int]) -> str:
    """The sum of a group's cells as text; a cell that is not a count is passed on as it is."""
    total = 0
    given = False
    for at in group:
        cell = cells[at]
        if not cell:
            continue
        try:
            total += count(cell)
        except CellError:
            return cell  # the pipeline refuses it with its own reason, in the summed column
        given = True
    return str(total) if given else ""


def _rows(
    source: Iterator[tuple[int, list[str]]],
    width: int,
    recodes: list[tuple[int, _Recode]],
    plain: list[int],
    sums: list[list[int]],
) -> Iterator[tuple[int, list[str]]]:
    blank = _BLANK_CELLS
    for number, cells in source:
        size = len(cells)
        if size < width:
            cells.extend([""] * (width - size))
        elif size > width:
            del cells[width:]  # cells past the header: no column, never read
        for at, recode in recodes:
            cells[at] = recode[cells[at]]
        if not blank.isdisjoint(cells):  # one pass in C; most rows have no "NA" at all
            for at in plain:
                if cells[at] in blank:
                    cells[at] = ""
        for group in sums:
            cells.append(_total(cells, group))
        yield number, cells
