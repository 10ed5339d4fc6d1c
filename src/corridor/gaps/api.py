"""JSON API for the gap table: the same computation as the page and `corridor gaps`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from corridor.aid.queries import activities_visible_to
from corridor.gaps.queries import GapInputError, gap_table
from corridor.situation.queries import figures_visible_to

router = Router(tags=["gaps"], auth=django_auth)


class GapRowOut(Schema):
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


class TownshipGapOut(Schema):
    pcode: str
    township: str
    township_my: str
    need: int
    people_reached: int
    organisations: int
    coverage: float


class GapTableOut(Schema):
    month: str
    sector: str | None
    state: str | None
    rows: list[GapRowOut]
    ranking: list[TownshipGapOut]


@router.get("/", response=GapTableOut, summary="Gap table for one month")
def gaps(request: Any, month: str, sector: str | None = None, state: str | None = None) -> dict:
    """Need against people reached per township and sector, worst-covered first."""
    try:
        table = gap_table(
            month,
            activities=activities_visible_to(request.user),
            figures=figures_visible_to(request.user),
            sector=sector or None,
            state=state or None,
        )
    except GapInputError as exc:
        raise HttpError(400, str(exc)) from None
    return {
        "month": table.month.strftime("%Y-%m"),
        "sector": table.sector,
        "state": table.state,
        "rows": table.rows,
        "ranking": table.ranking,
    }
