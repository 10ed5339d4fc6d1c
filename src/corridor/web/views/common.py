"""Pieces every page module uses: filter parsing, CSV responses, map colours."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.aid.queries import latest_reached_month
from corridor.core.errors import CorridorError, NotAllowed
from corridor.gaps.queries import month_start, next_month
from corridor.web.forms import FilterForm, chosen
from corridor.web.map import Legend, steps
from corridor.web.numbers import number, percent
from corridor.web.queries.dashboard import Filters

DEFAULT_MONTHS = 12
# ColorBrewer-style sequential ramps with enough contrast against the white page.
BLUES = ["#c6dbef", "#9ecae1", "#4292c6", "#08519c", "#08306b"]
REDS = ["#fdd0a2", "#fc8d59", "#ef6548", "#d7301f", "#990000"]
COVERAGE = ["#a50f15", "#fb6a4a", "#fcbba1", "#9ecae1", "#2171b5"]


def this_month() -> dt.date:
    return month_start(timezone.localdate())


def latest_month(user: Any) -> dt.date:
    """The latest month anyone reported for, so a first visit opens on data, not a blank.

    Plans for coming months are not reports: a planned (or cancelled) activity or a month
    after this one would open the page on a month with no displacement figures yet.
    """
    current = this_month()
    return latest_reached_month(user, before=next_month(current)) or current


def filters_from(request: Any) -> tuple[FilterForm, Filters, str]:
    form = FilterForm(request.GET or None)
    return (form, *filters_for(request.user, form))


def filters_for(user: Any, form: FilterForm) -> tuple[Filters, str]:
    """The dashboard's period, place and sector from its filter form, and the map layer.

    The pages ignore a form that does not validate (they show the defaults); the API refuses it.
    """
    data = chosen(form)
    end = data.get("end") or latest_month(user)
    start = data.get("start") or month_start(
        dt.date(
            end.year - (1 if end.month < DEFAULT_MONTHS else 0),
            (end.month - DEFAULT_MONTHS) % 12 + 1,
            1,
        )
    )
    if start > end:
        start, end = end, start
    filters = Filters(
        start=start, end=end, state=data.get("state") or None, sector=data.get("sector") or None
    )
    return filters, data.get("map") or "idps"


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    # A BOM so spreadsheet programs read the Burmese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def layer_style(layer: str, values: Mapping[str, float | None]) -> tuple[Any, list[Legend]]:
    if layer == "coverage":
        breaks = [0.1, 0.25, 0.5, 0.75]
        labels = (
            [_("under %(n)s") % {"n": percent(breaks[0])}]
            + [f"{percent(a)}–{percent(b)}" for a, b in itertools.pairwise(breaks)]
            + [_("%(n)s or more") % {"n": percent(breaks[-1])}]
        )
        ramp = COVERAGE
    else:
        top = max((v for v in values.values() if v), default=0) or 1
        breaks = [max(round(top * f), 1) for f in (0.05, 0.15, 0.35, 0.6)]
        labels = (
            [_("under %(n)s") % {"n": number(breaks[0])}]
            + [f"{number(a)}–{number(b)}" for a, b in itertools.pairwise(breaks)]
            + [_("%(n)s or more") % {"n": number(breaks[-1])}]
        )
        ramp = BLUES if layer == "idps" else REDS
    legend = [Legend(c, label) for c, label in zip(ramp, labels, strict=True)]
    legend.append(Legend("#eeeeee", _("no data")))
    return steps(breaks, ramp), legend


def uuid_or_none(text: str | None) -> uuid.UUID | None:
    """A record id a form posted back, or None when it is missing or not an id (the page then
    answers as for a record that is gone)."""
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def require_or_403(user: Any, action: str, record: Any) -> None:
    """The policy's refusal (audited) as a 403: the person may see the record, not do this."""
    try:
        policy.require(user, action, record)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None


def remove_page(
    request: Any,
    record: Any,
    *,
    remove: Callable[[str], object],
    page: str | None,
    back: str,
    refused: str,
    shown: dict[str, Any],
    done: str = "",
) -> HttpResponse:
    """The page that removes a record softly (an activity, a figure, an incident, a transfer,
    a spending, a rate): the person says why, ``remove(reason)`` calls the record's service.
    ``page`` is the URL name of the record's page, ``back`` of the list to return to (for a
    record with no page of its own, ``page`` is None and ``back`` a path), ``refused`` the
    message when no reason is given, ``shown`` what web/remove.html names the record by,
    ``done`` the message once removed (where to restore it)."""
    back_url = reverse(back) if page else back
    if record.is_removed:
        return redirect(page, pk=record.pk) if page else redirect(back_url)
    require_or_403(request.user, policy.DELETE, record)
    error = reason = ""
    if request.method == "POST":
        reason = " ".join(request.POST.get("reason", "").split())
        try:
            remove(reason)
        except CorridorError:
            error = refused
        else:
            messages.success(
                request,
                done or _("Removed. Those who may restore it still find it at its address."),
            )
            return redirect(back_url)
    return render(
        request,
        "web/remove.html",
        {
            **shown,
            "page_url": reverse(page, args=[record.pk]) if page else back_url,
            "error": error,
            "reason": reason,
        },
        status=400 if error else 200,
    )
