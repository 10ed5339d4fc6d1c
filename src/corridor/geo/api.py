"""JSON API of the gazetteer: resolve names, list units, boundaries as GeoJSON.

All of it is public reference data (MIMU codes and names); signing in is still required so
the API is not an open proxy for scrapers on a hub that may be watched.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from corridor.core.errors import InvalidInput
from corridor.geo.models import AdminUnit
from corridor.geo.queries import admin_unit_get, admin_units_within
from corridor.geo.resolver import get_resolver

router = Router(tags=["geo"], auth=django_auth)

MAX_NAMES = 1000
# Boundaries change only with a new MIMU release: browsers may keep them a day, then revalidate.
BOUNDARY_MAX_AGE = 86_400


class CandidateOut(Schema):
    pcode: str
    name_en: str
    name_my: str
    level: int
    score: float


class ResolutionOut(Schema):
    query: str
    status: str
    pcode: str | None
    level: int | None
    method: str | None
    score: float
    accepted: bool
    candidates: list[CandidateOut]
    # A retired, split or doubled p-code and what it became, or a larger area (gazetteer.md).
    note: str = ""


class ResolveIn(Schema):
    names: list[str]
    level: int | None = None
    parent: str | None = None


class UnitOut(Schema):
    pcode: str
    level: int
    parent: str | None
    name_en: str
    name_my: str
    centroid_lon: float | None
    centroid_lat: float | None


class UnitDetailOut(UnitOut):
    children: list[str]
    has_boundary: bool


class ListFilter(Schema):
    level: int | None = None
    parent: str | None = None


def admin_unit_field(pcode: str, field: str = "admin_unit") -> AdminUnit:
    """The unit a payload's p-code names (the schema checked its form); 400 naming the field
    when no unit has it. Every API that takes a township reads it here."""
    unit = AdminUnit.objects.filter(pcode=pcode).first()
    if unit is None:
        raise HttpError(400, f"{field}: unknown p-code {pcode!r}")
    return unit


def _check_level(level: int | None) -> None:
    if level is not None and level not in (1, 2, 3):
        raise HttpError(400, "level must be 1, 2 or 3")


def _unit_out(unit: AdminUnit) -> dict[str, Any]:
    return {
        "pcode": unit.pcode,
        "level": unit.level,
        "parent": unit.parent_id,
        "name_en": unit.name_en,
        "name_my": unit.name_my,
        "centroid_lon": unit.centroid_lon,
        "centroid_lat": unit.centroid_lat,
    }


@router.get("/resolve", response=ResolutionOut, summary="Resolve one place name")
def resolve(
    request: HttpRequest, name: str, level: int | None = None, parent: str | None = None
) -> dict[str, Any]:
    """Match a name as written to a p-code; fuzzy matches below the threshold (90) are not
    ``accepted`` and belong in the review queue (docs/gazetteer.md)."""
    _check_level(level)
    return get_resolver().resolve(name, level=level, parent=parent).as_dict()


@router.post("/resolve", response=list[ResolutionOut], summary="Resolve many place names")
def resolve_many(request: HttpRequest, payload: ResolveIn) -> list[dict[str, Any]]:
    _check_level(payload.level)
    if len(payload.names) > MAX_NAMES:
        raise HttpError(400, f"at most {MAX_NAMES} names per request")
    resolver = get_resolver()
    return [
        resolver.resolve(name, level=payload.level, parent=payload.parent).as_dict()
        for name in payload.names
    ]


@router.get("/units", response=list[UnitOut], summary="Admin units")
def units(request: HttpRequest, filters: Query[ListFilter]) -> list[dict[str, Any]]:
    _check_level(filters.level)
    try:
        found = admin_units_within(level=filters.level, parent=filters.parent)
    except InvalidInput as exc:
        raise HttpError(400, str(exc)) from exc
    return [_unit_out(unit) for unit in found]


@router.get("/units/{pcode}", response=UnitDetailOut, summary="One admin unit")
def unit_detail(request: HttpRequest, pcode: str) -> dict[str, Any]:
    try:
        unit = admin_unit_get(pcode)
    except InvalidInput as exc:
        raise HttpError(404, str(exc)) from exc
    data = _unit_out(unit)
    data["children"] = list(unit.children.order_by("pcode").values_list("pcode", flat=True))
    data["has_boundary"] = unit.boundary is not None
    return data


_geojson_cache: dict[tuple[Any, ...], tuple[bytes, str]] = {}


def _feature_collection(level: int, parent: str | None) -> tuple[bytes, str]:
    found = admin_units_within(level=level, parent=parent).filter(boundary__isnull=False)
    stamp = (level, parent, AdminUnit.objects.count())
    cached = _geojson_cache.get(stamp)
    if cached:
        return cached
    features = [
        {
            "type": "Feature",
            "id": unit.pcode,
            "properties": {
                "pcode": unit.pcode,
                "level": unit.level,
                "name_en": unit.name_en,
                "name_my": unit.name_my,
            },
            "geometry": unit.boundary,
        }
        for unit in found.defer(None)
    ]
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if len(_geojson_cache) > 64:
        _geojson_cache.clear()
    _geojson_cache[stamp] = (body, etag)
    return body, etag


@router.get("/boundaries", summary="Boundaries as GeoJSON", response={200: Any, 304: None})
def boundaries(request: HttpRequest, level: int = 1, parent: str | None = None) -> HttpResponse:
    """Simplified polygons (about 110 m tolerance, WGS84) of states (level 1) or townships
    (level 3); districts have none. Cacheable: ETag and Cache-Control."""
    if level not in (1, 3):
        raise HttpError(400, "boundaries exist for level 1 (states/regions) and 3 (townships)")
    try:
        body, etag = _feature_collection(level, parent)
    except InvalidInput as exc:
        raise HttpError(400, str(exc)) from exc
    headers = {"ETag": etag, "Cache-Control": f"private, max-age={BOUNDARY_MAX_AGE}"}
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    for name, value in headers.items():
        response[name] = value
    return response
