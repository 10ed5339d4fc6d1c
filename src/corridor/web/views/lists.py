"""Lists of incidents and activities with filters that work as plain GET forms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from corridor.aid.queries import activities_visible_to
from corridor.situation.queries import incidents_visible_to
from corridor.web.forms import ActivityFilterForm, IncidentFilterForm

PAGE_SIZE = 50


@login_required
def incidents_page(request: Any) -> HttpResponse:
    form = IncidentFilterForm(request.GET or None)
    incidents = incidents_visible_to(request.user).select_related("admin_unit")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            incidents = incidents.filter(admin_unit__pcode__startswith=data["state"])
        if data["incident_type"]:
            incidents = incidents.filter(incident_type=data["incident_type"])
        if data["start"]:
            incidents = incidents.filter(occurred_on__gte=data["start"])
        if data["end"]:
            incidents = incidents.filter(occurred_on__lte=data["end"])
    page = Paginator(incidents.order_by("-occurred_on", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "web/incidents.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
def activities_page(request: Any) -> HttpResponse:
    form = ActivityFilterForm(request.GET or None)
    activities = activities_visible_to(request.user).select_related("admin_unit", "organisation")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            activities = activities.filter(admin_unit__pcode__startswith=data["state"])
        if data["sector"]:
            activities = activities.filter(sector=data["sector"])
        if data["month"]:
            activities = activities.filter(reporting_month=data["month"])
    page = Paginator(activities.order_by("-reporting_month", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "web/activities.html", {"form": form, "page": page, "query": query.urlencode()}
    )
