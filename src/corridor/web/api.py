"""JSON API for what the pages show: dashboard headlines, trends and map values, township and
organisation summaries.

Headlines, township and organisation summaries are the signed-in pages as data: they call the
function their page calls (web/queries/dashboard.py, web/queries/places.py) with the signed-in
user, scoped the same way, and are internal outputs. Trends and map values are made to be
passed on, like the CSV downloads beside the charts: they give what those downloads give
(``shared_trends``, ``shared_map_values``: months up to the publication cutoff, counts through
the disclosure gate, null for a suppressed figure). Filters take the page's names and forms; a
filter the page would ignore is refused here with a 400.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from corridor.accounts import policy
from corridor.disclosure import (
    internal_output,
    publication_cutoff,
    shared_output,
    suppressed_legend,
)
from corridor.gaps.api import GapRowOut
from corridor.web.forms import FilterForm
from corridor.web.queries import dashboard
from corridor.web.queries.dashboard import Filters
from corridor.web.queries.places import organisation_summary, township_get, township_summary
from corridor.web.views.common import filters_for

router = Router(tags=["pages"], auth=django_auth)


class FilterIn(Schema):
    start: str | None = None  # YYYY-MM
    end: str | None = None  # YYYY-MM
    state: str | None = None  # a state/region p-code
    sector: str | None = None


class FiltersOut(Schema):
    start: str
    end: str
    state: str | None
    sector: str | None


class HeadlineOut(Schema):
    key: str
    label: str
    value: int | None
    source: str
    as_of: dt.date | None
    period: str  # the period the figure covers, as the card says it
    before_period: bool  # the figure is dated before the period asked for


class HeadlinesOut(Schema):
    filters: FiltersOut
    headlines: list[HeadlineOut]


class PointOut(Schema):
    month: str
    value: int | None  # null: suppressed (see legend)


class SeriesOut(Schema):
    key: str
    title: str
    points: list[PointOut]


class TrendsOut(Schema):
    filters: FiltersOut
    cutoff: dt.date
    legend: str
    series: list[SeriesOut]


class MapValueOut(Schema):
    pcode: str
    township: str
    township_my: str
    value: float | None  # null: suppressed (see legend)


class MapOut(Schema):
    filters: FiltersOut
    layer: str
    cutoff: dt.date
    legend: str
    townships: list[MapValueOut]


class TownshipFigureOut(Schema):
    id: uuid.UUID
    as_of: dt.date
    idps: int | None  # null on a sector's need figure
    people_in_need: int | None
    refugees: int | None
    sector: str  # "" for all sectors
    valid_from: dt.date | None
    valid_to: dt.date | None
    source_title: str
    source_publisher: str


class TownshipIncidentOut(Schema):
    id: uuid.UUID
    occurred_on: dt.date
    incident_type: str
    fatalities: int
    injuries: int
    detained: int


class PresenceOut(Schema):
    organisation_id: uuid.UUID
    label: str
    people_reached: int
    planned: int
    reports: int
    last_month: dt.date | None


class TownshipSummaryOut(Schema):
    pcode: str
    township: str
    township_my: str
    state_pcode: str | None
    state: str | None
    month: str
    gaps: list[GapRowOut]
    figures: list[TownshipFigureOut]
    incidents: list[TownshipIncidentOut]
    present: list[PresenceOut]
    hidden_organisations: int


class ActivityRowOut(Schema):
    id: uuid.UUID
    reporting_month: dt.date | None
    pcode: str
    township: str
    sector: str
    status: str
    people_reached: int  # 0 unless ongoing or completed
    people_planned: int


class TransferRowOut(Schema):
    sent_on: dt.date
    from_organisation: str
    to_organisation: str
    amount: str
    currency: str
    status: str


class OrganisationSummaryOut(Schema):
    id: uuid.UUID
    name: str
    name_my: str
    kind: str
    visibility: str
    people_reached: int
    planned: int
    reports: int
    townships: int
    activities: list[ActivityRowOut]
    transfers: list[TransferRowOut]


def _filters(request: HttpRequest, params: FilterIn, layer: str | None = None) -> Filters:
    values = {k: v for k, v in params.dict().items() if v}
    if layer:
        values["map"] = layer
    form = FilterForm(values)
    if not form.is_valid():
        reasons = "; ".join(
            f"{'layer' if name == 'map' else name}: {' '.join(str(e) for e in errs)}"
            for name, errs in form.errors.items()
        )
        raise HttpError(400, reasons)
    filters, _layer = filters_for(request.user, form)
    return filters


def _filters_out(filters: Filters) -> dict[str, Any]:
    return {
        "start": filters.start.strftime("%Y-%m"),
        "end": filters.end.strftime("%Y-%m"),
        "state": filters.state,
        "sector": filters.sector,
    }


@router.get("/headlines", response=HeadlinesOut, summary="Dashboard headline figures")
@internal_output(
    "api.web.headlines",
    role=policy.VIEW,
    what="GET /api/web/headlines: the dashboard's headline figures as the signed-in page "
    "shows them, each with its source and date",
)
def headlines(request: HttpRequest, params: Query[FilterIn]) -> dict:
    """IDPs, incidents, people reached and organisations active, each with source and date."""
    filters = _filters(request, params)
    return {
        "filters": _filters_out(filters),
        "headlines": dashboard.headlines(request.user, filters),
    }


@router.get("/trends", response=TrendsOut, summary="Dashboard trend series by month, to share")
@shared_output(
    "api.web.trends",
    what="GET /api/web/trends: the dashboard's three series by month as JSON, the same as "
    "their CSV downloads",
)
def trends(request: HttpRequest, params: Query[FilterIn]) -> dict:
    filters = _filters(request, params)
    today = timezone.localdate()
    return {
        "filters": _filters_out(filters),
        "cutoff": publication_cutoff(today),
        "legend": suppressed_legend(),
        "series": [
            {
                "key": s.key,
                "title": s.title,
                "points": [{"month": m.strftime("%Y-%m"), "value": v} for m, v in s.points],
            }
            for s in dashboard.shared_trends(request.user, filters, today)
        ],
    }


@router.get("/map", response=MapOut, summary="Map values per township for one layer, to share")
@shared_output(
    "api.web.map_values",
    what="GET /api/web/map: one map layer's value per township as JSON, the same as the map's "
    "CSV download",
)
def map_values(request: HttpRequest, params: Query[FilterIn], layer: str = "idps") -> dict:
    """Layers: idps (latest figure), incidents (count in the period), coverage (last month),
    up to the publication cutoff; null where suppressed."""
    shared = dashboard.shared_map(
        request.user, _filters(request, params, layer), layer, timezone.localdate()
    )
    return {
        "filters": _filters_out(shared.filters),
        "layer": shared.layer,
        "cutoff": shared.cutoff,
        "legend": suppressed_legend(),
        "townships": shared.rows,
    }


@router.get("/townships/{pcode}", response=TownshipSummaryOut, summary="A township's page as data")
@internal_output(
    "api.web.township",
    role=policy.VIEW,
    what="GET /api/web/townships/{pcode}: the township page as data (gaps, figures, incidents, "
    "who is present), each record as the policy lets the signed-in person view it",
)
def township(request: HttpRequest, pcode: str, month: str | None = None) -> dict:
    """Gaps of one month (default: the latest reported here), figures, incidents, who is
    present (and how many more organisations work there unnamed)."""
    unit = township_get(pcode)
    if unit is None:
        raise HttpError(404, f"no township {pcode!r}")
    summary = township_summary(request.user, unit, month)
    state = unit.parent.parent if unit.parent else None
    return {
        "pcode": unit.pcode,
        "township": unit.name_en,
        "township_my": unit.name_my,
        "state_pcode": state.pcode if state else None,
        "state": state.name_en if state else None,
        "month": summary.gaps.month.strftime("%Y-%m"),
        "gaps": summary.gaps.rows,
        "figures": [
            {
                "id": f.pk,
                "as_of": f.as_of,
                "idps": f.idps,
                "people_in_need": f.people_in_need,
                "refugees": f.refugees,
                "sector": f.sector,
                "valid_from": f.valid_from,
                "valid_to": f.valid_to,
                "source_title": f.source.title,
                "source_publisher": f.source.publisher,
            }
            for f in summary.figures
        ],
        "incidents": summary.incidents,
        "present": summary.present,
        "hidden_organisations": summary.hidden,
    }


@router.get(
    "/organisations/{pk}", response=OrganisationSummaryOut, summary="An organisation's page as data"
)
@internal_output(
    "api.web.organisation",
    role=policy.VIEW,
    what="GET /api/web/organisations/{pk}: the organisation page as data (activities, "
    "transfers) for people who may view the organisation",
)
def organisation(request: HttpRequest, pk: uuid.UUID) -> dict:
    """Its activities (latest 100), people reached and transfers (latest 50) you may see."""
    summary = organisation_summary(request.user, pk)
    if summary is None:
        raise HttpError(404, "no such organisation")
    org = summary.organisation
    return {
        "id": org.pk,
        "name": org.name,
        "name_my": org.name_my,
        "kind": org.kind,
        "visibility": org.visibility,
        "people_reached": summary.people_reached,
        "planned": summary.planned,
        "reports": summary.reports,
        "townships": summary.townships,
        "activities": [
            {
                "id": a.pk,
                "reporting_month": a.reporting_month,
                "pcode": a.admin_unit_id,
                "township": a.admin_unit.name_en,
                "sector": a.sector,
                "status": a.status,
                "people_reached": a.people_reached,
                "people_planned": a.people_planned,
            }
            for a in summary.activities
        ],
        "transfers": [
            {
                "sent_on": t.sent_on,
                "from_organisation": str(t.from_organisation),
                "to_organisation": str(t.to_organisation),
                "amount": str(t.amount),
                "currency": t.currency,
                "status": t.status,
            }
            for t in summary.transfers
        ],
    }
