"""The one gap computation: used by the pages, the JSON API and `corridor gaps`.

Need is the township's displacement figure for the month (people in need when the source
gives it, otherwise IDPs); reach is the sum of the month's activity rows. Both sides are read
through querysets the caller scopes to the person asking, so a page never counts rows its
viewer may not see. Everything is aggregated in the database: the month's activities are
summed by township and sector in one grouped query, however many rows the table holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.db.models import Count, F, QuerySet, Sum

from corridor.accounts import policy
from corridor.aid.models import Activity, Sector
from corridor.disclosure import internal_output
from corridor.geo.models import AdminUnit
from corridor.situation.models import DisplacementFigure

REACH = F("women") + F("men") + F("girls") + F("boys") + F("unspecified")


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


@dataclass(frozen=True)
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


def _latest_figures(figures: QuerySet, start: dt.date, end: dt.date, state: str | None) -> dict:
    """Per township, the figure with the latest as_of in the month (ties: the larger count)."""
    figures = figures.filter(as_of__gte=start, as_of__lt=end, admin_unit__level=3)
    if state:
        figures = figures.filter(admin_unit__pcode__startswith=state)
    latest: dict[str, tuple] = {}
    for pcode, as_of, idps, pin, source_id in figures.order_by().values_list(
        "admin_unit_id", "as_of", "idps", "people_in_need", "source_id"
    ):
        key = (as_of, pin if pin is not None else idps)
        held = latest.get(pcode)
        if held is None or key > held[0]:
            latest[pcode] = (key, as_of, idps, pin, str(source_id))
    return {pcode: value[1:] for pcode, value in latest.items()}


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
    activities: QuerySet | None = None,
    figures: QuerySet | None = None,
    sector: str | None = None,
    state: str | None = None,
) -> GapTable:
    """The gap table for one month, optionally one sector and one state/region (p-code).

    ``activities`` and ``figures`` are the caller's scoped querysets; None means every row
    (the operator's view from the CLI).
    """
    start = month_start(month)
    end = next_month(start)
    check_filters(sector, state)
    activities = Activity.objects.all() if activities is None else activities
    figures = DisplacementFigure.objects.all() if figures is None else figures

    month_rows = activities.filter(reporting_month=start)
    if sector:
        month_rows = month_rows.filter(sector=sector)
    if state:
        month_rows = month_rows.filter(admin_unit__pcode__startswith=state)
    reach: dict[tuple[str, str], tuple[int, int]] = {
        (pcode, sec): (reached or 0, orgs)
        for pcode, sec, reached, orgs in month_rows.order_by()
        .values("admin_unit_id", "sector")
        .annotate(reached=Sum(REACH), orgs=Count("organisation_id", distinct=True))
        .values_list("admin_unit_id", "sector", "reached", "orgs")
    }
    orgs_by_township = dict(
        month_rows.order_by()
        .values("admin_unit_id")
        .annotate(orgs=Count("organisation_id", distinct=True))
        .values_list("admin_unit_id", "orgs")
    )
    need = _latest_figures(figures, start, end, state)

    sectors = [sector] if sector else list(Sector.values)
    keys = {(pcode, sec) for pcode in need for sec in sectors} | set(reach)
    names = _names({pcode for pcode, _ in keys})
    rows = []
    for pcode, sec in keys:
        reached, orgs = reach.get((pcode, sec), (0, 0))
        as_of, idps, pin, source_id = need.get(pcode, (None, None, None, None))
        township_need = pin if pin is not None else idps
        en, my, state_pcode = names.get(pcode, (pcode, "", ""))
        rows.append(
            GapRow(
                pcode=pcode,
                township=en,
                township_my=my,
                state_pcode=state_pcode,
                sector=sec,
                idps=idps,
                people_in_need=pin,
                need=township_need,
                people_reached=reached,
                organisations=orgs,
                coverage=coverage_ratio(reached, township_need),
                figure_as_of=as_of,
                figure_source_id=source_id,
            )
        )
    rows.sort(key=_worst_first)
    return GapTable(
        month=start,
        sector=sector or None,
        state=state or None,
        rows=rows,
        ranking=_ranking(rows, orgs_by_township),
    )


def _worst_first(row: GapRow) -> tuple:
    # Known needs first, lowest coverage first, bigger need first, then by place and sector.
    unknown = row.coverage is None
    return (unknown, row.coverage or 0.0, -(row.need or 0), row.pcode, row.sector)


def _ranking(rows: Iterable[GapRow], orgs_by_township: dict[str, int]) -> list[TownshipGap]:
    # People reached by different sectors overlap, so a township's reach is the most any one
    # sector reached: a floor on the distinct people reached, never an inflated sum.
    best: dict[str, GapRow] = {}
    for row in rows:
        if not row.need:
            continue
        held = best.get(row.pcode)
        if held is None or row.people_reached > held.people_reached:
            best[row.pcode] = row
    ranking = [
        TownshipGap(
            pcode=row.pcode,
            township=row.township,
            township_my=row.township_my,
            need=row.need or 0,
            people_reached=row.people_reached,
            organisations=orgs_by_township.get(row.pcode, 0),
            coverage=coverage_ratio(row.people_reached, row.need) or 0.0,
        )
        for row in best.values()
    ]
    ranking.sort(key=lambda t: (t.coverage, -t.need, t.pcode))
    return ranking


def _names(pcodes: set[str]) -> dict[str, tuple[str, str, str]]:
    units = AdminUnit.objects.filter(pcode__in=pcodes).values_list(
        "pcode", "name_en", "name_my", "parent__parent_id"
    )
    return {pcode: (en, my, state or "") for pcode, en, my, state in units}
