"""4W activities validated a batch of rows at a time, each distinct cell value once (decision 0091).

The row builder (``builders.build_activity``) reads every cell of every row through ``Row.get``
and the ``Context`` helpers: about fifty Python calls a row. A large 4W file repeats the same
organisations, sectors, townships and months over and over, so here each column of a batch is
settled once per distinct value for the whole file — by the very same ``Context`` helper,
called on a probe row — and rows are put together from those answers.

A row with any problem, or anything this path does not settle itself, goes to the row builder,
which reports all of that row's errors exactly as before. So every row is either accepted with
the values the row builder gives it (a property test checks this) or built by it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any

from corridor.aid.models import conditionality_problem, reach_problems
from corridor.aid.rules import (
    currency_problems,
    reach_unspecified,
    reached_problems,
    reporting_month_of,
    when_problems,
)
from corridor.core.rules import count_problems
from corridor.exchange import values
from corridor.exchange.kinds.builders import (
    DETAIL_LENGTH,
    build_activity,
    elderly_in_bands,
    place_level,
)
from corridor.exchange.kinds.choices import (
    CHANNELS,
    CONDITIONALITIES,
    MODALITIES,
    SECTORS,
    STATUSES,
)
from corridor.exchange.kinds.columns import ACTIVITIES
from corridor.exchange.kinds.context import Context
from corridor.exchange.kinds.keys import content_of
from corridor.exchange.table import Row, RowError, Table
from corridor.geo.rules import township_problems

# The answer for a cell value that has a problem: its rows go through the row builder.
FAIL: Any = object()
# Settled values kept per column; beyond this the cache starts again (high-cardinality counts).
CACHE_LIMIT = 100_000
PLACE_FIELDS = ("adm3_code", "adm3_name", "adm2_code", "adm2_name", "adm1_code", "adm1_name")

Built = tuple[int, "tuple | None", list[RowError]]


class _Column:
    """One field's cells settled by distinct value: raw cell(s) -> value, or FAIL."""

    def __init__(self, positions: list[int], settle: Callable[[Row], Any]) -> None:
        self.positions = positions
        self.settle = settle
        self.cache: dict[Any, Any] = {}
        self.failing: set[Any] = set()

    def values(
        self,
        table: Table,
        rows: list[tuple[int, list[str]]],
        bad: set[int],
        by_column: list[tuple[str, ...]] | None = None,
    ) -> list[Any]:
        """``by_column``: the rows' cells column by column (``zip(*cells)``), when the caller
        has them: a column's cells are then taken without a Python loop."""
        positions = self.positions
        raw: Sequence[Any]
        if len(positions) == 1:
            at = positions[0]
            raw = by_column[at] if by_column is not None else [cells[at] for _, cells in rows]
        elif positions and by_column is not None:
            raw = list(zip(*(by_column[at] for at in positions), strict=True))
        elif positions:
            get = itemgetter(*positions)  # a tuple of the cells
            raw = [get(cells) for _, cells in rows]
        else:
            raw = [()] * len(rows)
        cache = self.cache
        missing = set(raw).difference(cache)
        if missing:
            if len(cache) + len(missing) > CACHE_LIMIT:
                cache.clear()
                self.failing.clear()
                missing = set(raw)
            for n, key in enumerate(raw):
                if key in missing:
                    missing.discard(key)
                    # The probe is the first row with this value: what the helper records
                    # (e.g. a place for the review queue) names that real row.
                    number, cells = rows[n]
                    probe = Row(table, number, cells)
                    found = self.settle(probe)
                    if probe.errors:
                        found = FAIL
                        self.failing.add(key)
                    cache[key] = found
                    if not missing:
                        break
        if self.failing and not self.failing.isdisjoint(raw):
            failing = self.failing
            bad.update(n for n, key in enumerate(raw) if key in failing)
        return list(map(cache.__getitem__, raw))


class _Asked(dict[Any, bool]):
    """Whether a rule refuses a value, asked once per distinct value (the rule's own
    function, kept per batch: a row's lookup is a dict read)."""

    def __init__(self, rule: Callable[[Any], list]) -> None:
        super().__init__()
        self.rule = rule

    def __missing__(self, value: Any) -> bool:
        refused = self[value] = bool(self.rule(value))
        return refused


def _text(cell: str) -> str:
    """``values.text`` of a cell; plain ASCII without a quoting apostrophe is already done."""
    stripped = cell.strip()
    if stripped.isascii() and stripped[:1] != "'":
        return stripped
    return values.text(stripped)


class ActivityBatches:
    """Builds 4W activity rows of one file, a batch at a time."""

    def __init__(self, table: Table, ctx: Context) -> None:
        self.table = table
        self.ctx = ctx
        plan = table.plan
        first = {name: positions[0] for name, positions in plan.items() if positions}
        self.first = first
        self.width = max(first.values(), default=-1) + 1

        def column(name: str, settle: Callable[[Row], Any]) -> _Column | None:
            return _Column([first[name]], settle) if name in first else None

        self.org = _Column(
            [first[n] for n in ("org_code", "org") if n in first],
            lambda row: ctx.org(row, required=True),
        )
        self.sector = column("sector", lambda row: ctx.choice(row, "sector", SECTORS))
        self.modality = column("modality", lambda row: ctx.choice(row, "modality", MODALITIES))
        self.channel = column(
            "channel", lambda row: ctx.choice(row, "channel", CHANNELS, default="in_country")
        )
        self.status = column(
            "status", lambda row: ctx.choice(row, "status", STATUSES, default="ongoing")
        )
        # Organisation and place may come from no column at all (--org; a missing township
        # is an error): a column of no cells settles once, like any other.
        self.place = _Column(
            [first[n] for n in PLACE_FIELDS if n in first],
            lambda row: ctx.place(row, township_only=True),
        )
        self.month = column("reporting_month", lambda row: ctx.month(row, "reporting_month"))
        self.start = column("start_date", lambda row: ctx.date(row, "start_date"))
        self.end = column("end_date", lambda row: ctx.date(row, "end_date"))
        self.counts = {
            name: column(name, partial(_count, ctx, name))
            for name in ("women", "men", "girls", "boys", "unspecified")
        }
        self.total = column("total", lambda row: ctx.count(row, "total", default=None))
        self.households = column(
            "households", lambda row: ctx.count(row, "households", default=None)
        )
        self.value = column("value", _value)
        self.of_whom = {
            name: column(name, partial(_of_whom, ctx, name))
            for name in ("elderly_women", "elderly_men", "disabled")
        }
        self.conditionality = column(
            "conditionality",
            lambda row: ctx.choice(row, "conditionality", CONDITIONALITIES, default=""),
        )

    def __call__(self, rows: list[tuple[int, list[str]]]) -> Iterator[Built]:
        """(row number, values or None, errors) for each row, in file order."""
        if not rows:
            return
        table, ctx, first, width = self.table, self.ctx, self.first, self.width
        # Rows shorter than the hashtag row read as empty cells (as Row.get does).
        rows = [
            (number, cells if len(cells) >= width else cells + [""] * (width - len(cells)))
            for number, cells in rows
        ]
        count = len(rows)
        bad: set[int] = set()
        # The cells column by column, in one pass in C (every row has at least ``width``;
        # cells past the shortest row are not read here).
        by_column = list(zip(*(cells for _, cells in rows), strict=False))[:width]

        def settled(col: _Column | None, default: Any) -> list[Any]:
            if col is None:
                if default is FAIL:  # a required field without a column: every row fails
                    bad.update(range(count))
                return [default] * count
            return col.values(table, rows, bad, by_column)

        orgs = settled(self.org, FAIL)
        if ctx.owners.new_orgs:
            ctx.owners.named_new_orgs([number for number, _ in rows], orgs)
        sectors = settled(self.sector, FAIL)
        modalities = settled(self.modality, FAIL)
        channels = settled(self.channel, "in_country")
        statuses = settled(self.status, "ongoing")
        places = settled(self.place, FAIL)
        months = settled(self.month, None)
        starts = settled(self.start, None)
        ends = settled(self.end, None)
        women, men, girls, boys, unspecified = (
            settled(self.counts[name], 0)
            for name in ("women", "men", "girls", "boys", "unspecified")
        )
        totals = settled(self.total, None)
        households = settled(self.households, None)
        amounts = settled(self.value, None)
        elderly_women, elderly_men, disabled = (
            settled(self.of_whom[name], None)
            for name in ("elderly_women", "elderly_men", "disabled")
        )
        conditionalities = settled(self.conditionality, "")
        details = [
            list(map(_text, by_column[first[name]])) if name in first else [""] * count
            for name in ("village_tract", "village", "donor")
        ]
        at = first.get("unspecified")
        unspecified_given = (
            [bool(cell.strip()) for cell in by_column[at]] if at is not None else [False] * count
        )
        at = first.get("currency")
        currencies = [cell.strip().upper() for cell in by_column[at]] if at is not None else None
        at = first.get("notes")
        notes = list(map(_text, by_column[at])) if at is not None else [""] * count
        at = first.get("id")
        given = list(map(str.strip, by_column[at])) if at is not None else [""] * count
        keys = ctx.keys
        now = ctx.today
        levels = {pcode: place_level(ctx, pcode) for pcode in set(places) if pcode is not FAIL}
        place_bad = {
            pcode: bool(township_problems("admin_unit", pcode, level))
            for pcode, level in levels.items()
        }
        when_bad = _Asked(lambda when: when_problems(*when, now=now))
        count_bad = _Asked(lambda number: count_problems({"count": number}, ("count",)))
        # The currency rule reads only whether there is a value: asked with one.
        currency_bad = _Asked(lambda currency: currency_problems(Decimal(1), currency))
        # The content is only read when neither an id cell nor a declared key decides.
        by_content = not keys.key_at
        # Without a file's "of whom" or conditionality column those rules have nothing to
        # refuse (every value None, or ""): not asked row by row.
        of_whom = any(column is not None for column in self.of_whom.values())
        conditional = self.conditionality is not None

        # Without a file's elderly columns women and men are stored as given, and without its
        # total column "unspecified" is as given (what ``elderly_in_bands`` and
        # ``reach_unspecified`` return then): neither is called row by row.
        elderly = (
            self.of_whom["elderly_women"] is not None or self.of_whom["elderly_men"] is not None
        )
        with_total = self.total is not None
        problem = None
        detail_rows = list(zip(*details, strict=True))

        for n, (number, cells) in enumerate(rows):
            if n in bad:
                yield self._by_row(number, cells)
                continue
            month, start, end = months[n], starts[n], ends[n]
            girls_n, boys_n = girls[n], boys[n]
            if elderly:
                adult_women, adult_men = elderly_in_bands(
                    women[n],
                    men[n],
                    girls_n + boys_n + unspecified[n],
                    elderly_women[n],
                    elderly_men[n],
                    total=totals[n],
                )
            else:
                adult_women, adult_men = women[n], men[n]
            if with_total:
                spec, problem = reach_unspecified(
                    adult_women + adult_men + girls_n + boys_n,
                    unspecified[n],
                    unspecified_given=unspecified_given[n],
                    total=totals[n],
                )
            else:
                spec = unspecified[n]
            amount = amounts[n]
            currency = currencies[n] if currencies is not None else ""
            village_tract, village, donor = detail_rows[n]
            pcode = places[n]
            households_n = households[n]
            # The rules of ``activity_problems``, each part asked once per distinct value of
            # what it reads (decision 0358): the township, the three dates, each count.
            if (
                problem
                or place_bad[pcode]
                or when_bad[month, start, end]
                or count_bad[adult_women]
                or count_bad[adult_men]
                or count_bad[girls_n]
                or count_bad[boys_n]
                or count_bad[spec]
                or count_bad[households_n]
                or reached_problems(
                    adult_women + adult_men + girls_n + boys_n + spec,
                    households_n,
                    statuses[n] or "ongoing",
                )
                or (amount is not None and currency_bad[currency])
                or (
                    of_whom
                    and reach_problems(
                        women=adult_women,
                        men=adult_men,
                        total=adult_women + adult_men + girls[n] + boys[n] + spec,
                        elderly_women=elderly_women[n],
                        elderly_men=elderly_men[n],
                        disabled=disabled[n],
                    )
                )
                or (conditional and conditionality_problem(modalities[n], conditionalities[n]))
                or max(len(village_tract), len(village), len(donor)) > DETAIL_LENGTH
            ):
                # The row builder reports the problems, in the rules' words, with the row's
                # others: the same rules, asked of the same values.
                yield self._by_row(number, cells)
                continue
            month = reporting_month_of(month, start)
            stored = (
                orgs[n],
                sectors[n],
                modalities[n],
                channels[n],
                pcode,
                month,
                start,
                end,
                statuses[n],
                adult_women,
                adult_men,
                girls[n],
                boys[n],
                spec,
                households[n],
                amount,
                currency,
                notes[n],
                elderly_women[n],
                elderly_men[n],
                disabled[n],
                village_tract,
                village,
                donor,
                conditionalities[n],
            )
            content = content_of(stored) if by_content and not given[n] else ""
            record = keys(given[n], content, stored[0] or "", cells)
            yield number, ACTIVITIES.record(record, *stored), []

    def _by_row(self, number: int, cells: list[str]) -> Built:
        row = Row(self.table, number, cells)
        return number, build_activity(row, self.ctx), row.errors


def _count(ctx: Context, name: str, row: Row) -> int | None:
    return ctx.count(row, name)


def _of_whom(ctx: Context, name: str, row: Row) -> int | None:
    return ctx.count(row, name, default=None)


def _value(row: Row) -> Decimal | None:
    raw = row.get("value")
    if not raw:
        return None
    try:
        return values.decimal(raw)
    except values.CellError as exc:
        row.error("value", str(exc), raw)
        return None


def rows_built(table: Table, ctx: Context, build: Callable[[Row, Context], Any]):
    """The row-by-row builder with the batch interface, for kinds without a batch builder."""

    def build_rows(rows: list[tuple[int, list[str]]]) -> Iterator[Built]:
        for number, cells in rows:
            row = Row(table, number, cells)
            yield number, build(row, ctx), row.errors

    return build_rows


def batch_builder(table: Table, ctx: Context, build: Callable[[Row, Context], Any]):
    """How the pipeline builds this table's rows: a batch at a time where a kind allows it."""
    if table.kind == "activities" and build is build_activity:
        return ActivityBatches(table, ctx)
    return rows_built(table, ctx, build)
