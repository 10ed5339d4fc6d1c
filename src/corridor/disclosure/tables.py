"""Tables of counts made safe to publish: primary and secondary (complementary) suppression.

A table has interior cells (row × column counts, e.g. township × month) and the figures derived
from them that a page or an export may show: row and column totals, the grand total, group totals
(townships nested in states) and running totals along the columns (month vs cumulative views).
Every figure is a sum of interior cells, so an adversary who sees the published figures can set
up a linear programme over the unknown cells. Publishing is safe when

1. no published figure is between 1 and k-1 (zeros are published: decision 0061), and
2. every suppressed figure can move by at least k while every published figure stays as it is.

Secondary suppression proves (2) constructively (decision 0060): each suppressed figure gets a
*move*, a ±1 change of two to four interior cells (a rectangle, a pair in one row or column, or
one cell alone) under which every figure that changes is itself suppressed. Sliding along a move
keeps the published figures fixed and the cells non-negative for a range of steps; that range is a
feasible interval for every figure the move touches, so the adversary's true interval can only be
wider. Suppressed figures whose best moves do not yet span k get more moves (and so more
suppressions) until they do; one cell alone always spans an unbounded range, so this ends.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from corridor.core.errors import InvalidInput
from corridor.disclosure.gate import gate_passed

#: Below three, a published count can single out a pair who know each other's answer.
MINIMUM_K = 3

# Figure kinds. The same names are used in PublishedTable.values keys.
CELL = "cell"
ROW_TOTAL = "row_total"
COLUMN_TOTAL = "column_total"
TOTAL = "total"
GROUP_CELL = "group_cell"
GROUP_TOTAL = "group_total"
RUNNING = "running"
GROUP_RUNNING = "group_running"
TOTAL_RUNNING = "total_running"

KINDS = (
    CELL,
    ROW_TOTAL,
    COLUMN_TOTAL,
    TOTAL,
    GROUP_CELL,
    GROUP_TOTAL,
    RUNNING,
    GROUP_RUNNING,
    TOTAL_RUNNING,
)


class DisclosureError(InvalidInput):
    """A value cannot be made public safely, or was passed in a shape the rules do not know."""


class Figure(NamedTuple):
    """One publishable number of a table.

    ``row`` is a row key for row figures, a group key for group figures and None for
    column-only figures; ``column`` is None for totals over all columns. Examples:
    ``Figure("cell", "MMR001001", "2024-03")``, ``Figure("row_total", "MMR001001", None)``,
    ``Figure("group_cell", "MMR001", "2024-03")``, ``Figure("running", "MMR001001", "2024-03")``
    (the running total of that row up to and including that column), ``Figure("total", None,
    None)``.
    """

    kind: str
    row: Hashable | None
    column: Hashable | None


@dataclass(frozen=True)
class PublishedTable:
    """What may be shown: every figure with its value, or None where it is suppressed.

    A suppressed figure must be shown as suppressed (a mark with a legend, e.g. "•" and
    "fewer than k, or hidden to protect another cell"), never as zero or as a blank that reads
    as zero. Pages and exports show only figures taken from here; they must not add their own
    sums (a sum of published cells is fine only when every cell in it is published, and then it
    is already here as a total).
    """

    k: int
    rows: tuple[Hashable, ...]
    columns: tuple[Hashable, ...]
    groups: tuple[Hashable, ...]
    group_of: Mapping[Hashable, Hashable]
    cumulative: bool
    values: Mapping[Figure, int | None] = field(repr=False)

    @property
    def suppressed(self) -> frozenset[Figure]:
        """Every figure that must be shown as suppressed."""
        return frozenset(f for f, v in self.values.items() if v is None)

    @property
    def published(self) -> dict[Figure, int]:
        """Every figure that may be shown, with its value."""
        return {f: v for f, v in self.values.items() if v is not None}

    def value(self, figure: Figure) -> int | None:
        """The figure's value, or None when suppressed; KeyError for a figure not in the table."""
        return self.values[figure]

    def is_suppressed(self, figure: Figure) -> bool:
        return self.values[figure] is None

    def cell(self, row: Hashable, column: Hashable) -> int | None:
        return self.values[Figure(CELL, row, column)]

    def row_total(self, row: Hashable) -> int | None:
        return self.values[Figure(ROW_TOTAL, row, None)]

    def column_total(self, column: Hashable) -> int | None:
        return self.values[Figure(COLUMN_TOTAL, None, column)]

    def total(self) -> int | None:
        return self.values[Figure(TOTAL, None, None)]

    def group_cell(self, group: Hashable, column: Hashable) -> int | None:
        return self.values[Figure(GROUP_CELL, group, column)]

    def group_total(self, group: Hashable) -> int | None:
        return self.values[Figure(GROUP_TOTAL, group, None)]

    def running(self, row: Hashable, column: Hashable) -> int | None:
        """Running total of ``row`` over the columns up to and including ``column``."""
        return self.values[Figure(RUNNING, row, column)]


# A table's row and column keys: any hashable value, the same type in ``counts`` as in ``rows``
# and ``columns`` (a dict keyed by (p-code, month) is then taken as it is).
RowKey = TypeVar("RowKey", bound=Hashable)
ColumnKey = TypeVar("ColumnKey", bound=Hashable)


def publish_table(
    counts: Mapping[tuple[RowKey, ColumnKey], int],
    *,
    rows: Sequence[RowKey],
    columns: Sequence[ColumnKey],
    groups: Mapping[RowKey, Hashable] | None = None,
    cumulative: bool = False,
    k: int | None = None,
) -> PublishedTable:
    """Suppress a table of counts so it can be published; pure apart from reading k's default.

    ``counts`` maps (row, column) to a non-negative whole count; missing pairs count 0.
    ``rows`` and ``columns`` give the order (columns in time order when ``cumulative``).
    ``groups`` maps every row to its group (township pcode -> state pcode) and adds group
    figures. ``cumulative`` adds running totals along the columns for rows, groups and the
    whole table. ``k`` defaults to the CORRIDOR_DISCLOSURE_K setting and may not be below 3.

    Returns every figure of the table with its value or None (suppressed).
    """
    gate_passed("publish_table")
    if k is None:
        from django.conf import settings

        k = settings.DISCLOSURE_K
    if not isinstance(k, int) or isinstance(k, bool) or k < MINIMUM_K:
        raise DisclosureError(f"k={k!r} is unsafe: the smallest allowed is {MINIMUM_K}")
    rows = tuple(rows)
    columns = tuple(columns)
    if len(set(rows)) != len(rows):
        raise DisclosureError("a row is listed twice")
    if len(set(columns)) != len(columns):
        raise DisclosureError("a column is listed twice")
    row_index = {r: i for i, r in enumerate(rows)}
    column_index = {c: j for j, c in enumerate(columns)}
    x = [[0] * len(columns) for _ in rows]
    for key, count in counts.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise DisclosureError(f"count key {key!r} is not a (row, column) pair")
        row, column = key
        if row not in row_index:
            raise DisclosureError(f"count for row {row!r}, which is not in rows")
        if column not in column_index:
            raise DisclosureError(f"count for column {column!r}, which is not in columns")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise DisclosureError(f"count for {key!r} is {count!r}, not a whole number >= 0")
        x[row_index[row]][column_index[column]] = count

    group_keys: tuple[Hashable, ...] = ()
    group_of: dict[Hashable, Hashable] = {}
    group_index: list[int] | None = None
    if groups is not None:
        missing = [r for r in rows if r not in groups]
        if missing:
            raise DisclosureError(f"row {missing[0]!r} has no group")
        group_keys = tuple(dict.fromkeys(groups[r] for r in rows))
        position = {g: n for n, g in enumerate(group_keys)}
        group_of = {r: groups[r] for r in rows}
        group_index = [position[groups[r]] for r in rows]

    engine = _Engine(x, group_index, len(group_keys), cumulative, k)
    engine.suppress()

    def external(key: tuple) -> Figure:
        kind, a, b = key
        if kind in (CELL, RUNNING):
            return Figure(kind, rows[a], columns[b])
        if kind == ROW_TOTAL:
            return Figure(kind, rows[a], None)
        if kind in (COLUMN_TOTAL, TOTAL_RUNNING):
            return Figure(kind, None, columns[b])
        if kind == TOTAL:
            return Figure(kind, None, None)
        if kind in (GROUP_CELL, GROUP_RUNNING):
            return Figure(kind, group_keys[a], columns[b])
        return Figure(kind, group_keys[a], None)

    values = {
        external(key): (None if key in engine.suppressed else value)
        for key, value in engine.values.items()
    }
    return PublishedTable(
        k=k,
        rows=rows,
        columns=columns,
        groups=group_keys,
        group_of=group_of,
        cumulative=cumulative,
        values=values,
    )


# --- the engine: internal figure keys are (kind, a, b) tuples of indexes -------------------------

# How many partner rows and columns are tried per anchor cell. More finds cheaper patterns on
# big tables at a linear cost in time; soundness does not depend on it.
_PARTNERS = 4
_MAX_PARTIAL_MOVES = 4
# What hiding a figure costs readers: a total hides a whole row, state or table, and forces more
# hiding to protect it in turn, so moves that leave totals alone win.
_WEIGHT = {
    CELL: 1,
    RUNNING: 1,
    GROUP_CELL: 2,
    GROUP_RUNNING: 2,
    ROW_TOTAL: 8,
    COLUMN_TOTAL: 8,
    TOTAL_RUNNING: 8,
    GROUP_TOTAL: 16,
    TOTAL: 64,
}

Move = tuple[tuple[int, int, int], ...]  # ((row, column, +1 or -1), ...)


class _Engine:
    def __init__(
        self,
        x: list[list[int]],
        group_index: list[int] | None,
        group_count: int,
        cumulative: bool,
        k: int,
    ) -> None:
        self.x = x
        self.n = len(x)
        self.m = len(x[0]) if x else 0
        self.g = group_index
        self.group_count = group_count
        self.cumulative = cumulative
        self.k = k
        self.values = self._values()
        self.suppressed: set[tuple] = set()
        # Best certified room above and below the true value, per suppressed figure.
        self.room: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])

    # Figures and their values.

    def _values(self) -> dict[tuple, int]:
        x, n, m, g = self.x, self.n, self.m, self.g
        values: dict[tuple, int] = {}
        column_sums = [0] * m
        group_sums = [[0] * m for _ in range(self.group_count)]
        for i in range(n):
            running = 0
            for j in range(m):
                values[(CELL, i, j)] = x[i][j]
                running += x[i][j]
                column_sums[j] += x[i][j]
                if g is not None:
                    group_sums[g[i]][j] += x[i][j]
                if self.cumulative:
                    values[(RUNNING, i, j)] = running
            values[(ROW_TOTAL, i, None)] = running
        for j in range(m):
            values[(COLUMN_TOTAL, None, j)] = column_sums[j]
        values[(TOTAL, None, None)] = sum(column_sums)
        if self.cumulative:
            running = 0
            for j in range(m):
                running += column_sums[j]
                values[(TOTAL_RUNNING, None, j)] = running
        if g is not None:
            for h in range(self.group_count):
                running = 0
                for j in range(m):
                    values[(GROUP_CELL, h, j)] = group_sums[h][j]
                    running += group_sums[h][j]
                    if self.cumulative:
                        values[(GROUP_RUNNING, h, j)] = running
                values[(GROUP_TOTAL, h, None)] = running
        return values

    def _support(self, key: tuple) -> Iterator[tuple[int, int]]:
        """The interior cells a figure sums."""
        kind, a, b = key
        rows: range | list[int]
        if kind in (CELL,):
            yield (a, b)
            return
        if kind in (ROW_TOTAL, RUNNING):
            rows = [a]
        elif kind in (GROUP_CELL, GROUP_TOTAL, GROUP_RUNNING):
            assert self.g is not None
            rows = [i for i in range(self.n) if self.g[i] == a]
        else:
            rows = range(self.n)
        if kind in (COLUMN_TOTAL, GROUP_CELL):
            columns: range = range(b, b + 1)
        elif kind in (RUNNING, GROUP_RUNNING, TOTAL_RUNNING):
            columns = range(b + 1)
        else:
            columns = range(self.m)
        for i in rows:
            for j in columns:
                yield (i, j)

    # Moves.

    def changes(self, move: Move) -> dict[tuple, int]:
        """Every figure a move changes, with its change per step."""
        delta: dict[tuple, int] = defaultdict(int)
        by_row: dict[int, list[tuple[int, int]]] = defaultdict(list)
        by_group: dict[int, list[tuple[int, int]]] = defaultdict(list)
        everything: list[tuple[int, int]] = []
        for i, j, s in move:
            delta[(CELL, i, j)] += s
            delta[(ROW_TOTAL, i, None)] += s
            delta[(COLUMN_TOTAL, None, j)] += s
            delta[(TOTAL, None, None)] += s
            if self.g is not None:
                delta[(GROUP_CELL, self.g[i], j)] += s
                delta[(GROUP_TOTAL, self.g[i], None)] += s
                by_group[self.g[i]].append((j, s))
            by_row[i].append((j, s))
            everything.append((j, s))
        if self.cumulative:
            for i, steps in by_row.items():
                self._running_changes(delta, RUNNING, i, steps)
            for h, steps in by_group.items():
                self._running_changes(delta, GROUP_RUNNING, h, steps)
            self._running_changes(delta, TOTAL_RUNNING, None, everything)
        return {key: d for key, d in delta.items() if d}

    def _running_changes(
        self, delta: dict[tuple, int], kind: str, a: int | None, steps: list[tuple[int, int]]
    ) -> None:
        steps = sorted(steps)
        running = 0
        for n, (j, s) in enumerate(steps):
            running += s
            end = steps[n + 1][0] if n + 1 < len(steps) else self.m
            if running:
                for column in range(j, end):
                    delta[(kind, a, column)] += running

    def room_of(self, move: Move) -> tuple[float, float]:
        """Steps the move can take up and down before a cell would go negative."""
        up = min((self.x[i][j] for i, j, s in move if s < 0), default=math.inf)
        down = min((self.x[i][j] for i, j, s in move if s > 0), default=math.inf)
        return up, down

    def apply(self, move: Move, changes: dict[tuple, int]) -> None:
        up, down = self.room_of(move)
        for key, d in changes.items():
            self.suppressed.add(key)
            above, below = (up, down) if d > 0 else (down, up)
            room = self.room[key]
            room[0] = max(room[0], abs(d) * above)
            room[1] = max(room[1], abs(d) * below)

    def protected(self, key: tuple) -> bool:
        above, below = self.room[key]
        return above + below >= self.k

    # The search.

    def suppress(self) -> None:
        k = self.k
        primary = [key for key, v in self.values.items() if 0 < v < k]
        self.suppressed.update(primary)
        # Cells first and smallest first: their moves usually protect the totals they touch.
        primary.sort(key=lambda key: (KINDS.index(key[0]), self.values[key]))
        for key in primary:
            if not self.protected(key):
                self.protect(key)
        while True:
            pending = [key for key in self.suppressed if not self.protected(key)]
            if not pending:
                break
            pending.sort(key=lambda key: (KINDS.index(key[0]), self.values[key], repr(key)))
            for key in pending:
                if not self.protected(key):
                    self.protect(key)

    def protect(self, key: tuple) -> None:
        for _ in range(_MAX_PARTIAL_MOVES):
            best = None
            for move in self._candidates(key):
                changes = self.changes(move)
                d = changes.get(key)
                if not d:
                    continue
                up, down = self.room_of(move)
                above, below = (up, down) if d > 0 else (down, up)
                room = self.room[key]
                reach = max(room[0], abs(d) * above) + max(room[1], abs(d) * below)
                fresh = [c for c in changes if c not in self.suppressed]
                cost = (sum(_WEIGHT[c[0]] for c in fresh), sum(self.values[c] for c in fresh))
                rank = (reach < self.k, cost if reach >= self.k else -reach, cost)
                if best is None or rank < best[0]:
                    best = (rank, move, changes)
            if best is None:
                break
            self.apply(best[1], best[2])
            if self.protected(key):
                return
        # One cell alone can grow without bound: always enough, at the price of its totals.
        anchor = next(iter(self._anchors(key)))
        move = ((anchor[0], anchor[1], 1),)
        self.apply(move, self.changes(move))

    def _anchors(self, key: tuple) -> list[tuple[int, int]]:
        if key[0] == CELL:
            return [(key[1], key[2])]
        cells = list(self._support(key))
        nonzero = [c for c in cells if self.x[c[0]][c[1]] > 0]
        pool = nonzero or cells
        # Already-suppressed cells first: moves through them cost the least.
        return heapq.nsmallest(
            _PARTNERS,
            pool,
            key=lambda c: ((CELL, c[0], c[1]) not in self.suppressed, -self.x[c[0]][c[1]]),
        )

    def _candidates(self, key: tuple) -> Iterator[Move]:
        x, k = self.x, self.k
        for i, j in self._anchors(key):
            need = max(1, k - x[i][j])
            same_group = self.g[i] if self.g is not None else None

            # Two rankings each: partners already hidden (cheap) and partners big enough to give
            # room (effective); hidden cells are often small, so either list alone can fail.
            def row_rank(r: int, j: int = j, need: int = need, same: object = same_group) -> tuple:
                return (
                    self.g is not None and self.g[r] != same,
                    (CELL, r, j) not in self.suppressed,
                    x[r][j] < need,
                    x[r][j],
                )

            def row_room(r: int, j: int = j, need: int = need, same: object = same_group) -> tuple:
                return (
                    self.g is not None and self.g[r] != same,
                    x[r][j] < need,
                    (CELL, r, j) not in self.suppressed,
                    x[r][j],
                )

            def column_rank(c: int, i: int = i, j: int = j, need: int = need) -> tuple:
                return (
                    (CELL, i, c) not in self.suppressed,
                    x[i][c] < need,
                    abs(c - j) if self.cumulative else 0,
                    x[i][c],
                )

            def column_room(c: int, i: int = i, j: int = j, need: int = need) -> tuple:
                return (
                    x[i][c] < need,
                    (CELL, i, c) not in self.suppressed,
                    abs(c - j) if self.cumulative else 0,
                    x[i][c],
                )

            others = [r for r in range(self.n) if r != i]
            partner_rows = list(
                dict.fromkeys(
                    heapq.nsmallest(_PARTNERS, others, key=row_rank)
                    + heapq.nsmallest(_PARTNERS, others, key=row_room)
                )
            )
            others = [c for c in range(self.m) if c != j]
            partner_columns = list(
                dict.fromkeys(
                    heapq.nsmallest(_PARTNERS, others, key=column_rank)
                    + heapq.nsmallest(_PARTNERS, others, key=column_room)
                )
            )
            if self.cumulative:
                for c in (j - 1, j + 1):
                    if 0 <= c < self.m and c not in partner_columns:
                        partner_columns.append(c)
            yield ((i, j, 1),)
            for r in partner_rows:
                yield ((i, j, 1), (r, j, -1))
            for c in partner_columns:
                yield ((i, j, 1), (i, c, -1))
            for r in partner_rows:
                for c in partner_columns:
                    yield ((i, j, 1), (i, c, -1), (r, j, -1), (r, c, 1))
