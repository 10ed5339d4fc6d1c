"""JSON API for situation data: sources, displacement figures and incidents.

Shared reading for every member of any organisation (``*_visible_to``); writes go through
situation.services, which ask the access policy. An incident's exact coordinates appear only
in its detail, only for those allowed to see them, and each such view is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import AnyHttpUrl

from corridor.accounts import policy
from corridor.core.coordinates import LATITUDE_RANGE, LONGITUDE_RANGE
from corridor.core.schema import (
    REMOVAL,
    Limit,
    Line,
    Offset,
    Pcode,
    People,
    Text,
    Title,
    not_null,
    page_of,
    reason_given,
)
from corridor.core.sectors import Sector
from corridor.geo.api import admin_unit_field
from corridor.orgs.queries import organisations_visible_to
from corridor.situation import services
from corridor.situation.models import (
    DisplacementFigure,
    GeoPrecision,
    Incident,
    IncidentType,
    Reliability,
    Source,
    Verification,
)
from corridor.situation.queries import (
    figures_visible_to,
    incidents_visible_to,
    sources_visible_to,
)

router = Router(tags=["situation"], auth=django_auth)


# --- Shared pieces ------------------------------------------------------------------------------


def _reporting_organisation(request: Any, pk: UUID) -> Any:
    organisation = organisations_visible_to(request.user).filter(pk=pk).first()
    if organisation is None:
        raise HttpError(400, "reporting_organisation: unknown organisation")
    return organisation


def _source(request: Any, pk: UUID, field: str = "source") -> Source:
    source = sources_visible_to(request.user).filter(pk=pk).first()
    if source is None:
        raise HttpError(400, f"{field}: unknown source {pk}")
    return source


def _reporter_shown(request: Any, organisation_id: UUID | None) -> UUID | None:
    # Naming the reporter could expose an anonymous organisation: only if the caller may see it.
    if organisation_id is None:
        return None
    visible = organisations_visible_to(request.user).filter(pk=organisation_id).exists()
    return organisation_id if visible else None


# --- Sources --------------------------------------------------------------------------------


class SourceOut(Schema):
    id: UUID
    title: str
    publisher: str
    published_on: dt.date | None
    url: str
    reliability: Reliability


class SourcePage(Schema):
    count: int
    items: list[SourceOut]


class SourceChange(Schema):
    title: Title | None = None
    publisher: Line | None = None
    published_on: dt.date | None = None
    url: AnyHttpUrl | None = Field(None, description="Leave out for an offline source.")
    reliability: Reliability | None = None


class SourceIn(SourceChange):
    title: Title


def source_out(source: Source) -> dict[str, Any]:
    return {name: getattr(source, name) for name in SourceOut.model_fields}


def _source_values(payload: Schema) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    not_null(values, ("title", "publisher", "reliability"))
    if "url" in values:
        values["url"] = str(values["url"]) if values["url"] is not None else ""
    return values


@router.get("/sources/", response=SourcePage, summary="Sources")
def source_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = sources_visible_to(request.user).order_by("-published_on", "title", "id")
    return page_of(rows, limit, offset, source_out)


@router.get("/sources/{pk}/", response=SourceOut, summary="One source")
def source_detail(request: Any, pk: UUID) -> dict:
    return source_out(get_object_or_404(sources_visible_to(request.user), pk=pk))


@router.post("/sources/", response={201: SourceOut}, summary="Add a source")
def source_create(request: Any, payload: SourceIn) -> Status:
    return Status(
        201, source_out(services.source_record(by=request.user, **_source_values(payload)))
    )


@router.patch("/sources/{pk}/", response=SourceOut, summary="Correct a source")
def source_change(request: Any, pk: UUID, payload: SourceChange) -> dict:
    source = get_object_or_404(sources_visible_to(request.user), pk=pk)
    return source_out(
        services.source_update(by=request.user, source=source, **_source_values(payload))
    )


@router.delete("/sources/{pk}/", response={204: None}, summary="Delete an uncited source")
def source_remove(request: Any, pk: UUID) -> Status:
    source = get_object_or_404(sources_visible_to(request.user), pk=pk)
    services.source_delete(by=request.user, source=source)
    return Status(204, None)


# --- Displacement figures -------------------------------------------------------------------


class FigureOut(Schema):
    id: UUID
    admin_unit: str
    as_of: dt.date
    idps: int | None  # null only on a sector's need figure
    refugees: int | None
    people_in_need: int | None
    sector: str  # "" for all sectors
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: UUID
    notes: str
    reporting_organisation: UUID | None


class FigurePage(Schema):
    count: int
    items: list[FigureOut]


class FigureChange(Schema):
    admin_unit: Pcode | None = Field(None, description="Admin unit p-code.")
    as_of: dt.date | None = None
    idps: People | None = None
    refugees: People | None = None
    people_in_need: People | None = None
    sector: str | None = Field(
        None,
        pattern=f"^({'|'.join(Sector.values)})?$",
        description="Sector of the people in need (a sector code); empty: all sectors.",
    )
    valid_from: dt.date | None = Field(None, description="People in need count from this day.")
    valid_to: dt.date | None = Field(None, description="… up to this day.")
    source: UUID | None = None
    notes: Text | None = None
    confirm: bool = Field(
        False,
        description="Save even though the IDPs or refugees jump far above the township's "
        "last figure (a 400 said so first).",
    )


class FigureIn(FigureChange):
    reporting_organisation: UUID
    admin_unit: Pcode = Field(description="Admin unit p-code.")
    as_of: dt.date
    idps: People | None = Field(None, description="Required unless a sector is given.")
    source: UUID


def figure_out(request: Any, figure: DisplacementFigure) -> dict[str, Any]:
    return {
        **{name: getattr(figure, name) for name in FigureOut.model_fields},
        "admin_unit": figure.admin_unit_id,
        "source": figure.source_id,
        "reporting_organisation": _reporter_shown(request, figure.reporting_organisation_id),
    }


def _figure_values(request: Any, payload: Schema) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    values.pop("reporting_organisation", None)
    not_null(values, ("admin_unit", "as_of", "source", "notes", "sector"))
    if "admin_unit" in values:
        values["admin_unit"] = admin_unit_field(values["admin_unit"])
    if "source" in values:
        values["source"] = _source(request, values["source"])
    return values


@router.get("/figures/", response=FigurePage, summary="Displacement figures")
def figure_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = figures_visible_to(request.user).order_by("-as_of", "admin_unit_id", "id")
    return page_of(rows, limit, offset, lambda f: figure_out(request, f))


@router.get("/figures/{pk}/", response=FigureOut, summary="One displacement figure")
def figure_detail(request: Any, pk: UUID) -> dict:
    return figure_out(request, get_object_or_404(figures_visible_to(request.user), pk=pk))


@router.post("/figures/", response={201: FigureOut}, summary="Record a displacement figure")
def figure_create(request: Any, payload: FigureIn) -> Status:
    figure = services.figure_record(
        by=request.user,
        reporting_organisation=_reporting_organisation(request, payload.reporting_organisation),
        **_figure_values(request, payload),
    )
    return Status(201, figure_out(request, figure))


@router.patch("/figures/{pk}/", response=FigureOut, summary="Correct a displacement figure")
def figure_change(request: Any, pk: UUID, payload: FigureChange) -> dict:
    figure = get_object_or_404(figures_visible_to(request.user), pk=pk)
    figure = services.figure_update(
        by=request.user, figure=figure, **_figure_values(request, payload)
    )
    return figure_out(request, figure)


@router.delete(
    "/figures/{pk}/",
    response={204: None},
    summary="Remove a displacement figure, with a reason",
    description=REMOVAL,
)
def figure_remove(request: Any, pk: UUID, reason: str = "") -> Status:
    figure = get_object_or_404(figures_visible_to(request.user), pk=pk)
    services.figure_remove(by=request.user, figure=figure, reason=reason_given(request, reason))
    return Status(204, None)


# --- Incidents ------------------------------------------------------------------------------


class IncidentOut(Schema):
    id: UUID
    occurred_on: dt.date
    incident_type: IncidentType
    admin_unit: str
    fatalities: int
    injuries: int
    detained: int
    description: str
    sub_event_type: str
    geo_precision: GeoPrecision | None
    verification: Verification
    sources: list[UUID]
    reporting_organisation: UUID | None
    latitude: float | None = Field(
        None, description="Only in one incident's detail, for those allowed; audited."
    )
    longitude: float | None = None


class IncidentPage(Schema):
    count: int
    items: list[IncidentOut]


_SITE = "Exact site; protected (encrypted, audited)."
Latitude = Field(None, ge=LATITUDE_RANGE[0], le=LATITUDE_RANGE[1], description=_SITE)
Longitude = Field(None, ge=LONGITUDE_RANGE[0], le=LONGITUDE_RANGE[1], description=_SITE)


class IncidentChange(Schema):
    occurred_on: dt.date | None = None
    incident_type: IncidentType | None = None
    admin_unit: Pcode | None = Field(None, description="Township p-code.")
    latitude: float | None = Latitude
    longitude: float | None = Longitude
    fatalities: People | None = None
    injuries: People | None = None
    detained: People | None = None
    description: Text | None = None
    sub_event_type: str | None = Field(
        None, max_length=64, description="The source's own finer type (e.g. ACLED's)."
    )
    geo_precision: GeoPrecision | None = Field(
        None, description="1 town known, 2 near a town, 3 only part of the region (ACLED)."
    )
    sources: list[UUID] | None = Field(None, max_length=50)
    verification: Verification | None = Field(
        None,
        description="unverified (the default), corroborated, verified or disputed.",
    )


class IncidentIn(IncidentChange):
    reporting_organisation: UUID
    occurred_on: dt.date
    incident_type: IncidentType
    admin_unit: Pcode = Field(description="Township p-code.")


# Filled below: sources from the relation; the site only after the policy allowed it.
_LATER = {"sources", "latitude", "longitude"}


def incident_out(request: Any, incident: Incident, *, detail: bool = False) -> dict[str, Any]:
    out = {
        **{
            name: getattr(incident, name) for name in IncidentOut.model_fields if name not in _LATER
        },
        "admin_unit": incident.admin_unit_id,
        "sources": sorted((s.pk for s in incident.sources.all()), key=str),
        "reporting_organisation": _reporter_shown(request, incident.reporting_organisation_id),
        "latitude": None,
        "longitude": None,
    }
    has_site = incident.latitude is not None
    if detail and has_site and policy.can(request.user, policy.VIEW_PROTECTED, incident):
        out.update(services.incident_protected_view(by=request.user, incident=incident))
    return out


def _incident_values(request: Any, payload: Schema) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    values.pop("reporting_organisation", None)
    not_null(
        values,
        ("occurred_on", "incident_type", "admin_unit", "fatalities", "injuries", "detained"),
    )
    not_null(values, ("description", "sources", "sub_event_type", "verification"))
    if "admin_unit" in values:
        values["admin_unit"] = admin_unit_field(values["admin_unit"])
    if "sources" in values:
        values["sources"] = [_source(request, pk, "sources") for pk in values["sources"]]
    return values


@router.get("/incidents/", response=IncidentPage, summary="Incidents (no exact sites)")
def incident_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = incidents_visible_to(request.user).order_by("-occurred_on", "id")
    rows = rows.prefetch_related("sources")
    return page_of(rows, limit, offset, lambda i: incident_out(request, i))


@router.get("/incidents/{pk}/", response=IncidentOut, summary="One incident")
def incident_detail(request: Any, pk: UUID) -> dict:
    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    return incident_out(request, incident, detail=True)


@router.post("/incidents/", response={201: IncidentOut}, summary="Record an incident")
def incident_create(request: Any, payload: IncidentIn) -> Status:
    incident = services.incident_record(
        by=request.user,
        reporting_organisation=_reporting_organisation(request, payload.reporting_organisation),
        **_incident_values(request, payload),
    )
    return Status(201, incident_out(request, incident))


@router.patch("/incidents/{pk}/", response=IncidentOut, summary="Correct an incident")
def incident_change(request: Any, pk: UUID, payload: IncidentChange) -> dict:
    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    incident = services.incident_update(
        by=request.user, incident=incident, **_incident_values(request, payload)
    )
    return incident_out(request, incident)


@router.delete(
    "/incidents/{pk}/",
    response={204: None},
    summary="Remove an incident, with a reason",
    description=REMOVAL,
)
def incident_remove(request: Any, pk: UUID, reason: str = "") -> Status:
    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    services.incident_remove(
        by=request.user, incident=incident, reason=reason_given(request, reason)
    )
    return Status(204, None)
