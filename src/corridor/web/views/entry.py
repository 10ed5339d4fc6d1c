"""4W entry: activities, displacement figures and incidents, each a plain POST form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from corridor.core.errors import CorridorError
from corridor.web import scope, writes
from corridor.web.forms import ActivityForm, FigureForm, IncidentForm, township_options


def _page(request: Any, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "web/entry.html",
        {"form": form, "title": title, "townships": township_options()},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def activity_entry(request: Any) -> HttpResponse:
    organisations = scope.organisations_user_can_report_for(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("You are not an editor of any organisation."))
    form = ActivityForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["admin_unit"] = data.pop("township")
        saved = _save_values(form, writes.activity_record, request.user, data)
        if saved:
            messages.success(
                request,
                _("Saved: %(n)s people reached in %(place)s.")
                % {"n": saved.people_reached, "place": saved.admin_unit.name_en},
            )
            return redirect("web:township", pcode=saved.admin_unit_id)
    return _page(request, form, _("Report an activity"))


@login_required
def figure_entry(request: Any) -> HttpResponse:
    if not scope.can(request.user, "add"):
        raise PermissionDenied
    form = FigureForm(request.POST or None, sources=scope.sources_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["admin_unit"] = data.pop("township")
        saved = _save_values(form, writes.figure_enter, request.user, data)
        if saved:
            messages.success(request, _("Displacement figure saved."))
            return redirect("web:township", pcode=saved.admin_unit_id)
    return _page(request, form, _("Report a displacement figure"))


@login_required
def incident_entry(request: Any) -> HttpResponse:
    if not scope.can(request.user, "add"):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, sources=scope.sources_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["admin_unit"] = data.pop("township")
        saved = _save_values(form, writes.incident_enter, request.user, data)
        if saved:
            messages.success(request, _("Incident saved."))
            return redirect("web:township", pcode=saved.admin_unit_id)
    return _page(request, form, _("Report an incident"))


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
