"""The gazetteer's review queue on the web: place names imports and people could not settle,
each with the resolver's suggestions; a coordinator picks one (which becomes an alias the
next import uses, docs/gazetteer.md), types another p-code, or rejects the name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts import policy
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.geo.models import PlaceReview
from corridor.geo.queries import place_candidates, place_reviews
from corridor.geo.services import place_review_reject, place_review_resolve
from corridor.web.views.common import uuid_or_none

# Open reviews shown at once (oldest first); the CLI lists them all.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Item:
    review: PlaceReview
    suggestions: list[dict[str, Any]]
    note: str


def _item(review: PlaceReview) -> Item:
    if review.candidates or review.note:
        return Item(review, list(review.candidates), review.note)
    # Queued before reviews carried suggestions: ask the resolver now.
    found = place_candidates(review.query, level=review.level, parent=review.parent)
    return Item(review, found.candidates, found.note)


def _may_decide(user: Any) -> bool:
    return policy.is_admin(user) or policy.is_coordinator(user)


@login_required
@require_http_methods(["GET", "POST"])
def place_review_page(request: HttpRequest) -> HttpResponse:
    if not _may_decide(request.user):
        raise PermissionDenied
    if request.method == "POST":
        pk = uuid_or_none(request.POST.get("review"))
        review = place_reviews().filter(pk=pk).first() if pk else None
        try:
            if review is None:
                raise InvalidInput(_("That place name is no longer waiting for review."))
            if request.POST.get("do") == "reject":
                place_review_reject(by=request.user, review_id=review.pk)
                messages.success(
                    request, _("%(name)s rejected: it names no place.") % {"name": review.query}
                )
            else:
                pcode = (request.POST.get("pcode") or request.POST.get("other") or "").strip()
                if not pcode:
                    raise InvalidInput(_("Pick a suggestion or type a p-code."))
                place_review_resolve(by=request.user, review_id=review.pk, pcode=pcode)
                messages.success(
                    request,
                    _("%(name)s is now %(pcode)s; the next import reads it so.")
                    % {"name": review.query, "pcode": pcode.upper()},
                )
        except (InvalidInput, NotAllowed) as exc:
            messages.error(request, str(exc))
        return redirect("web:place_review")
    reviews = place_reviews()
    total = reviews.count()
    items = [_item(review) for review in reviews[:PAGE_SIZE]]
    return render(request, "web/place_review.html", {"items": items, "total": total})
