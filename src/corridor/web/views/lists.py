"""Lists of incidents and activities with filters that work as plain GET forms."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import policy
from corridor.aid.models import Status
from corridor.aid.queries import activities_visible_to
from corridor.aid.services import activities_set_status
from corridor.situation.queries import incidents_visible_to
from corridor.web.forms import ActivityFilterForm, IncidentFilterForm

PAGE_SIZE = 50


def _page_of(request: Any, rows: Any) -> tuple[Page, str]:
    """The page of ``rows`` the request asks for, and its filters as a query string for the
    other pages' links."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@login_required
def incidents_page(request: Any) -> HttpResponse:
    form = IncidentFilterForm(request.GET or None)
    incidents = form.narrow(incidents_visible_to(request.user).select_related("admin_unit"))
    page, query = _page_of(request, incidents.order_by("-occurred_on", "id"))
    return render(request, "web/incidents.html", {"form": form, "page": page, "query": query})


@login_required
def activities_page(request: Any) -> HttpResponse:
    form = ActivityFilterForm(request.GET or None)
    activities = form.narrow(
        activities_visible_to(request.user).select_related("admin_unit", "organisation")
    )
    page, query = _page_of(request, activities.order_by("-reporting_month", "id"))
    # Rows the person may correct get a box for the bulk status change (asked per row).
    editable = {a.pk for a in policy.allowed(request.user, policy.CHANGE, page)}
    return render(
        request,
        "web/activities.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "editable": editable,
            "statuses": Status.choices,
            "here": request.GET.urlencode(),
        },
    )


@require_POST
@login_required
def activities_status(request: Any) -> HttpResponse:
    """Set the status of the chosen activities, each through the service: checked by the
    policy and audited row by row. Ids the person may not see are ignored, as if unknown."""
    back = reverse("web:activities")
    if request.POST.get("back"):
        back += "?" + request.POST["back"]
    status = request.POST.get("status", "")
    ids = []
    for raw in request.POST.getlist("ids"):
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    if status not in Status.values or not ids:
        messages.error(request, _("Choose activities and a status."))
        return redirect(back)
    chosen = activities_visible_to(request.user).filter(pk__in=ids)
    changed, refused = activities_set_status(by=request.user, activities=chosen, status=status)
    label = dict(Status.choices)[status]
    messages.success(
        request,
        _("Status set to %(status)s on %(n)s activities.") % {"status": label, "n": len(changed)},
    )
    if refused:
        messages.error(
            request,
            _("%(n)s activities were not changed: %(why)s")
            % {"n": len(refused), "why": refused[0][1]},
        )
    return redirect(back)
