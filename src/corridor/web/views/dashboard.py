"""The signed-in home page: headline figures, the township map, monthly trends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from corridor.disclosure import (
    latest_public_month,
    publication_cutoff,
    publication_delay_days,
    shared_output,
    shown,
    suppressed_legend,
)
from corridor.web.charts import bar_chart
from corridor.web.map import choropleth, township_shapes
from corridor.web.numbers import month_label, number, percent
from corridor.web.queries import dashboard
from corridor.web.views.common import csv_response, filters_from, layer_style

LAYER_TITLES = {
    "idps": lambda: _("IDPs by township (latest figure)"),
    "incidents": lambda: _("Incidents by township"),
    "coverage": lambda: _("Coverage: people reached against need, last month of the period"),
}


def _describe(layer: str) -> Any:
    def describe(shape: Any, value: float | None) -> str:
        name = f"{shape.name_en} {shape.name_my}".strip()
        if value is None:
            return f"{name}: {_('no data')}"
        shown = percent(value) if layer == "coverage" else number(value)
        return f"{name}: {shown}"

    return describe


@login_required
def dashboard_page(request: Any) -> HttpResponse:
    form, filters, layer = filters_from(request)
    values = dashboard.map_values(request.user, filters, layer)
    colour, legend = layer_style(layer, values)
    svg = choropleth(
        values,
        colour=colour,
        legend=legend,
        title=LAYER_TITLES[layer](),
        describe=_describe(layer),
        state=filters.state,
    )
    series = dashboard.trends(request.user, filters)
    charts = [
        {
            "series": s,
            # Built from our own numbers and labels, each escaped inside bar_chart.
            "svg": mark_safe(  # noqa: S308
                bar_chart(
                    [(m.strftime("%Y-%m"), v) for m, v in s.points],
                    title=s.title,
                    chart_id=f"chart-{s.key}",
                )
            ),
            "rows": [(month_label(m), v) for m, v in s.points],
        }
        for s in series
    ]
    query = request.GET.copy()
    layer_links = []
    for key, label in (
        ("idps", _("IDPs")),
        ("incidents", _("Incidents")),
        ("coverage", _("Coverage")),
    ):
        query["map"] = key
        layer_links.append({"key": key, "label": label, "query": query.urlencode()})
    query.pop("map", None)
    names = {shape.pcode: f"{shape.name_en} {shape.name_my}".strip() for shape in township_shapes()}
    map_rows = sorted(
        (
            (pcode, names.get(pcode, pcode), value)
            for pcode, value in values.items()
            if value is not None
        ),
        key=lambda item: -(item[2] or 0),
    )
    return render(
        request,
        "web/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "layer": layer,
            "layer_title": LAYER_TITLES[layer](),
            "layer_links": layer_links,
            "headlines": dashboard.headlines(request.user, filters),
            "map_svg": mark_safe(svg),  # noqa: S308 — every text in it passed format_html/escape
            "map_rows": map_rows[:25],
            "map_count": len(map_rows),
            "charts": charts,
            "query": request.GET.urlencode(),
            "shared_month": latest_public_month(timezone.localdate()).strftime("%Y-%m"),
        },
    )


def shared_csv_response(
    name: str, header: list[str], rows: list[list[Any]], today: dt.date
) -> HttpResponse:
    """A CSV made to be passed on: suppressed figures as the one mark, explained below the
    rows together with the date the data ends."""
    cutoff = publication_cutoff(today)
    notes = [
        [suppressed_legend()],
        [
            f"shared: township level at most; data up to {cutoff:%Y-%m-%d} "
            f"(published after a delay of {publication_delay_days()} days)"
        ],
    ]
    return csv_response(name, header, [[shown(value) for value in row] for row in rows] + notes)


@login_required
@shared_output(
    "web.dashboard_csv",
    what=(
        "/data/<name>.csv: a dashboard chart (IDPs, incidents, people reached by month) or the "
        "map layer (per township) as CSV, over what the signed-in person may see"
    ),
)
def dashboard_csv(request: Any, name: str) -> HttpResponse:
    _form, filters, layer = filters_from(request)
    today = timezone.localdate()
    if name == "map":
        shared = dashboard.shared_map(request.user, filters, layer, today)
        return shared_csv_response(
            f"corridor-map-{layer}",
            ["pcode", layer],
            [[row.pcode, row.value] for row in shared.rows],
            today,
        )
    series = {s.key: s for s in dashboard.shared_trends(request.user, filters, today)}
    if name not in series:
        raise Http404
    return shared_csv_response(
        f"corridor-trend-{name}",
        ["month", name],
        [[month.strftime("%Y-%m"), value] for month, value in series[name].points],
        today,
    )
