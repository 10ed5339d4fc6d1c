"""Township and organisation pages: web/queries/places.py computes them (the API serialises
the same)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from corridor.accounts import policy
from corridor.aid.models import Sector
from corridor.web.queries.places import organisation_summary, township_get, township_summary


@login_required
def township_page(request: Any, pcode: str) -> HttpResponse:
    unit = township_get(pcode)
    if unit is None:
        raise Http404
    summary = township_summary(request.user, unit, request.GET.get("month"))
    sectors = dict(Sector.choices)
    return render(
        request,
        "web/township.html",
        {
            "unit": unit,
            "figures": summary.figures,
            "incidents": summary.incidents,
            "present": summary.present,
            "hidden": summary.hidden,
            "table": summary.gaps,
            "gaps": [
                {"row": r, "sector_label": sectors.get(r.sector, r.sector)}
                for r in summary.gaps.rows
            ],
        },
    )


@login_required
def organisation_page(request: Any, pk: Any) -> HttpResponse:
    summary = organisation_summary(request.user, pk)
    if summary is None:
        raise Http404
    manages_people = policy.can(request.user, policy.ADMINISTER, summary.organisation)
    return render(
        request, "web/organisation.html", {"summary": summary, "manages_people": manages_people}
    )
