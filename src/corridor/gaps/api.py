"""JSON API for the gap table as it may be shared (gaps/shared.py, like /gaps.csv and
`corridor gaps`). ``GapRowOut`` is the unsuppressed row the township page's data shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from corridor.aid.queries import reach_visible_to
from corridor.disclosure import shared_output, suppressed_legend
from corridor.gaps.queries import GapInputError
from corridor.gaps.shared import shared_gap_table
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
    planned: int  # people planned rows mean to reach; not in people_reached
    need_basis: str | None  # "sector", "all_sectors" or "idps"
    need_source: str | None
    need_as_of: dt.date | None
    need_valid_from: dt.date | None
    need_valid_to: dt.date | None
    need_period: str


class SharedGapRowOut(Schema):
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
    planned: int | None  # people planned rows mean to reach; never in people_reached
    need_basis: str | None  # "sector", "all_sectors" or "idps"
    need_period: str  # the need figure's month, or its validity period in months
    suppressed: list[str]  # the fields above that are hidden (null), not unknown


class SharedTownshipGapOut(Schema):
    pcode: str
    township: str
    township_my: str
    need: int
    people_reached: int
    coverage: float


class SharedGapTableOut(Schema):
    month: str
    sector: str | None
    state: str | None
    cutoff: dt.date
    k: int
    legend: str
    rows: list[SharedGapRowOut]
    ranking: list[SharedTownshipGapOut]


@router.get("/", response=SharedGapTableOut, summary="Gap table for one month, to share")
@shared_output(
    "api.gaps.gaps",
    what="GET /api/gaps/: the gap table of one month (township × sector) as JSON, over what "
    "the signed-in person may see",
)
def gaps(request: Any, month: str, sector: str | None = None, state: str | None = None) -> dict:
    """Need against people reached per township and sector, worst-covered first.

    Made to be passed on: counts below k and the figures that would give them away are null
    and named in each row's ``suppressed``; months after the publication cutoff are refused.
    """
    try:
        table = shared_gap_table(
            month,
            today=timezone.localdate(),
            reach_rows=reach_visible_to(request.user),
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
        "cutoff": table.cutoff,
        "k": table.k,
        "legend": suppressed_legend(table.k),
        "rows": table.rows,
        "ranking": table.ranking,
    }
