"""4W entry: activities, displacement figures and incidents, each a plain POST form.

With JavaScript, htmx adds two things on top, never instead: a changed field is posted to the
same address and only that field comes back, with its errors (nothing is saved); and the
township picker searches as the person types (``township_search``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from corridor.aid.services import activity_record
from corridor.core.errors import CorridorError
from corridor.geo.models import AdminUnit, Level
from corridor.orgs.queries import organisations_user_can_report_for
from corridor.situation.queries import sources_visible_to
from corridor.situation.services import figure_record, incident_record, source_record
from corridor.web.forms import (
    ActivityForm,
    FigureForm,
    IncidentForm,
    TownshipField,
    township_label,
    township_options,
    validate_on_change,
)
from corridor.web.townships import search_text, townships_matching


def reporting_organisations(user: Any) -> Any:
    organisations = organisations_user_can_report_for(user)
    if not organisations.exists():
        raise PermissionDenied(_("You are not an editor of any organisation."))
    return organisations


def _source(by: Any, values: dict) -> Any:
    """The chosen source, or a new one recorded from the form's title and publisher."""
    source = values.pop("source", None)
    title = values.pop("source_title", "")
    publisher = values.pop("source_publisher", "")
    reliability = values.pop("source_reliability", "F")
    if source is not None:
        return source
    return source_record(by=by, title=title, publisher=publisher, reliability=reliability)


@transaction.atomic
def _figure_enter(*, by: Any, **values: Any) -> Any:
    values["source"] = _source(by, values)
    return figure_record(by=by, **values)


@transaction.atomic
def _incident_enter(*, by: Any, **values: Any) -> Any:
    sources = [_source(by, values)]
    return incident_record(by=by, sources=sources, **values)


def _field_check(request: Any, form: Any) -> HttpResponse | None:
    """The changed field alone, validated against the whole form, when htmx asks for it."""
    name = request.htmx.trigger_name if request.htmx else None
    if request.method != "POST" or name not in form.fields:
        return None
    return render(request, "web/_field.html", {"field": form[name]})


def _page(request: Any, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "web/entry.html",
        {"form": form, "title": title, "townships": township_options()},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def activity_entry(request: Any) -> HttpResponse:
    organisations = reporting_organisations(request.user)
    form = ActivityForm(request.POST or None, organisations=organisations)
    validate_on_change(form, request.path)
    if (fragment := _field_check(request, form)) is not None:
        return fragment
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["admin_unit"] = data.pop("township")
        saved = _save_values(form, activity_record, request.user, data)
        if saved:
            messages.success(
                request,
                (
                    _("Saved: %(n)s people reached in %(place)s.")
                    if saved.counts_as_reached
                    else _("Saved: %(n)s people in %(place)s (%(status)s, not counted as reached).")
                )
                % {
                    "n": saved.people,
                    "place": saved.admin_unit.name_en,
                    "status": saved.get_status_display(),
                },
            )
            return redirect("web:township", pcode=saved.admin_unit_id)
    return _page(request, form, _("Report an activity"))


@login_required
def figure_entry(request: Any) -> HttpResponse:
    return _situation_entry(
        request,
        FigureForm,
        _figure_enter,
        saved=_("Displacement figure saved."),
        title=_("Report a displacement figure"),
    )


@login_required
def incident_entry(request: Any) -> HttpResponse:
    return _situation_entry(
        request,
        IncidentForm,
        _incident_enter,
        saved=_("Incident saved."),
        title=_("Report an incident"),
    )


def _situation_entry(
    request: Any, form_class: Any, write: Any, *, saved: str, title: str
) -> HttpResponse:
    """Figures and incidents share one flow: a township, a reporting organisation, sources."""
    form = form_class(
        request.POST or None,
        sources=sources_visible_to(request.user),
        organisations=reporting_organisations(request.user),
    )
    validate_on_change(form, request.path)
    if (fragment := _field_check(request, form)) is not None:
        return fragment
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["admin_unit"] = data.pop("township")
        data["reporting_organisation"] = data.pop("organisation")
        record = _save_values(form, write, request.user, data)
        if record:
            messages.success(request, saved)
            return redirect("web:township", pcode=record.admin_unit_id)
    return _page(request, form, title)


def _save_values(form: Any, write: Any, by: Any, values: dict) -> Any:
    try:
        return write(by=by, **values)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = "township" if name == "admin_unit" else name
                form.add_error(target if target in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    except CorridorError as exc:
        form.add_error(None, str(exc))
    return None


@login_required
def township_search(request: Any) -> HttpResponse:
    """The picker's matches as an HTML fragment; ``pick`` returns the box filled in instead."""
    pick = request.GET.get("pick")
    if pick:
        unit = get_object_or_404(AdminUnit, pcode=pick, level=Level.TOWNSHIP)
        box = TownshipField().widget.render(
            "township", township_label(unit), attrs={"id": "id_township", "autofocus": True}
        )
        return render(request, "web/_township_pick.html", {"box": box})
    raw = request.GET.get("township") or request.GET.get("q") or ""
    return render(
        request,
        "web/_township_results.html",
        {"matches": townships_matching(raw), "text": search_text(raw)},
    )
