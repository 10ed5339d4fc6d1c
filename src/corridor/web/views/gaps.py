"""The gap analysis page and its CSV: the same table the API and `corridor gaps` give."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from corridor.aid.models import Sector
from corridor.aid.queries import activities_visible_to
from corridor.gaps.queries import GapTable, gap_table
from corridor.situation.queries import figures_visible_to
from corridor.web.forms import GapFilterForm
from corridor.web.map import choropleth
from corridor.web.numbers import percent
from corridor.web.views.common import csv_response, latest_month, layer_style

GAP_COLUMNS = [
    "month",
    "pcode",
    "township",
    "township_my",
    "sector",
    "idps",
    "people_in_need",
    "need",
    "people_reached",
    "organisations",
    "coverage",
    "figure_as_of",
]


def table_for(request: Any) -> tuple[GapFilterForm, GapTable]:
    form = GapFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    table = gap_table(
        data.get("month") or latest_month(request.user),
        activities=activities_visible_to(request.user),
        figures=figures_visible_to(request.user),
        sector=data.get("sector") or None,
        state=data.get("state") or None,
    )
    return form, table


@login_required
@vary_on_headers("HX-Request")
def gaps_page(request: Any) -> HttpResponse:
    form, table = table_for(request)
    sectors = dict(Sector.choices)
    rows = [{"row": row, "sector_label": sectors.get(row.sector, row.sector)} for row in table.rows]
    context = {
        "form": form,
        "table": table,
        "rows": rows[:300],
        "row_count": len(rows),
        "ranking": table.ranking[:20],
        "query": request.GET.urlencode(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        # The filters changed under htmx: the table (with heading and ranking) only; the map
        # is the heaviest part and is offered as a link instead of being redrawn.
        return render(request, "web/_gap_results.html", context)
    values = {item.pcode: item.coverage for item in table.ranking}
    colour, legend = layer_style("coverage", values)
    svg = choropleth(
        values,
        colour=colour,
        legend=legend,
        title=_("Coverage by township"),
        describe=lambda s, v: (
            f"{s.name_en} {s.name_my}: " + (percent(v) if v is not None else _("no data"))
        ),
        state=table.state,
    )
    return render(
        request,
        "web/gaps.html",
        # Escaped piece by piece in choropleth.
        {**context, "map_svg": mark_safe(svg)},  # noqa: S308
    )


@login_required
def gaps_csv(request: Any) -> HttpResponse:
    _form, table = table_for(request)
    month = table.month.strftime("%Y-%m")
    return csv_response(
        f"corridor-gaps-{month}",
        GAP_COLUMNS,
        [
            [
                month,
                r.pcode,
                r.township,
                r.township_my,
                r.sector,
                r.idps,
                r.people_in_need,
                r.need,
                r.people_reached,
                r.organisations,
                r.coverage,
                r.figure_as_of,
            ]
            for r in table.rows
        ],
    )
