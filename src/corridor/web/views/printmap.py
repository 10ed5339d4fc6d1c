"""The printable map: one map layer as it may be passed on, with its title, period, legend,
sources and "produced with Corridor", as an A4 page (print it, or save it as PDF from the
browser's print dialog) and as a standalone SVG file for a report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from corridor.disclosure import (
    latest_public_month,
    publication_cutoff,
    publication_delay_days,
    shared_output,
    suppressed_legend,
)
from corridor.gaps.queries import next_month
from corridor.situation.queries import figures_visible_to
from corridor.web.map import HEIGHT, WIDTH, choropleth
from corridor.web.numbers import month_label
from corridor.web.queries import dashboard
from corridor.web.views.common import filters_from, layer_style
from corridor.web.views.dashboard import LAYER_TITLES, _describe

# How many sources the footer names before "and N more".
SOURCES_NAMED = 4


@dataclass(frozen=True)
class PrintedMap:
    title: str
    period: str
    svg: str  # the map element, every text in it escaped
    notes: list[str]
    sources: str


def _period(start: dt.date, end: dt.date) -> str:
    if start == end:
        return month_label(start)
    return f"{month_label(start)} – {month_label(end)}"


def _sources(user: Any, start: dt.date, until: dt.date, layer: str) -> str:
    """Who the figures come from: the publishers of the displacement figures behind the map
    (for coverage, the need figures in force, which may be older than the period)."""
    if layer == "incidents":
        return _("Sources: incident reports shared in Corridor, each with its own source.")
    figures = figures_visible_to(user).filter(as_of__lt=until)
    if layer != "coverage":
        figures = figures.filter(as_of__gte=start)
    names = figures.values_list("source__publisher", "source__title").distinct()
    named = sorted({publisher or title for publisher, title in names if publisher or title})
    shown = ", ".join(named[:SOURCES_NAMED])
    if len(named) > SOURCES_NAMED:
        shown += " " + _("and %(n)d more") % {"n": len(named) - SOURCES_NAMED}
    if layer == "coverage":
        text = _("Sources: people reached from the 4W reports of Corridor's members; need from")
    else:
        text = _("Sources: displacement figures from")
    return f"{text} {shown or _('no figure in the period')}."


def _printed(request: Any) -> PrintedMap:
    _form, filters, layer = filters_from(request)
    today = timezone.localdate()
    values = dashboard.shared_map_values(request.user, filters, layer, today)
    colour, legend = layer_style(layer, values)
    last = min(filters.end, latest_public_month(today))
    title = LAYER_TITLES[layer]()
    svg = choropleth(
        values,
        colour=colour,
        legend=legend,
        title=title,
        describe=_describe(layer),
        state=filters.state,
    )
    cutoff = publication_cutoff(today)
    notes = [
        suppressed_legend(),
        _("Township level at most; data up to %(day)s (published after a delay of %(n)d days).")
        % {"day": cutoff.isoformat(), "n": publication_delay_days()},
        _("Produced with Corridor on %(day)s.") % {"day": today.isoformat()},
    ]
    return PrintedMap(
        title=title,
        period=_period(min(filters.start, last), last),
        svg=svg,
        notes=notes,
        sources=_sources(request.user, filters.start, next_month(last), layer),
    )


@login_required
@shared_output(
    "web.map_print",
    what=(
        "/map/print/: one map layer per township as it may be passed on (the dashboard's "
        "shared map values), with title, period, legend, sources and notes, to print or save "
        "as PDF"
    ),
)
def map_print_page(request: Any) -> HttpResponse:
    printed = _printed(request)
    return render(
        request,
        "web/map_print.html",
        {
            "printed": printed,
            "map_svg": mark_safe(printed.svg),  # noqa: S308 — built with format_html/escape
            "query": request.GET.urlencode(),
        },
    )


# Room above and below the map in the standalone SVG, in the map's own units.
HEADER, FOOTER = 64, 110


@login_required
@shared_output(
    "web.map_print_svg",
    what="/map/print.svg: the printable map as one standalone SVG file, same content",
)
def map_print_svg(request: Any) -> HttpResponse:
    printed = _printed(request)
    lines = [printed.sources, *printed.notes]
    footer = "".join(
        format_html('<text x="8" y="{}" font-size="11">{}</text>', HEIGHT + HEADER + 22 + 18 * i, t)
        for i, t in enumerate(lines)
    )
    document = format_html(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        "font-family=\"'Noto Sans', 'Noto Sans Myanmar', Padauk, 'Myanmar Text', sans-serif\">"
        '<rect width="100%" height="100%" fill="#ffffff"/>'
        '<text x="8" y="28" font-size="20" font-weight="bold">{}</text>'
        '<text x="8" y="52" font-size="14">{}</text>'
        '<g transform="translate(0 {})">{}</g>{}</svg>',
        WIDTH,
        HEIGHT + HEADER + FOOTER,
        printed.title,
        printed.period,
        HEADER,
        mark_safe(printed.svg),  # noqa: S308 — built with format_html/escape
        mark_safe(footer),  # noqa: S308 — built with format_html above
    )
    response = HttpResponse(document, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="corridor-map.svg"'
    return response
