"""The sync page (docs/sync.md): this instance, its peers with their last bundles in and out,
the changes not yet acknowledged and the conflicts to review; a conflict's page shows the
version kept beside the one that lost and lets an administrator keep one (decision 0296)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from corridor.accounts import policy
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.disclosure.outputs import internal_output
from corridor.sync.models import Resolution
from corridor.sync.queries import conflict_found, conflict_sides, conflicts_open, sync_status
from corridor.sync.services.conflicts import conflict_resolve

# Where each synced kind's record page is.
RECORD_PAGES = {
    "aid.activity": "web:activity",
    "situation.incident": "web:incident",
    "situation.displacementfigure": "web:figure",
    "funds.transfer": "web:transfer",
    "funds.grant": "web:grant",
}


def _require_admin(request: HttpRequest) -> None:
    # The sync state is for the network's administrators only (sync/access.py).
    if not policy.is_admin(request.user):
        raise PermissionDenied


def _record_url(kind: str, record_id: Any) -> str:
    name = RECORD_PAGES.get(kind)
    if name is None:
        return ""
    try:
        return reverse(name, args=[record_id])
    except NoReverseMatch:
        return ""


@internal_output(
    "web.sync_page",
    role=policy.ADMINISTER,
    what="this instance's peers, bundle numbers and times, counts of pending changes and the "
    "list of conflicts (kinds and ids, no record values); administrators only",
)
@login_required
@require_GET
def sync_page(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    status = sync_status()
    conflicts = [
        {"conflict": c, "record_url": _record_url(c.kind, c.record_id)} for c in conflicts_open()
    ]
    return render(request, "web/sync.html", {"status": status, "conflicts": conflicts})


@internal_output(
    "web.sync_conflict_page",
    role=policy.ADMINISTER,
    what="one conflicted record's fields as kept beside the version that lost, protected "
    "values included (an administrator may see them); administrators only",
)
@login_required
@require_http_methods(["GET", "POST"])
def sync_conflict_page(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    _require_admin(request)
    conflict = conflict_found(pk)
    if conflict is None:
        raise Http404
    if request.method == "POST":
        take = request.POST.get("take", "")
        try:
            conflict_resolve(by=request.user, conflict_id=conflict.pk, take=take)
        except (InvalidInput, NotAllowed) as exc:
            messages.error(request, str(exc))
            return redirect("web:sync_conflict", pk=conflict.pk)
        if take == Resolution.TOOK_LOST:
            messages.success(
                request,
                _("The version that lost is now the record's; it travels to every peer."),
            )
        else:
            messages.success(request, _("The version that won stays; the conflict is settled."))
        return redirect("web:sync")
    row, sides = conflict_sides(conflict)
    return render(
        request,
        "web/sync_conflict.html",
        {
            "conflict": conflict,
            "row": row,
            "sides": sides,
            "record_url": _record_url(conflict.kind, conflict.record_id) if row else "",
        },
    )
