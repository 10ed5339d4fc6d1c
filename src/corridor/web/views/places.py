"""Township and organisation pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render

from corridor.aid.models import Sector
from corridor.aid.queries import activities_visible_to
from corridor.funds.queries import transfers_visible_to
from corridor.gaps.queries import REACH, GapInputError, gap_table, month_start
from corridor.geo.models import AdminUnit, Level
from corridor.orgs.queries import organisations_visible_to
from corridor.situation.queries import figures_visible_to, incidents_visible_to
from corridor.web.views.common import this_month


@login_required
def township_page(request: Any, pcode: str) -> HttpResponse:
    unit = (
        AdminUnit.objects.filter(pcode=pcode, level=Level.TOWNSHIP)
        .select_related("parent__parent")
        .first()
    )
    if unit is None:
        raise Http404
    user = request.user
    figures = (
        figures_visible_to(user)
        .filter(admin_unit=unit)
        .select_related("source")
        .order_by("-as_of")[:24]
    )
    incidents = incidents_visible_to(user).filter(admin_unit=unit).order_by("-occurred_on")[:50]
    activities = activities_visible_to(user).filter(admin_unit=unit)
    latest_month = activities.aggregate(m=Max("reporting_month"))["m"] or this_month()
    organisations = organisations_visible_to(user)
    present = (
        activities.filter(organisation__in=organisations)
        .order_by()
        .values(
            "organisation_id",
            "organisation__name",
            "organisation__visibility",
            "organisation__alias",
        )
        .annotate(reached=Sum(REACH), rows=Count("id"), last=Max("reporting_month"))
        .order_by("-last", "organisation__name")
    )
    hidden = (
        activities.exclude(organisation__in=organisations)
        .values("organisation_id")
        .distinct()
        .count()
    )
    try:
        month = month_start(request.GET.get("month") or latest_month)
    except GapInputError:
        month = latest_month
    table = gap_table(
        month,
        activities=activities_visible_to(user).filter(admin_unit=unit),
        figures=figures_visible_to(user).filter(admin_unit=unit),
    )
    sectors = dict(Sector.choices)
    return render(
        request,
        "web/township.html",
        {
            "unit": unit,
            "figures": figures,
            "incidents": incidents,
            "present": present,
            "hidden": hidden,
            "table": table,
            "gaps": [
                {"row": r, "sector_label": sectors.get(r.sector, r.sector)} for r in table.rows
            ],
        },
    )


@login_required
def organisation_page(request: Any, pk: Any) -> HttpResponse:
    organisation = organisations_visible_to(request.user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    activities = (
        activities_visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("admin_unit")
        .order_by("-reporting_month", "-start_date")
    )
    totals = activities.aggregate(
        reached=Sum(REACH), rows=Count("id"), townships=Count("admin_unit_id", distinct=True)
    )
    transfers = (
        (
            transfers_visible_to(request.user).filter(from_organisation=organisation)
            | transfers_visible_to(request.user).filter(to_organisation=organisation)
        )
        .select_related("from_organisation", "to_organisation")
        .order_by("-sent_on")[:50]
    )
    return render(
        request,
        "web/organisation.html",
        {
            "organisation": organisation,
            "activities": activities[:100],
            "totals": totals,
            "transfers": transfers,
        },
    )
