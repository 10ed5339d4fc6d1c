"""Writes to the gazetteer: loading the shipped MIMU admin units, aliases and the review queue."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from corridor.audit.services import Action, audit_record, audited_create, audited_update
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.geo.models import AdminUnit, AliasKind, PlaceAlias, PlaceReview, ReviewStatus
from corridor.geo.names import name_key
from corridor.geo.queries import place_candidates
from corridor.geo.resolver import Resolution, invalidate_resolver

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_CSV = DATA_DIR / "admin_units.csv"
BOUNDARY_FILES = [DATA_DIR / "adm1.geojson", DATA_DIR / "adm3.geojson"]


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def _boundaries() -> dict[str, dict[str, Any]]:
    shapes: dict[str, dict[str, Any]] = {}
    for path in BOUNDARY_FILES:
        with path.open(encoding="utf-8") as handle:
            for feature in json.load(handle)["features"]:
                shapes[feature["properties"]["pcode"]] = feature["geometry"]
    return shapes


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


def read_units(path: Path = UNITS_CSV) -> list[AdminUnit]:
    """Admin units from the shipped CSV, parents before children."""
    shapes = _boundaries()
    units = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            units.append(
                AdminUnit(
                    pcode=row["pcode"],
                    level=int(row["level"]),
                    parent_id=row["parent_pcode"] or None,
                    name_en=row["name_en"],
                    name_my=row["name_my"],
                    centroid_lon=_float_or_none(row["centroid_lon"]),
                    centroid_lat=_float_or_none(row["centroid_lat"]),
                    boundary=shapes.get(row["pcode"]),
                )
            )
    units.sort(key=lambda unit: (unit.level, unit.pcode))
    return units


@transaction.atomic
def admin_units_load(
    *, by: Any = None, progress: Callable[[int, int], None] | None = None
) -> LoadResult:
    """Insert or update every shipped admin unit; running it twice changes nothing."""
    units = read_units()
    existing = set(AdminUnit.objects.values_list("pcode", flat=True))
    fields = ["level", "parent", "name_en", "name_my", "centroid_lon", "centroid_lat", "boundary"]
    for level in (1, 2, 3):
        batch = [unit for unit in units if unit.level == level]
        AdminUnit.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["pcode"], update_fields=fields
        )
        if progress:
            progress(level, 3)
    created = sum(1 for unit in units if unit.pcode not in existing)
    result = LoadResult(created=created, updated=len(units) - created)
    audit_record(
        by=by,
        action=Action.IMPORT,
        object_type="geo.adminunit",
        changes={"source": UNITS_CSV.name, "created": result.created, "updated": result.updated},
    )
    return result


def _require_curator(by: Any) -> None:
    """Aliases change how every import reads place names: coordinators and admins only.

    ``by=None`` is the operator at the instance's own command line, who owns the data anyway.
    """
    if by is None:
        return
    if not (getattr(by, "is_coordinator", False) or getattr(by, "is_network_admin", False)):
        raise NotAllowed("only coordinators and administrators may change place aliases")


def _unit(pcode: str) -> AdminUnit:
    code = (pcode or "").strip().upper()
    unit = AdminUnit.objects.filter(pcode=code).first()
    if unit is None:
        raise InvalidInput(f"unknown p-code {pcode!r}")
    return unit


@transaction.atomic
def place_alias_add(
    *, by: Any, alias: str, pcode: str, kind: str = AliasKind.SPELLING, source: str = ""
) -> PlaceAlias:
    """Teach the resolver another name for a unit; adding the same alias twice is a no-op."""
    _require_curator(by)
    text = " ".join((alias or "").split())
    if not text or not name_key(text).full:
        raise InvalidInput("an alias needs at least one letter")
    if kind not in AliasKind.values:
        raise InvalidInput(f"unknown alias kind {kind!r} (one of {', '.join(AliasKind.values)})")
    unit = _unit(pcode)
    existing = PlaceAlias.objects.filter(alias=text, admin_unit=unit).first()
    if existing:
        return existing
    created = audited_create(
        PlaceAlias(alias=text, admin_unit=unit, kind=kind, source=source[:300]), by=by
    )
    transaction.on_commit(invalidate_resolver)
    return created


@transaction.atomic
def place_review_add(
    *,
    by: Any,
    query: str,
    context: str = "",
    level: int | None = None,
    parent: str = "",
    resolution: Resolution | None = None,
) -> PlaceReview:
    """Queue a name the resolver could not settle; an open review of the same name is reused.

    The review carries the resolver's candidates with their scores (its suggestions): those
    of ``resolution`` when the caller has one, else the resolver is asked here.
    """
    text = " ".join((query or "").split())
    if not text:
        raise InvalidInput("a review needs the place name as written")
    if level is not None and level not in (1, 2, 3):
        raise InvalidInput(f"level must be 1, 2 or 3, not {level!r}")
    open_one = PlaceReview.objects.filter(
        query=text, level=level, parent=parent or "", status=ReviewStatus.OPEN
    ).first()
    if open_one:
        return open_one
    suggested = place_candidates(text, level=level, parent=parent, resolution=resolution)
    review = PlaceReview(
        query=text[:200],
        context=(context or "")[:300],
        level=level,
        parent=(parent or "")[:200],
        candidates=suggested.candidates,
        note=suggested.note[:300],
    )
    return audited_create(review, by=by)


def _open_review(review_id: Any) -> PlaceReview:
    review = PlaceReview.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise InvalidInput(f"no review {review_id}")
    if review.status != ReviewStatus.OPEN:
        raise InvalidInput(f"review {review_id} is already {review.status}")
    return review


@transaction.atomic
def place_review_resolve(*, by: Any, review_id: Any, pcode: str) -> PlaceReview:
    """A person's decision: the name means this unit, and from now on resolves to it."""
    _require_curator(by)
    review = _open_review(review_id)
    unit = _unit(pcode)
    if review.level and unit.level != review.level:
        raise InvalidInput(
            f"{unit.pcode} is a level {unit.level} unit; the review asks for level {review.level}"
        )
    audited_update(
        review,
        by=by,
        status=ReviewStatus.RESOLVED,
        chosen=unit,
        decided_by=by,
        decided_at=timezone.now(),
    )
    place_alias_add(
        by=by,
        alias=review.query,
        pcode=unit.pcode,
        kind=AliasKind.REVIEW,
        source=f"review {review.pk}" + (f" ({review.context})" if review.context else ""),
    )
    return review


@transaction.atomic
def place_review_reject(*, by: Any, review_id: Any) -> PlaceReview:
    """The name names no admin unit (or cannot be told); nothing is learned from it."""
    _require_curator(by)
    review = _open_review(review_id)
    return audited_update(
        review, by=by, status=ReviewStatus.REJECTED, decided_by=by, decided_at=timezone.now()
    )
