"""Reads of the gazetteer.

Admin units and their names are public reference data (MIMU), the same for every user, so
these reads take no user. The review queue is only shown to people who may work it; the
callers (CLI operator, signed-in coordinators) decide that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from corridor.core.errors import InvalidInput
from corridor.geo.models import AdminUnit, PlaceReview, ReviewStatus
from corridor.geo.resolver import Resolution, get_resolver

LIST_FIELDS = ["pcode", "level", "parent", "name_en", "name_my", "centroid_lon", "centroid_lat"]


def admin_unit_get(pcode: str) -> AdminUnit:
    unit = AdminUnit.objects.select_related("parent").filter(pcode=pcode.strip().upper()).first()
    if unit is None:
        raise InvalidInput(f"unknown p-code {pcode!r}")
    return unit


def admin_units_within(
    *, level: int | None = None, parent: str | None = None
) -> QuerySet[AdminUnit]:
    """Units of a level and/or inside a parent (a p-code or a name the resolver settles)."""
    units = AdminUnit.objects.only(*LIST_FIELDS).order_by("pcode")
    if level is not None:
        units = units.filter(level=level)
    if parent:
        code = parent.strip().upper()
        if not AdminUnit.objects.filter(pcode=code).exists():
            resolver = get_resolver()
            found = resolver.resolve(parent, level=1)
            if not found.accepted:
                found = resolver.resolve(parent, level=2)
            if not found.accepted:
                raise InvalidInput(f"parent {parent!r} is not one state or district")
            code = found.pcode or ""
        # p-codes nest: a township's code starts with its state's; districts are explicit.
        if len(code) == 6:
            units = units.filter(pcode__startswith=code).exclude(pcode=code)
        else:
            units = units.filter(parent_id=code)
    return units


def place_reviews(*, status: str = ReviewStatus.OPEN) -> QuerySet[PlaceReview]:
    reviews = PlaceReview.objects.order_by("created_at")
    if status != "all":
        reviews = reviews.filter(status=status)
    return reviews


def place_review_find(review_id: str) -> PlaceReview:
    """A review by its id or an unambiguous prefix of it (8 characters or more)."""
    text = (review_id or "").strip().lower()
    if len(text) < 8:
        raise InvalidInput("give the review id or at least its first 8 characters")
    matches = [r for r in PlaceReview.objects.all() if str(r.id).startswith(text)]
    if not matches:
        raise InvalidInput(f"no review with id {review_id!r}")
    if len(matches) > 1:
        raise InvalidInput(f"review id {review_id!r} is ambiguous; give more characters")
    return matches[0]


@dataclass(frozen=True)
class Suggestions:
    """What the gazetteer offers a person for a name it could not settle."""

    candidates: list[dict[str, Any]]  # pcode, name_en, name_my, level, score (best first)
    note: str  # a retired or split p-code and what it became, or ""
    status: str  # the resolver's: matched (not accepted), ambiguous, not_found


def place_candidates(
    name: str,
    *,
    level: int | None = None,
    parent: str | None = None,
    resolution: Resolution | None = None,
) -> Suggestions:
    """The resolver's candidates for a name, with scores: the suggestions a review shows.

    Every review list calls this (the gazetteer queue, an import's held rows), so a person
    picks among the same candidates wherever the name turns up. ``resolution``: an answer the
    caller already has for the name, to save asking again.
    """
    found = resolution or get_resolver().resolve(name, level=level, parent=parent or None)
    candidates = [
        {
            "pcode": c.pcode,
            "name_en": c.name_en,
            "name_my": c.name_my,
            "level": c.level,
            "score": float(c.score),
        }
        for c in found.candidates
    ]
    return Suggestions(candidates=candidates, note=found.note, status=found.status)
