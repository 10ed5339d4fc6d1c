"""The one gap computation: used by the pages, the JSON API and `corridor gaps`.

Need is, per township and sector, the people-in-need figure valid for the month for that
sector, else the one for all sectors, else the IDPs of the township's latest figure (the rules
are in ``situation.queries``: ``needs_valid``, ``latest_figures``); reach is the sum of the
month's ongoing and completed activity rows, and planned rows are summed apart (decision
0175). Reach is read from the monthly rollups kept on every write (decision 0225): the
operator's table from the township × sector totals, a viewer's from the rollup of the
organisations they may see, summed in one grouped query; both sides are read through querysets
the caller scopes to the person asking, so a page never counts rows its viewer may not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from corridor.accounts import policy
from corridor.aid.models import ALL_SECTORS_TOTAL, MonthlyReach, MonthlyReachTotal, Sector
from corridor.disclosure import internal_output
from corridor.geo.models import AdminUnit
from corridor.situation.models import ALL_SECTORS, DisplacementFigure
from corridor.situation.queries import FigureRef, latest_figures, need_for, needs_valid

#: Where a row's need comes from: the sector's own people in need, all sectors', or IDPs.
NEED_SECTOR = "sector"
NEED_ALL_SECTORS = "all_sectors"
NEED_IDPS = "idps"


class GapInputError(ValueError):
    """A month, sector or state the gap table cannot use."""


def month_start(text_or_date: str | dt.date) -> dt.date:
    """The first day of a month given as YYYY-MM (or any date in it)."""
    if isinstance(text_or_date, dt.date):
        return text_or_date.replace(day=1)
    try:
        year, month = (int(part) for part in text_or_date.strip().split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError:
        raise GapInputError(f"month {text_or_date!r} is not YYYY-MM") from None


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclass(slots=True)
class GapRow:
    pcode: str
    township: str
    township_my: str
    state_pcode: str
    sector: str
    idps: int | None
    people_in_need: int | None
    need: int | None
    people_reached: int
    organisations: int
    coverage: float | None
    figure_as_of: dt.date | None
    figure_source_id: str | None
    # People the month's planned rows mean to reach: never part of people_reached.
    planned: int = 0
    # The figure the need comes from: its basis (NEED_*), source, date and validity period.
    need_basis: str | None = None
    need_source: str | None = None
    need_as_of: dt.date | None = None
    need_valid_from: dt.date | None = None
    need_valid_to: dt.date | None = None

    @property
    def need_period(self) -> str:
        """The need figure's date as shared files say it: its validity period in months
        ("2026-01..2026-12"), else the month it is dated ("2023-06"); "" without a figure."""
        if self.need_valid_from is not None and self.need_valid_to is not None:
            return f"{self.need_valid_from:%Y-%m}..{self.need_valid_to:%Y-%m}"
        return f"{self.need_as_of:%Y-%m}" if self.need_as_of is not None else ""


@dataclass(frozen=True)
class TownshipGap:
    """One township in the ranking: its need against the most any one sector reached."""

    pcode: str
    township: str
    township_my: str
    need: int
    people_reached: int
    organisations: int
    coverage: float


@dataclass
class GapTable:
    month: dt.date
    sector: str | None
    state: str | None
    rows: list[GapRow] = field(default_factory=list)
    ranking: list[TownshipGap] = field(default_factory=list)
    # Per township, its need for all sectors as (basis, count): all sectors' people in need,
    # else IDPs. The ranking's need when no sector is chosen.
    township_need: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        return {
            "month": self.month.strftime("%Y-%m"),
            "sector": self.sector,
            "state": self.state,
            "rows": [_plain(asdict(row)) for row in self.rows],
            "ranking": [asdict(item) for item in self.ranking],
        }


def _plain(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}


def coverage_ratio(reached: int, need: int | None) -> float | None:
    """Reached over need, rounded to 4 places; None when the need is unknown or zero."""
    if not need:
        return None
    return round(reached / need, 4)


def check_filters(sector: str | None, state: str | None) -> None:
    """Raise GapInputError for a sector or state/region p-code the gap table does not know."""
    if sector and sector not in Sector.values:
        raise GapInputError(f"sector {sector!r} is not one of: {', '.join(Sector.values)}")
    if state and not AdminUnit.objects.filter(pcode=state, level=1).exists():
        raise GapInputError(f"state {state!r} is not a state/region p-code")


@internal_output(
    "gaps.gap_table",
    role=policy.VIEW,
    what="the gap table unsuppressed, up to today: the gaps page and township pages (over the "
    "rows the signed-in person may view) and `corridor gaps --internal` (the operator)",
)
def gap_table(
    month: str | dt.date,
    *,
    reach_rows: QuerySet[MonthlyReach] | None = None,
    figures: QuerySet | None = None,
    sector: str | None = None,
    state: str | None = None,
) -> GapTable:
    """The gap table for one month, optionally one sector and one state/region (p-code).

    ``reach_rows`` (the monthly reach rollup, ``aid.queries.reach_visible_to``) and ``figures``
    are the caller's scoped querysets; None means every row (the operator's view from the CLI).
    """
    start = month_start(month)
    end = next_month(start)
    check_filters(sector, state)
    figures = DisplacementFigure.objects.all() if figures is None else figures
    reach, orgs_by_township = _month_reach(reach_rows, start, sector, state)
    if state:
        figures = figures.filter(admin_unit__pcode__startswith=state)
    month_last = end - dt.timedelta(days=1)
    latest = latest_figures(figures, month_last)
    needs = needs_valid(figures, start, month_last)

    sectors = [sector] if sector else list(Sector.values)
    places = set(latest) | {pcode for pcode, _sec in needs}
    # Every sector of a township with a figure, and every township × sector reaching people.
    wanted: dict[str, set[str]] = {pcode: set(sectors) for pcode in places}
    for pcode, sec in reach:
        secs = wanted.get(pcode)
        if secs is None:
            secs = wanted[pcode] = set()
        secs.add(sec)
    names = _names(set(wanted))
    # Townships with a need figure of their own for some sector: only their rows ask
    # ``need_for``; every other township's rows all take its all-sector need.
    own_sector_need = {pcode for pcode, sec in needs if sec != ALL_SECTORS}
    keyed = []
    township_need: dict[str, tuple[str, int]] = {}
    # A township's rows share its figure, names and all-sector need: worked out once for
    # the township; a row only looks up its sector's own need and its reach. Each row is
    # kept with its sort key, made here rather than by a call per row.
    nothing = (0, 0, 0)
    for pcode, secs in wanted.items():
        figure = latest.get(pcode)
        if figure is None:
            idps = figure_as_of = figure_source_id = None
        else:
            idps, figure_as_of, figure_source_id = figure.idps, figure.as_of, figure.source_id
        en, my, state_pcode = names.get(pcode, (pcode, "", ""))
        all_sectors = needs.get((pcode, ALL_SECTORS))
        overall = _need(all_sectors, figure)
        if overall[0] is not None and overall[1] is not None:
            township_need[pcode] = (overall[0], overall[1])
        asks = pcode in own_sector_need
        for sec in secs:
            basis, need, pin, source, as_of, valid_from, valid_to = overall
            if asks:
                need_figure = need_for(needs, pcode, sec)
                if need_figure is not all_sectors:
                    basis, need, pin, source, as_of, valid_from, valid_to = _need(
                        need_figure, figure
                    )
            reached, orgs, planned = reach.get((pcode, sec), nothing)
            coverage = coverage_ratio(reached, need)
            row = GapRow(
                pcode,
                en,
                my,
                state_pcode,
                sec,
                idps,
                pin,
                need,
                reached,
                orgs,
                coverage,
                figure_as_of,
                figure_source_id,
                planned,
                basis,
                source,
                as_of,
                valid_from,
                valid_to,
            )
            # Worst first: known needs first, lowest coverage first, bigger need first, then by
            # place and sector (which make the key unique, so rows are never compared).
            keyed.append((coverage is None, coverage or 0.0, -(need or 0), pcode, sec, row))
    keyed.sort()
    rows = [item[-1] for item in keyed]
    return GapTable(
        month=start,
        sector=sector or None,
        state=state or None,
        rows=rows,
        ranking=_ranking(
            rows,
            orgs_by_township,
            None if sector else {pcode: n for pcode, (_b, n) in township_need.items()},
        ),
        township_need=township_need,
    )


def _month_reach(
    rows: QuerySet[MonthlyReach] | None, start: dt.date, sector: str | None, state: str | None
) -> tuple[dict[tuple[str, str], tuple[int, int, int]], dict[str, int]]:
    """From the monthly reach rollups (decision 0225): per (township, sector) the month's
    (people reached, organisations reaching, people planned), and per township the
    organisations reaching people in the sector asked for (or in any). Every row's
    organisations are summed from the totals, a viewer's from the rollup of their
    organisations."""
    place = {"admin_unit__pcode__startswith": state} if state else {}
    if rows is None or not rows.query.has_filters():
        totals = MonthlyReachTotal.objects.filter(month=start, **place)
        if sector:
            totals = totals.filter(sector__in=[sector, ALL_SECTORS_TOTAL])
        cells = list(
            totals.values_list("admin_unit_id", "sector", "reached", "organisations", "planned")
        )
        wanted = sector or ALL_SECTORS_TOTAL
        return (
            {
                (pcode, sec): (reached, orgs, planned)
                for pcode, sec, reached, orgs, planned in cells
                # A township × sector with only cancelled rows has nothing to show.
                if sec != ALL_SECTORS_TOTAL and (reached or planned or orgs)
            },
            {pcode: orgs for pcode, sec, _r, orgs, _p in cells if sec == wanted},
        )
    month_rows = rows.filter(month=start, **place)
    if sector:
        month_rows = month_rows.filter(sector=sector)
    reaching = Q(reached_rows__gt=0)
    reach = {
        (pcode, sec): (reached, orgs, planned)
        for pcode, sec, reached, orgs, planned in month_rows.order_by()
        .values("admin_unit_id", "sector")
        .annotate(
            r=Sum("reached", default=0),
            n=Count("organisation_id", filter=reaching),
            p=Sum("planned", default=0),
        )
        .values_list("admin_unit_id", "sector", "r", "n", "p")
        if reached or planned or orgs
    }
    orgs_by_township = dict(
        month_rows.order_by()
        .values("admin_unit_id")
        .annotate(n=Count("organisation_id", filter=reaching, distinct=True))
        .values_list("admin_unit_id", "n")
    )
    return reach, orgs_by_township


def _need(need_figure: FigureRef | None, figure: FigureRef | None) -> tuple:
    """A row's need from the valid need figure, else the latest IDPs, as (basis, need, people
    in need) and the figure it comes from (source, as_of, valid_from, valid_to): the need
    figure's when there is one, else the latest figure's (even when it has no IDPs)."""
    if need_figure is not None:
        basis = NEED_ALL_SECTORS if need_figure.sector == ALL_SECTORS else NEED_SECTOR
        pin = need_figure.people_in_need
        return (basis, pin, pin, *_shown(need_figure))
    if figure is None:
        return (None, None, None, None, None, None, None)
    if figure.idps is not None:
        return (NEED_IDPS, figure.idps, None, *_shown(figure))
    return (None, None, None, *_shown(figure))


def _shown(figure: FigureRef) -> tuple:
    return figure.source, figure.as_of, figure.valid_from, figure.valid_to


def _ranking(
    rows: Iterable[GapRow], orgs_by_township: dict[str, int], township_need: dict[str, int] | None
) -> list[TownshipGap]:
    # People reached by different sectors overlap, so a township's reach is the most any one
    # sector reached: a floor on the distinct people reached, never an inflated sum. Its need
    # is the township's need for all sectors (``township_need``); for one sector, the row's.
    best: dict[str, GapRow] = {}
    for row in rows:
        need = row.need if township_need is None else township_need.get(row.pcode)
        if not need:
            continue
        held = best.get(row.pcode)
        if held is None or row.people_reached > held.people_reached:
            best[row.pcode] = row
    ranking = []
    for row in best.values():
        need = row.need if township_need is None else township_need[row.pcode]
        ranking.append(
            TownshipGap(
                pcode=row.pcode,
                township=row.township,
                township_my=row.township_my,
                need=need or 0,
                people_reached=row.people_reached,
                organisations=orgs_by_township.get(row.pcode, 0),
                coverage=coverage_ratio(row.people_reached, need) or 0.0,
            )
        )
    ranking.sort(key=lambda t: (t.coverage, -t.need, t.pcode))
    return ranking


def _names(pcodes: set[str]) -> dict[str, tuple[str, str, str]]:
    units = AdminUnit.objects.filter(pcode__in=pcodes).values_list(
        "pcode", "name_en", "name_my", "parent__parent_id"
    )
    return {pcode: (en, my, state or "") for pcode, en, my, state in units}
