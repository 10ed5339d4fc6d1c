"""One record's page, its correction and its removal: activities, incidents, displacement figures.

The page shows what the person may see of the record and its history from the audit trail
(protected values only as "changed"); *Edit* and *Remove* appear only when the access policy
allows them, and the services ask the policy again. A record the person may not see answers
404, exactly like an id nobody has. Removing is soft and needs a reason (decision 0180); a
removed record's page stays open to those who may restore it, and to nobody else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import policy
from corridor.aid.queries import activities_visible_to, activity_removed_for
from corridor.aid.services import activity_remove, activity_restore, activity_update
from corridor.audit.queries import history_of
from corridor.disclosure import internal_output
from corridor.orgs.models import Organisation
from corridor.orgs.queries import OrganisationNames
from corridor.situation.queries import (
    figure_removed_for,
    figures_visible_to,
    incident_removed_for,
    incidents_visible_to,
    sources_visible_to,
)
from corridor.situation.services import (
    figure_remove,
    figure_restore,
    figure_update,
    incident_remove,
    incident_restore,
    incident_update,
)
from corridor.web.forms import (
    ActivityForm,
    FigureForm,
    IncidentForm,
    township_label,
    township_options,
    validate_on_change,
)
from corridor.web.map import NO_DATA, Legend, choropleth
from corridor.web.numbers import date_label, month_label, number
from corridor.web.views.common import remove_page, require_or_403
from corridor.web.views.entry import _field_check, _save_values, _source

HIGHLIGHT = "#d7301f"


@dataclass(frozen=True)
class Kind:
    """What differs between the three kinds of record; the flow is the same."""

    label: str  # the policy's model label
    visible: Callable[[Any], Any]
    removed_for: Callable[[Any, Any], Any]
    remove: Callable[..., Any]
    restore: Callable[..., Any]
    argument: str  # the service's keyword for the record
    form: Any  # the entry form: its labels name the fields in the history
    page: str  # URL name of the record's page
    back: str  # URL name of the list to return to after removing


ACTIVITY = Kind(
    "aid.activity",
    lambda user: activities_visible_to(user).select_related("admin_unit", "organisation"),
    activity_removed_for,
    activity_remove,
    activity_restore,
    "activity",
    ActivityForm,
    "web:activity",
    "web:activities",
)
INCIDENT = Kind(
    "situation.incident",
    lambda user: incidents_visible_to(user).select_related("admin_unit", "reporting_organisation"),
    incident_removed_for,
    incident_remove,
    incident_restore,
    "incident",
    IncidentForm,
    "web:incident",
    "web:incidents",
)
FIGURE = Kind(
    "situation.displacementfigure",
    lambda user: figures_visible_to(user).select_related(
        "admin_unit", "reporting_organisation", "source"
    ),
    figure_removed_for,
    figure_remove,
    figure_restore,
    "figure",
    FigureForm,
    "web:figure",
    "web:dashboard",
)


def _record(kind: Kind, user: Any, pk: Any) -> Any:
    """The record as the person may see it (a removed one only for who may restore it)."""
    record = kind.visible(user).filter(pk=pk).first() or kind.removed_for(user, pk)
    if record is None:
        raise Http404
    return record


def _reported(record: Any) -> bool:
    """Situation data names who reported it; an activity, whose it is."""
    return hasattr(record, "reporting_organisation_id")


def _owner(record: Any) -> Organisation | None:
    if _reported(record):
        return record.reporting_organisation
    return record.organisation


def _history(user: Any, kind: Kind, record: Any) -> list[dict[str, Any]]:
    """The audit trail's story of the record. The people in it are named only to those who may
    see the owning organisation: shared situation data must not say who reported it."""
    owner = _owner(record)
    names_people = owner is None or OrganisationNames(user).sees(owner)
    labels = {name: field.label for name, field in kind.form.base_fields.items()}
    labels["admin_unit"] = _("Township")
    labels["source"] = _("Source")
    labels["sources"] = _("Sources")
    return [
        {"entry": entry, "who": entry.actor_label if names_people else ""}
        for entry in history_of(record, labels)
    ]


def _township_map(unit: Any) -> str:
    """The record's township on its state's map: never more exact than the township."""
    svg = choropleth(
        {unit.pcode: 1.0},
        colour=lambda value: HIGHLIGHT if value else NO_DATA,
        legend=[Legend(HIGHLIGHT, unit.name_en)],
        title=_("Where: %(township)s") % {"township": unit.name_en},
        describe=lambda shape, _value: shape.name_en,
        state=unit.pcode[:6],
    )
    return mark_safe(svg)  # noqa: S308 — every text in it passed format_html/escape


def _detail(request: Any, kind: Kind, record: Any, rows: list, **extra: Any) -> HttpResponse:
    user = request.user
    owner = _owner(record)
    if owner is not None:  # first, in the words of the record's own field
        named = _("Reporting organisation") if _reported(record) else _("Organisation")
        rows = [(named, OrganisationNames(user).label(owner)), *rows]
    context = {
        "record": record,
        "kind": kind.argument,
        "rows": [(label, _shown(value)) for label, value in rows],
        "edit_url": reverse(f"{kind.page}_edit", args=[record.pk]),
        "remove_url": reverse(f"{kind.page}_remove", args=[record.pk]),
        "restore_url": reverse(f"{kind.page}_restore", args=[record.pk]),
        "history": _history(user, kind, record),
        "map_svg": _township_map(record.admin_unit),
        **extra,
    }
    return render(request, "web/record.html", context)


# --- Pages ----------------------------------------------------------------------------------


@internal_output(
    "web.activity_page",
    role=policy.VIEW,
    what="one activity as the person may see it, with its history (people named only to "
    "those who may see its organisation; protected values only as 'changed')",
)
@login_required
def activity_page(request: Any, pk: Any) -> HttpResponse:
    a = _record(ACTIVITY, request.user, pk)
    rows = [
        (_("Township"), township_label(a.admin_unit)),
        (_("Reporting month"), month_label(a.reporting_month) if a.reporting_month else None),
        (_("Start"), a.start_date),
        (_("End"), a.end_date),
        (_("Status"), a.get_status_display()),
        (_("Sector"), a.get_sector_display()),
        (_("Modality"), a.get_modality_display()),
        (_("Channel"), a.get_channel_display()),
        (_("Women"), a.women),
        (_("Men"), a.men),
        (_("Girls"), a.girls),
        (_("Boys"), a.boys),
        (_("Sex and age not known"), a.unspecified),
        (_("People reached"), a.people_reached),
        (_("Households"), a.households),
        (_("Value"), f"{a.value} {a.currency}" if a.value is not None else None),
        (_("Notes"), a.notes),
    ]
    title = _("Activity: %(sector)s in %(township)s") % {
        "sector": a.get_sector_display(),
        "township": a.admin_unit.name_en,
    }
    return _detail(request, ACTIVITY, a, rows, title=title)


@internal_output(
    "web.incident_page",
    role=policy.VIEW,
    what="one incident as shared inside the network: date, type, township, counts, "
    "description, sources and its history; never its exact site nor its witnesses",
)
@login_required
def incident_page(request: Any, pk: Any) -> HttpResponse:
    i = _record(INCIDENT, request.user, pk)
    rows = [
        (_("Date"), i.occurred_on),
        (_("Type"), i.get_incident_type_display()),
        (_("Township"), township_label(i.admin_unit)),
        (_("Killed"), i.fatalities),
        (_("Injured"), i.injuries),
        (_("Detained"), i.detained),
        (_("What happened"), i.description),
        (_("Verification"), i.get_verification_display()),
    ]
    title = _("Incident: %(type)s in %(township)s") % {
        "type": i.get_incident_type_display(),
        "township": i.admin_unit.name_en,
    }
    sources = list(i.sources.order_by("-published_on", "title"))
    return _detail(request, INCIDENT, i, rows, title=title, sources=sources)


@internal_output(
    "web.figure_page",
    role=policy.VIEW,
    what="one displacement figure as shared inside the network, with its source and history",
)
@login_required
def figure_page(request: Any, pk: Any) -> HttpResponse:
    f = _record(FIGURE, request.user, pk)
    rows = [
        (_("Township"), township_label(f.admin_unit)),
        (_("As of"), f.as_of),
        (_("IDPs"), f.idps),
        (_("People in need"), f.people_in_need),
        (_("Refugees"), f.refugees),
        (_("Notes"), f.notes),
    ]
    title = _("Displacement figure: %(township)s") % {"township": f.admin_unit.name_en}
    return _detail(request, FIGURE, f, rows, title=title, sources=[f.source])


# --- Editing --------------------------------------------------------------------------------


def _owner_only(record: Any) -> Any:
    """The organisation field of an edit form: the record's own, fixed (moving a record to
    another organisation is a new record)."""
    owner = _owner(record)
    return Organisation.objects.filter(pk=owner.pk) if owner else Organisation.objects.none()


def _edit_form(form: Any, request: Any) -> Any:
    form.fields["organisation"].disabled = True
    form.fields["organisation"].required = False
    validate_on_change(form, request.path)
    return form


def _edit_page(request: Any, form: Any, record: Any, kind: Kind) -> HttpResponse:
    return render(
        request,
        "web/entry.html",
        {
            "form": form,
            "title": _("Correct this record"),
            "townships": township_options(),
            "cancel_url": reverse(kind.page, args=[record.pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def activity_edit(request: Any, pk: Any) -> HttpResponse:
    activity = _record(ACTIVITY, request.user, pk)
    if activity.is_removed:
        raise Http404
    require_or_403(request.user, policy.CHANGE, activity)
    initial = {
        "organisation": activity.organisation_id,
        "township": township_label(activity.admin_unit),
        "reporting_month": (
            f"{activity.reporting_month:%Y-%m}" if activity.reporting_month else ""
        ),
    }
    form = ActivityForm(request.POST or None, organisations=_owner_only(activity), initial=initial)
    _initial_from(form, activity)
    _edit_form(form, request)
    if (fragment := _field_check(request, form)) is not None:
        return fragment
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("organisation", None)
        data["admin_unit"] = data.pop("township")
        if _save_values(form, _activity_save(activity), request.user, data):
            messages.success(request, _("Corrected. The change is in the history below."))
            return redirect("web:activity", pk=activity.pk)
    return _edit_page(request, form, activity, ACTIVITY)


def _initial_from(form: Any, record: Any) -> None:
    """Fill every form field the record has a value for (fields added later come along)."""
    for name in form.fields:
        if name in form.initial or not hasattr(record, name):
            continue
        value = getattr(record, name)
        form.initial[name] = value.pk if hasattr(value, "pk") else value


def _activity_save(activity: Any) -> Callable[..., Any]:
    def save(*, by: Any, **values: Any) -> Any:
        return activity_update(by=by, activity=activity, **values)

    return save


@transaction.atomic
def _figure_save(figure: Any, by: Any, values: dict) -> Any:
    values["source"] = _source(by, values)
    return figure_update(by=by, figure=figure, **values)


@transaction.atomic
def _incident_save(incident: Any, by: Any, values: dict) -> Any:
    source = _source(by, values)
    cited = set(incident.sources.values_list("pk", flat=True))
    # Choosing another source replaces the cited ones; keeping one of them keeps them all.
    sources = None if source.pk in cited else [source]
    return incident_update(by=by, incident=incident, sources=sources, **values)


def _situation_edit(request: Any, kind: Kind, form_class: Any, save: Any, pk: Any) -> Any:
    record = _record(kind, request.user, pk)
    if record.is_removed:
        raise Http404
    require_or_403(request.user, policy.CHANGE, record)
    initial = {
        "organisation": record.reporting_organisation_id,
        "township": township_label(record.admin_unit),
    }
    if kind is INCIDENT:
        first = record.sources.order_by("title").first()
        initial["source"] = first.pk if first else None
    form = form_class(
        request.POST or None,
        sources=sources_visible_to(request.user),
        organisations=_owner_only(record),
        initial=initial,
    )
    _initial_from(form, record)
    _edit_form(form, request)
    if (fragment := _field_check(request, form)) is not None:
        return fragment
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("organisation", None)
        data["admin_unit"] = data.pop("township")
        if _save_values(form, lambda *, by, **values: save(record, by, values), request.user, data):
            messages.success(request, _("Corrected. The change is in the history below."))
            return redirect(kind.page, pk=record.pk)
    return _edit_page(request, form, record, kind)


@login_required
def incident_edit(request: Any, pk: Any) -> HttpResponse:
    return _situation_edit(request, INCIDENT, IncidentForm, _incident_save, pk)


@login_required
def figure_edit(request: Any, pk: Any) -> HttpResponse:
    return _situation_edit(request, FIGURE, FigureForm, _figure_save, pk)


# --- Removing and restoring ------------------------------------------------------------------


def _remove(request: Any, kind: Kind, pk: Any) -> HttpResponse:
    record = _record(kind, request.user, pk)
    return remove_page(
        request,
        record,
        remove=lambda reason: kind.remove(
            by=request.user, reason=reason, **{kind.argument: record}
        ),
        page=kind.page,
        back=kind.back,
        refused=_("Say why this record is removed."),
        shown={"record": record},
    )


@login_required
def activity_remove_page(request: Any, pk: Any) -> HttpResponse:
    return _remove(request, ACTIVITY, pk)


@login_required
def incident_remove_page(request: Any, pk: Any) -> HttpResponse:
    return _remove(request, INCIDENT, pk)


@login_required
def figure_remove_page(request: Any, pk: Any) -> HttpResponse:
    return _remove(request, FIGURE, pk)


def _restore(request: Any, kind: Kind, pk: Any) -> HttpResponse:
    record = kind.removed_for(request.user, pk)
    if record is None:
        raise Http404
    kind.restore(by=request.user, **{kind.argument: record})
    messages.success(request, _("Restored."))
    return redirect(kind.page, pk=record.pk)


@require_POST
@login_required
def activity_restore_page(request: Any, pk: Any) -> HttpResponse:
    return _restore(request, ACTIVITY, pk)


@require_POST
@login_required
def incident_restore_page(request: Any, pk: Any) -> HttpResponse:
    return _restore(request, INCIDENT, pk)


@require_POST
@login_required
def figure_restore_page(request: Any, pk: Any) -> HttpResponse:
    return _restore(request, FIGURE, pk)


def _shown(value: Any) -> str:
    """A field's value in the reader's language: numbers and dates as the other pages show them."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, dt.date):
        return date_label(value)
    return str(value)
