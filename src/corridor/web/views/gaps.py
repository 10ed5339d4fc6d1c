"""The gap analysis page and its CSV: the same table the API and `corridor gaps` give."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from corridor.aid.models import Sector
from corridor.aid.queries import reach_visible_to
from corridor.disclosure import latest_public_month, shared_output
from corridor.gaps.queries import GapInputError, GapTable, gap_table
from corridor.gaps.shared import SHARED_COLUMNS, shared_gap_table
from corridor.situation.queries import figures_visible_to
from corridor.web.forms import GapFilterForm, chosen
from corridor.web.map import choropleth
from corridor.web.numbers import percent
from corridor.web.views.common import latest_month, layer_style
from corridor.web.views.dashboard import shared_csv_response


def _gap_filters(request: Any) -> tuple[GapFilterForm, dt.date | None, dict[str, Any]]:
    """The page's and the CSV's one reading of the filters: the form, the month chosen (None:
    each its default) and the table's other arguments, over what the person may see."""
    form = GapFilterForm(request.GET or None)
    data = chosen(form)
    return (
        form,
        data.get("month"),
        {
            "reach_rows": reach_visible_to(request.user),
            "figures": figures_visible_to(request.user),
            "sector": data.get("sector") or None,
            "state": data.get("state") or None,
        },
    )


def table_for(request: Any) -> tuple[GapFilterForm, GapTable]:
    form, month, arguments = _gap_filters(request)
    return form, gap_table(month or latest_month(request.user), **arguments)


def _shared_link(request: Any, table: GapTable) -> dict[str, str]:
    """The month the CSV to share offers: the page's month, or the latest that may be shared."""
    month = table.month
    latest = latest_public_month(timezone.localdate())
    if month > latest:
        month = latest
    query = request.GET.copy()
    query["month"] = month.strftime("%Y-%m")
    return {"shared_month": query["month"], "shared_query": query.urlencode()}


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
        **_shared_link(request, table),
    }
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
    context["map_svg"] = mark_safe(svg)  # noqa: S308 -- escaped piece by piece in choropleth
    if request.htmx and not request.htmx.history_restore_request:
        # The filters changed under htmx: the table, with the heading, the ranking and the
        # map redrawn for the same choice out of band (docs/decisions/0186-*.md).
        return render(request, "web/_gap_results.html", context)
    return render(request, "web/gaps.html", context)


def _refusal_as_400(view: Any) -> Any:
    """A month, sector or state the table cannot use is a 400 with the reason. Raised through
    the shared mark (a refusal holds no data), answered outside it."""

    @functools.wraps(view)
    def answer(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except GapInputError as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")

    return answer


@login_required
@_refusal_as_400
@shared_output(
    "web.gaps_csv",
    what="/gaps.csv: the gap table of one month (township × sector) as CSV, over what the "
    "signed-in person may see",
)
def gaps_csv(request: Any) -> HttpResponse:
    _form, chosen_month, arguments = _gap_filters(request)
    today = timezone.localdate()
    table = shared_gap_table(chosen_month or latest_public_month(today), today=today, **arguments)
    month = table.month.strftime("%Y-%m")
    return shared_csv_response(
        f"corridor-gaps-{month}",
        ["month", *SHARED_COLUMNS],
        [[month, *row.shown(SHARED_COLUMNS)] for row in table.rows],
        today,
    )
