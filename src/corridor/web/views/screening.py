"""Screening pages: deciding on a possible match, an organisation's decisions with their audit
trail, and a grant's screening report (docs/screening.md). The warning on a transfer's page is
the ``screening_warnings`` tag (``web/templatetags/screening_web.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import policy
from corridor.audit.queries import history_of
from corridor.core.errors import CorridorError
from corridor.funds.queries import grants_visible_to
from corridor.orgs.queries import organisations_visible_to
from corridor.screening.counterparties import grant_counterparties
from corridor.screening.models import ScreeningDecision, Verdict
from corridor.screening.queries import decisions_visible_to, entity_for
from corridor.screening.services import decision_record


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Your decision"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "What you checked (a registration, an address, the owner). Kept in the audit trail."
        ),
    )


def _back(request: Any) -> str:
    wanted = request.GET.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return reverse("web:screening_decisions")


@login_required
def decision_page(request: Any) -> HttpResponse:
    """Confirm or dismiss one possible match: ``?name=&entity=&organisation=&next=``."""
    user = request.user
    try:
        entity = entity_for(user, request.GET.get("entity", ""))
    except (CorridorError, ValidationError) as exc:
        raise Http404 from exc
    organisation = organisations_visible_to(user).filter(pk=request.GET.get("organisation")).first()
    name = request.GET.get("name", "").strip()
    if organisation is None or not name:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision_record(by=user, organisation=organisation, name=name, entity=entity,
                            **form.cleaned_data)  # fmt: skip
        except (CorridorError, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(_back(request))
    intro = _("%(name)s may be %(entity)s (list %(list)s, programme %(programme)s).") % {
        "name": name, "entity": entity.name, "list": entity.entity_list.name,
        "programme": entity.programme or "—",
    }  # fmt: skip
    return render(
        request,
        "web/money_form.html",
        {
            "form": form,
            "title": _("Screening: decide on a match"),
            "back": _back(request),
            "intro": intro,
            "submit": _("Record the decision"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def decisions_page(request: Any) -> HttpResponse:
    """Your organisations' decisions on matches, each with its audit trail."""
    rows = [
        {"decision": d, "history": history_of(d)} for d in decisions_visible_to(request.user)[:200]
    ]
    return render(request, "web/screening_decisions.html", {"rows": rows})


@login_required
def grant_screening_page(request: Any, pk: Any) -> HttpResponse:
    """Everyone the grant's money reached that the reader may see by name, screened."""
    user = request.user
    grant = grants_visible_to(user).select_related("donor", "recipient").filter(pk=pk).first()
    if grant is None:
        raise Http404
    found = grant_counterparties(user, grant)
    context = {
        "grant": grant,
        "rows": found,
        "warnings": sum(c.answer.warns for c in found),
        "may_decide": {
            probe.organisation_id
            for probe in policy.allowed(user, policy.ADD, [_probe(c.payer) for c in found])
        },
        "here": request.get_full_path(),
    }
    return render(request, "web/screening_grant.html", context)


def _probe(organisation: Any) -> ScreeningDecision:
    """An unsaved decision of ``organisation``: asks the policy whether the reader may make one."""
    return ScreeningDecision(organisation=organisation)
