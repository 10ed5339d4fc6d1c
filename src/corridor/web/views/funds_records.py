"""Recording and correcting grants, spending (with a photo) and exchange rates in the browser.

The same calls as the API and the CLI (``funds.services``): the forms check the shape of what was
typed, the services ask the access policy and the ledger's rules. The pages open only for who
the policy lets write (``require_or_403``); a spending's photo goes through ``evidence_add``,
which strips its metadata, in the same transaction as the spending.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import policy
from corridor.aid.queries import activities_visible_to
from corridor.core.errors import CorridorError
from corridor.core.rules import today
from corridor.funds import services
from corridor.funds.models import ExchangeRate, Grant, Spending
from corridor.funds.queries import (
    grants_visible_to,
    rate_removed_for,
    rates_removed_for,
    rates_visible_to,
    spending_removed_for,
    spending_visible_to,
)
from corridor.orgs.queries import organisations_visible_to
from corridor.web.funds_forms import GrantForm, RateForm, SpendingForm
from corridor.web.views.common import remove_page, require_or_403
from corridor.web.views.funds import _form_page, _refused

#: Rates shown on the rates page, newest first.
RATES_SHOWN = 200


# --- Grants -------------------------------------------------------------------------------


def _visible_grant(user: Any, pk: Any) -> Grant:
    grant = grants_visible_to(user).select_related("donor", "recipient").filter(pk=pk).first()
    if grant is None:
        raise Http404
    return grant


@login_required
def grant_new(request: Any) -> HttpResponse:
    user = request.user
    require_or_403(user, policy.ADD, Grant)
    form = GrantForm(
        request.POST or None,
        organisations=organisations_visible_to(user).order_by("name"),
        initial={"pledged_on": today(), "starts_on": today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_record(
                by=user,
                donor=form.cleaned_data["donor"],
                recipient=form.cleaned_data["recipient"],
                **form.values(),
            )
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("web:grant", pk=grant.pk)
    return _form_page(request, form, _("Record a grant"), reverse("web:money"))


@login_required
def grant_edit(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    grant = _visible_grant(user, pk)
    require_or_403(user, policy.CHANGE, grant)
    initial = {name: getattr(grant, name) for name in GrantForm.base_fields}
    initial["donor"], initial["recipient"] = grant.donor_id, grant.recipient_id
    form = GrantForm(
        request.POST or None,
        organisations=organisations_visible_to(user).filter(
            pk__in=[grant.donor_id, grant.recipient_id]
        ),
        fixed_sides=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        # Only what changed: 5000 typed is the 5000.00 stored, not a correction of it.
        values = {k: v for k, v in form.values().items() if getattr(grant, k) != v}
        try:
            services.grant_update(by=user, grant=grant, **values)
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Corrected."))
            return redirect("web:grant", pk=grant.pk)
    return _form_page(request, form, _("Correct this grant"), reverse("web:grant", args=[pk]))


# --- Spending -----------------------------------------------------------------------------


def _spendable_activities(user: Any) -> Any:
    """The activities the person may charge spending to: those of the organisations they edit
    for (all an admin sees)."""
    rows = activities_visible_to(user).select_related("admin_unit")
    if not policy.is_admin(user):
        rows = rows.filter(organisation_id__in=policy.organisation_ids(user, policy.EDIT_ROLES))
    return rows.order_by("-reporting_month", "sector", "id")


@transaction.atomic
def _spending_write(user: Any, grant: Grant, spending: Spending | None, data: dict) -> Spending:
    """Record or correct the spending and keep its photo, all or nothing: a refused photo
    leaves no spending (or the spending as it was)."""
    values = {name: data[name] for name in ("activity", "amount", "currency", "spent_on")}
    if spending is None:
        spending = services.spending_record(by=user, grant=grant, **values)
    else:
        values = {k: v for k, v in values.items() if getattr(spending, k) != v}
        spending = services.spending_update(by=user, spending=spending, **values)
    photo = data.get("photo")
    if photo:
        services.evidence_add(by=user, spending=spending, filename=photo.name, data=photo.read())
    return spending


def _spending_page(
    request: Any, grant: Grant, spending: Spending | None, title: str
) -> HttpResponse:
    user = request.user
    if spending is None:
        initial = {"currency": grant.currency, "spent_on": today()}
    else:
        initial = {n: getattr(spending, n) for n in ("amount", "currency", "spent_on")}
        initial["activity"] = spending.activity_id
    form = SpendingForm(
        request.POST or None,
        request.FILES or None,
        activities=_spendable_activities(user),
        initial=initial,
    )
    back = reverse("web:grant", args=[grant.pk])
    if request.method == "POST" and form.is_valid():
        try:
            _spending_write(user, grant, spending, form.cleaned_data)
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect(back)
    intro = _("Spending of the grant %(title)s.") % {"title": grant.title}
    return _form_page(request, form, title, back, intro=intro, multipart=True)


@login_required
def spending_new(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    grant = _visible_grant(user, pk)
    require_or_403(user, policy.ADD, Spending)
    return _spending_page(request, grant, None, _("Record spending"))


@login_required
def spending_edit(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    spending = (
        spending_visible_to(user)
        .select_related("grant__donor", "grant__recipient", "activity__organisation")
        .filter(pk=pk)
        .first()
    )
    if spending is None:
        raise Http404
    require_or_403(user, policy.CHANGE, spending)
    return _spending_page(request, spending.grant, spending, _("Correct this spending"))


@login_required
def spending_remove_page(request: Any, pk: Any) -> HttpResponse:
    """Remove a spending softly, with a reason (web/views/common.remove_page); the grant's
    page lists it afterwards, with a button to restore it, to those who may."""
    user = request.user
    spending = (
        spending_visible_to(user).select_related("grant", "activity__organisation").filter(pk=pk)
    ).first() or spending_removed_for(user, pk)
    if spending is None:
        raise Http404
    return remove_page(
        request,
        spending,
        remove=lambda reason: services.spending_remove(by=user, spending=spending, reason=reason),
        page=None,
        back=reverse("web:grant", args=[spending.grant_id]),
        refused=_("Say why this spending is removed."),
        shown={"spending": spending},
        done=_("Removed. The grant's page lists it under removed spending, to restore."),
    )


@require_POST
@login_required
def spending_restore_page(request: Any, pk: Any) -> HttpResponse:
    spending = spending_removed_for(request.user, pk)
    if spending is None:
        raise Http404
    services.spending_restore(by=request.user, spending=spending)
    messages.success(request, _("Restored."))
    return redirect("web:grant", pk=spending.grant_id)


# --- Exchange rates -----------------------------------------------------------------------


@login_required
def rates_page(request: Any) -> HttpResponse:
    """The rate table every report converts with, newest first, and who may add to it."""
    user = request.user
    require_or_403(user, policy.VIEW, ExchangeRate)
    rows = rates_visible_to(user)
    context = {
        "rates": rows[:RATES_SHOWN],
        "count": rows.count(),
        "shown": RATES_SHOWN,
        # Who may add a rate may correct, remove and restore one (funds.access.rate_rule).
        "may_write": policy.can(user, policy.ADD, ExchangeRate),
    }
    context["removed"] = rates_removed_for(user)[:RATES_SHOWN]
    return render(request, "web/money_rates.html", context)


@login_required
def rate_new(request: Any) -> HttpResponse:
    user = request.user
    require_or_403(user, policy.ADD, ExchangeRate)
    form = RateForm(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.rate_record(by=user, **form.cleaned_data)
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("web:rates")
    return _form_page(request, form, _("Add an exchange rate"), reverse("web:rates"))


@login_required
def rate_edit(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    rate = rates_visible_to(user).filter(pk=pk).first()
    if rate is None:
        raise Http404
    require_or_403(user, policy.CHANGE, rate)
    initial = {name: getattr(rate, name) for name in RateForm.base_fields}
    form = RateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if getattr(rate, k) != v}
        try:
            services.rate_update(by=user, row=rate, **values)
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Corrected. Every report that converts with it changes."))
            return redirect("web:rates")
    return _form_page(request, form, _("Correct this rate"), reverse("web:rates"))


@login_required
def rate_remove_page(request: Any, pk: Any) -> HttpResponse:
    """Remove a rate softly, with a reason (web/views/common.remove_page); the rates page
    lists it afterwards, with a button to restore it, to those who may."""
    user = request.user
    rate = rates_visible_to(user).filter(pk=pk).first() or rate_removed_for(user, pk)
    if rate is None:
        raise Http404
    return remove_page(
        request,
        rate,
        remove=lambda reason: services.rate_remove(by=user, row=rate, reason=reason),
        page=None,
        back=reverse("web:rates"),
        refused=_("Say why this rate is removed."),
        shown={"rate": rate},
        done=_("Removed. No report converts with it now; the rates page lists it, to restore."),
    )


@require_POST
@login_required
def rate_restore_page(request: Any, pk: Any) -> HttpResponse:
    rate = rate_removed_for(request.user, pk)
    if rate is None:
        raise Http404
    try:
        services.rate_restore(by=request.user, row=rate)
    except CorridorError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Restored."))
    return redirect("web:rates")
