"""JSON API for the gap table as it may be shared (gaps/shared.py, like /gaps.csv and
`corridor gaps`). ``GapRowOut`` is the unsuppressed row the township page's data shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, get_type_hints

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import create_model

from corridor.aid.queries import reach_visible_to
from corridor.disclosure import shared_output, suppressed_legend
from corridor.gaps.queries import GapInputError, GapRow
from corridor.gaps.shared import SharedGapRow, shared_gap_table
from corridor.situation.queries import figures_visible_to

router = Router(tags=["gaps"], auth=django_auth)


def _schema_of(
    name: str, row: type, *, leave_out: tuple[str, ...] = (), add: tuple[str, ...] = ()
) -> type[Schema]:
    """The response schema of a gap row: the fields of its dataclass (``GapRow``,
    ``SharedGapRow``), in their order, so a row's columns are written in one place
    (issue 16); ``add`` names properties to send too."""
    hints = get_type_hints(row)
    fields: dict[str, Any] = {
        f.name: (hints[f.name], ...) for f in dataclasses.fields(row) if f.name not in leave_out
    }
    for prop in add:
        fields[prop] = (get_type_hints(getattr(row, prop).fget)["return"], ...)
    return create_model(name, __base__=Schema, **fields)


#: The unsuppressed row (the township page's data): planned people are never in
#: people_reached; need_basis is "sector", "all_sectors" or "idps".
GapRowOut = _schema_of("GapRowOut", GapRow, leave_out=("figure_source_id",), add=("need_period",))
#: A row as it may be shared: ``suppressed`` names the fields that are hidden (null), not
#: unknown; need_period is the need figure's month, or its validity period in months.
SharedGapRowOut = _schema_of("SharedGapRowOut", SharedGapRow)


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
