"""The gap table as it may be passed on: every count through the disclosure gate.

One month's table is built for every sector and every state at once, suppressed once, and
then cut by the sector and state asked for. Each cut shows the same figures of that one table,
so comparing two cuts (all sectors against one, the country against a state) recovers nothing
that is hidden. People reached and organisations per township × sector, and IDPs and people in
need per township (and per township × sector for a sector's own need), and people planned per
township × sector, are tables of their own; coverage is shown only where both of its numbers
are. The exact date of the need figure is left out: its month (or validity period, in months)
and basis are shown, so a stale figure is seen as stale (decision 0176).
Months after the publication cutoff cannot be shared (docs/security/disclosure.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from corridor.aid.models import Sector
from corridor.disclosure import (
    SUPPRESSED,
    PublishedTable,
    latest_public_month,
    month_is_publishable,
    publication_cutoff,
    publish_table,
    shared_output,
)
from corridor.gaps.queries import (
    NEED_ALL_SECTORS,
    NEED_IDPS,
    NEED_SECTOR,
    GapInputError,
    check_filters,
    coverage_ratio,
    gap_table,
    month_start,
)

#: Columns of a shared gap row, in the order files show them.
SHARED_COLUMNS = (
    "pcode",
    "township",
    "township_my",
    "state_pcode",
    "sector",
    "idps",
    "people_in_need",
    "need",
    "need_basis",
    "need_period",
    "people_reached",
    "planned",
    "organisations",
    "coverage",
)


@dataclass(frozen=True)
class SharedGapRow:
    """One township × sector. A None count is hidden when its name is in ``suppressed``, and
    unknown (no figure that month) otherwise."""

    pcode: str
    township: str
    township_my: str
    state_pcode: str
    sector: str
    idps: int | None
    people_in_need: int | None
    need: int | None
    people_reached: int | None
    organisations: int | None
    coverage: float | None
    planned: int | None = 0
    need_basis: str | None = None  # "sector", "all_sectors", "idps"
    need_period: str = ""  # the need figure's month, or its validity period in months
    suppressed: tuple[str, ...] = ()

    def shown(self, columns: Iterable[str]) -> list[Any]:
        """The row as a file shows it: the suppressed mark for a hidden figure, "" for an
        unknown one."""
        return [
            SUPPRESSED
            if c in self.suppressed
            else ("" if getattr(self, c) is None else getattr(self, c))
            for c in columns
        ]


@dataclass(frozen=True)
class SharedTownshipGap:
    """A township in the ranking: shown only when its need and every sector's reach are."""

    pcode: str
    township: str
    township_my: str
    need: int
    people_reached: int
    coverage: float


@dataclass
class SharedGapTable:
    month: dt.date
    sector: str | None
    state: str | None
    cutoff: dt.date
    k: int
    rows: list[SharedGapRow] = field(default_factory=list)
    ranking: list[SharedTownshipGap] = field(default_factory=list)
    # The suppressed tables every cut is taken from, for outputs that show other cuts of the
    # same counts (the dashboard's series by state and sector): township × sector people
    # reached, and township IDPs, both grouped by state/region.
    reached: PublishedTable | None = field(default=None, repr=False)
    idps: PublishedTable | None = field(default=None, repr=False)


def _one_column(values: dict[str, int], groups: dict[str, str], name: str) -> PublishedTable:
    rows = sorted(values)
    return publish_table(
        {(pcode, name): value for pcode, value in values.items()},
        rows=rows,
        columns=[name],
        groups={pcode: groups[pcode] for pcode in rows},
    )


@shared_output(
    "gaps.shared_gap_table",
    what="the gap table of one month as it may be shared, cut by sector and state; what "
    "/gaps.csv, GET /api/gaps/, the coverage map download and `corridor gaps` give",
)
def shared_gap_table(
    month: str | dt.date,
    *,
    today: dt.date,
    reach_rows: QuerySet | None = None,
    figures: QuerySet | None = None,
    sector: str | None = None,
    state: str | None = None,
    tables_only: bool = False,
) -> SharedGapTable:
    """The gap table of one month as it may be shared, cut by ``sector`` and ``state``.

    ``reach_rows`` (``aid.queries.reach_visible_to``) and ``figures`` are the caller's scoped
    querysets (None: every row, the
    operator's view). ``tables_only``: only the suppressed reach and IDP tables, no rows (for
    outputs that show other cuts of them). Raises GapInputError for a month after the
    publication cutoff.
    """
    start = month_start(month)
    check_filters(sector, state)
    if not month_is_publishable(start, today):
        raise GapInputError(
            f"month {start:%Y-%m} cannot be shared yet (publication cutoff "
            f"{publication_cutoff(today):%Y-%m-%d}); the latest month that can be shared is "
            f"{latest_public_month(today):%Y-%m}"
        )
    full = gap_table(start, reach_rows=reach_rows, figures=figures)
    state_of = {row.pcode: row.state_pcode for row in full.rows}
    townships = sorted(state_of)
    sectors = list(Sector.values)
    reached = publish_table(
        {(r.pcode, r.sector): r.people_reached for r in full.rows},
        rows=townships,
        columns=sectors,
        groups=state_of,
    )
    idps = _one_column({r.pcode: r.idps for r in full.rows if r.idps is not None}, state_of, "idps")
    if tables_only:
        return SharedGapTable(
            month=start,
            sector=None,
            state=None,
            cutoff=publication_cutoff(today),
            k=reached.k,
            reached=reached,
            idps=idps,
        )
    organisations = publish_table(
        {(r.pcode, r.sector): r.organisations for r in full.rows},
        rows=townships,
        columns=sectors,
        groups=state_of,
    )
    planned = publish_table(
        {(r.pcode, r.sector): r.planned for r in full.rows},
        rows=townships,
        columns=sectors,
        groups=state_of,
    )
    # All sectors' people in need per township, and each sector's own where one is given.
    in_need = _one_column(
        {
            r.pcode: r.people_in_need
            for r in full.rows
            if r.need_basis == NEED_ALL_SECTORS and r.people_in_need is not None
        }
        | {
            pcode: count
            for pcode, (basis, count) in full.township_need.items()
            if basis == NEED_ALL_SECTORS
        },
        state_of,
        "people_in_need",
    )
    sector_need = publish_table(
        {
            (r.pcode, r.sector): r.people_in_need
            for r in full.rows
            if r.need_basis == NEED_SECTOR and r.people_in_need is not None
        },
        rows=townships,
        columns=sectors,
        groups=state_of,
    )

    rows = []
    for r in full.rows:
        if (sector and r.sector != sector) or (state and r.state_pcode != state):
            continue
        hidden: list[str] = []
        shown_idps = _figure(idps, r.pcode, "idps", r.idps, hidden)
        if r.need_basis == NEED_SECTOR:
            shown_pin = _figure(
                sector_need, r.pcode, r.sector, r.people_in_need, hidden, "people_in_need"
            )
        else:
            shown_pin = _figure(in_need, r.pcode, "people_in_need", r.people_in_need, hidden)
        need = shown_pin if r.people_in_need is not None else shown_idps
        if r.need is not None and need is None:
            hidden.append("need")
        people = _figure(reached, r.pcode, r.sector, r.people_reached, hidden, "people_reached")
        orgs = _figure(organisations, r.pcode, r.sector, r.organisations, hidden, "organisations")
        shown_planned = _figure(planned, r.pcode, r.sector, r.planned, hidden, "planned")
        coverage = None if people is None else coverage_ratio(people, need)
        if r.coverage is not None and coverage is None:
            hidden.append("coverage")
        rows.append(
            SharedGapRow(
                pcode=r.pcode,
                township=r.township,
                township_my=r.township_my,
                state_pcode=r.state_pcode,
                sector=r.sector,
                idps=shown_idps,
                people_in_need=shown_pin,
                need=need,
                people_reached=people,
                organisations=orgs,
                coverage=coverage,
                suppressed=tuple(hidden),
                planned=shown_planned,
                need_basis=r.need_basis,
                need_period=r.need_period,
            )
        )
    return SharedGapTable(
        month=start,
        sector=sector or None,
        state=state or None,
        cutoff=publication_cutoff(today),
        k=reached.k,
        rows=rows,
        ranking=_ranking(rows, reached, sectors, sector, _township_needs(full, idps, in_need)),
        reached=reached,
        idps=idps,
    )


def _township_needs(
    full: Any, idps: PublishedTable, in_need: PublishedTable
) -> dict[str, int | None]:
    """Each township's all-sector need as published (None: hidden), for the ranking."""
    shown: dict[str, int | None] = {}
    for pcode, (basis, _count) in full.township_need.items():
        if basis == NEED_IDPS:
            shown[pcode] = idps.cell(pcode, "idps")
        else:
            shown[pcode] = in_need.cell(pcode, "people_in_need")
    return shown


def _figure(
    table: PublishedTable,
    row: str,
    column: str,
    true_value: int | None,
    hidden: list[str],
    name: str | None = None,
) -> int | None:
    """The published value of one cell, noting its name in ``hidden`` when suppressed."""
    if true_value is None:
        return None
    value = table.cell(row, column)
    if value is None:
        hidden.append(name or column)
    return value


def _ranking(
    rows: Iterable[SharedGapRow],
    reached: PublishedTable,
    sectors: list[str],
    sector: str | None,
    township_needs: dict[str, int | None],
) -> list[SharedTownshipGap]:
    # As gaps.queries._ranking: a township's reach is the most any one sector reached, against
    # its all-sector need (one sector: the row's need). A maximum is known only when every
    # sector's figure is published.
    best: dict[str, SharedGapRow] = {}
    for row in rows:
        need = row.need if sector else township_needs.get(row.pcode)
        if need is None or need == 0:
            continue
        held = best.get(row.pcode)
        if held is None or (row.people_reached or 0) > (held.people_reached or 0):
            best[row.pcode] = row
    ranking = []
    for pcode, row in best.items():
        cells = [reached.cell(pcode, s) for s in ([sector] if sector else sectors)]
        need = row.need if sector else township_needs.get(pcode)
        if any(value is None for value in cells) or need is None:
            continue
        most = max(v for v in cells if v is not None)
        ranking.append(
            SharedTownshipGap(
                pcode=pcode,
                township=row.township,
                township_my=row.township_my,
                need=need,
                people_reached=most,
                coverage=coverage_ratio(most, need) or 0.0,
            )
        )
    ranking.sort(key=lambda t: (t.coverage, -t.need, t.pcode))
    return ranking
