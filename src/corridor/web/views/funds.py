"""The money pages: grants and their hops, a transfer with its legs and history, recording and
correcting a transfer, confirming a leg (with a photo from a phone), disputes, evidence.

Every read goes through ``funds.queries`` (what this person may see) and every write through
``funds.services`` — the calls the API and the CLI make. Buttons appear only when the policy
allows them and the person speaks for the side concerned; the services ask again. A transfer is
removed softly with a reason, like a 4W row (decision 0180). Evidence photos are shown only to
the grant's parties and never cached (decision 0262).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from corridor.accounts import policy
from corridor.audit.queries import history_of
from corridor.core.errors import CorridorError, NotAllowed
from corridor.core.rules import today
from corridor.disclosure import internal_output
from corridor.funds import services
from corridor.funds.models import Evidence, Grant, LegState, Spending, Transfer
from corridor.funds.queries import (
    disputes_visible_to,
    evidence_visible_to,
    grants_visible_to,
    received_note_for,
    spending_removed_from,
    spending_visible_to,
    transfer_removed_for,
    transfers_visible_to,
)
from corridor.funds.reconcile import open_dispute_map, transfer_mismatches
from corridor.funds.rules import NOTE_MISSING, PARTNER_MISSING, PHOTO_MISSING, reporting_problems
from corridor.orgs.queries import OrganisationNames, organisations_visible_to
from corridor.screening.counterparties import proposed_transfer_counterparties
from corridor.web.funds_forms import (
    DisputeForm,
    EvidenceForm,
    ReceiveForm,
    ResolveForm,
    TransferForm,
)
from corridor.web.views.common import remove_page, require_or_403

RECENT = 100

#: Who must act on each kind of mismatch, in the reader's words (docs/money.md).
MISMATCH = {
    "claimed_leg": gettext_lazy("A leg written by the other side: confirm or dispute it"),
    "not_received": gettext_lazy("Sent; nobody has recorded it arriving"),
    "received_short": gettext_lazy("Less arrived than the rate promised"),
    "received_over": gettext_lazy("More arrived than the rate promised"),
    "disputed": gettext_lazy("Disputed"),
    "awaiting_partner": gettext_lazy(
        "Arrived; the donor asks the sending side to confirm the receipt too"
    ),
}
#: What a hop still lacks of its grant's reporting rule, by the rule's problem code.
MISSING = {
    PHOTO_MISSING: gettext_lazy("(photo missing)"),
    NOTE_MISSING: gettext_lazy("(note missing)"),
    PARTNER_MISSING: gettext_lazy("(awaiting the partner)"),
}


# --- Reading ------------------------------------------------------------------------------


def _transfers(user: Any) -> Any:
    return transfers_visible_to(user).select_related(
        "from_organisation", "to_organisation", "grant"
    )


def _transfer(user: Any, pk: Any) -> Transfer:
    """The transfer as the person may see it (a removed one only for who may restore it)."""
    transfer = _transfers(user).filter(pk=pk).first() or transfer_removed_for(user, pk)
    if transfer is None:
        raise Http404
    return transfer


def _live_transfer(user: Any, pk: Any) -> Transfer:
    transfer = _transfers(user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


def _leg(amount: Any, currency: str, on: Any, state: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency, "on": on, "state": state}


def _row(user: Any, names: OrganisationNames, t: Transfer, evidence: Counter) -> dict[str, Any]:
    return {
        "transfer": t,
        "sender": names.label(t.from_organisation),
        "receiver": names.label(t.to_organisation),
        "sent": _leg(t.amount, t.currency, t.sent_on, t.sent_state),
        "received": _leg(
            t.received_amount, t.received_currency, t.received_on, t.received_state or ""
        ),
        "photos": evidence.get(t.pk, 0),
    }


def _evidence_counts(user: Any, transfers: list[Transfer]) -> Counter:
    rows = evidence_visible_to(user).filter(transfer__in=[t.pk for t in transfers])
    return Counter(rows.values_list("transfer_id", flat=True))


@login_required
def money_page(request: Any) -> HttpResponse:
    """The grants and the latest transfers the person may see, with what they may do."""
    user = request.user
    names = OrganisationNames(user)
    grants = grants_visible_to(user).select_related("donor", "recipient").order_by("-pledged_on")
    transfers = list(_transfers(user).order_by("-sent_on", "id")[:RECENT])
    counts = _evidence_counts(user, transfers)
    context = {
        "grants": [
            {"grant": g, "donor": names.label(g.donor), "recipient": names.label(g.recipient)}
            for g in grants
        ],
        "transfers": [_row(user, names, t, counts) for t in transfers],
        "may_record": policy.can(user, policy.ADD, Transfer),
        "may_record_grant": policy.can(user, policy.ADD, Grant),
    }
    return render(request, "web/money.html", context)


@internal_output(
    "web.grant_page",
    role=policy.VIEW,
    what="one grant as its parties and intermediaries see it: its hops (the transfers the "
    "reader may see), their legs, evidence counts, spending and the mismatches with who must act",
)
@login_required
def grant_page(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    grant = grants_visible_to(user).select_related("donor", "recipient").filter(pk=pk).first()
    if grant is None:
        raise Http404
    names = OrganisationNames(user)
    hops = list(_transfers(user).filter(grant=grant).order_by("sent_on", "id"))
    counts = _evidence_counts(user, hops)
    disputes = open_dispute_map(grant)
    mismatches = transfer_mismatches(
        hops, today=today(), disputes=disputes, partner_asked=grant.wants_partner
    )
    rows = []
    for t in hops:
        row = _row(user, names, t, counts)
        row["disputed"] = t.pk in disputes
        # What the donor's reporting rule still lacks, by the photos this reader may see.
        lacking = reporting_problems(t, photos=row["photos"])
        row["missing"] = [MISSING[p.code] for p in lacking]
        rows.append(row)
    spending = list(
        spending_visible_to(user)
        .filter(grant=grant)
        .select_related("activity__admin_unit", "activity__organisation", "grant")
        .order_by("spent_on", "id")
    )
    photos: dict[Any, list[Any]] = {}
    for pk_spending, pk_photo in (
        evidence_visible_to(user)
        .filter(spending__in=[s.pk for s in spending])
        .order_by("created_at")
        .values_list("spending_id", "pk")
    ):
        photos.setdefault(pk_spending, []).append(pk_photo)
    context = {
        "grant": grant,
        "donor": names.label(grant.donor),
        "recipient": names.label(grant.recipient),
        "hops": rows,
        "mismatches": [
            {"m": m, "what": MISMATCH.get(m.kind, m.kind), "pk": m.transfer} for m in mismatches
        ],
        "spending": [
            {
                "s": s,
                "photos": photos.get(s.pk, []),
                "may_change": policy.can(user, policy.CHANGE, s),
                "may_remove": policy.can(user, policy.DELETE, s),
            }
            for s in spending
        ],
        "removed_spending": spending_removed_from(user, grant),
        "may_change_grant": policy.can(user, policy.CHANGE, grant),
        "may_add_spending": policy.can(user, policy.ADD, Spending),
        # The grant's reports (web/views/funds_reports.py) by the rule each of them checks.
        "can_report": policy.can(user, policy.EXPORT, grant),
        "can_custody": policy.can(user, policy.VIEW, grant),
        "can_iati": bool({grant.donor_id, grant.recipient_id} & set(policy.organisation_ids(user))),
    }
    return render(request, "web/money_grant.html", context)


def _dispute_rows(user: Any, transfer: Transfer) -> list[dict[str, Any]]:
    """The transfer's disputes; their notes (encrypted) only for the two sides."""
    notes = policy.can(user, policy.VIEW_PROTECTED, transfer)
    names = OrganisationNames(user)
    return [
        {
            "dispute": d,
            "opened_by": names.label(d.opened_by),
            "note": d.note if notes else "",
            "resolution": d.resolution if notes else "",
            "may_resolve": d.resolved_on is None and _speaks_for_a_side(user, transfer),
        }
        for d in disputes_visible_to(user).filter(transfer=transfer).select_related("opened_by")
    ]


def _speaks_for_a_side(user: Any, transfer: Transfer) -> bool:
    sides = (transfer.from_organisation, transfer.to_organisation)
    return any(services.speaks_for(user, side) for side in sides)


def _history_labels() -> dict[str, str]:
    labels = {name: str(field.label) for name, field in TransferForm.base_fields.items()}
    return {
        **labels,
        "sent_state": _("Sent leg"),
        "received_state": _("Received leg"),
        "received_note": _("Note on what arrived"),
        "partner_confirmed_on": _("Receipt confirmed by the partner"),
    }


@internal_output(
    "web.transfer_page",
    role=policy.VIEW,
    what="one transfer as the reader may see it: legs and their states, disputes, evidence "
    "photos (grant parties only), history; the reference and the agent only for the two sides",
)
@login_required
def transfer_page(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    t = _transfer(user, pk)
    names = OrganisationNames(user)
    protected = policy.can(user, policy.VIEW_PROTECTED, t)
    sender_speaks = services.speaks_for(user, t.from_organisation)
    receiver_speaks = services.speaks_for(user, t.to_organisation)
    disputes = _dispute_rows(user, t)
    evidence = evidence_visible_to(user).filter(transfer=t).order_by("created_at")
    history = [
        {"entry": entry, "who": entry.actor_label if protected else ""}
        for entry in history_of(t, _history_labels())
    ]
    context = {
        "t": t,
        "row": _row(user, names, t, Counter({t.pk: evidence.count()})),
        "grant_visible": t.grant_id is not None
        and grants_visible_to(user).filter(pk=t.grant_id).exists(),
        "protected": protected,
        "disputes": disputes,
        "evidence": evidence,
        "history": history,
        "may_confirm_sent": sender_speaks and t.sent_state == LegState.CLAIMED,
        "may_receive": receiver_speaks and t.received_state != LegState.CONFIRMED,
        "may_dispute": _speaks_for_a_side(user, t)
        and not any(d["dispute"].resolved_on is None for d in disputes),
        "may_add_photo": not t.is_removed
        and policy.can(user, policy.ADD, Evidence(transfer=t, size=1)),
        "photo_wanted": t.grant is not None and t.grant.wants_photo,
        "received_note": received_note_for(user, t),
        "may_confirm_partner": sender_speaks
        and t.grant is not None
        and t.grant.wants_partner
        and t.received_state == LegState.CONFIRMED
        and t.partner_confirmed_on is None,
    }
    return render(request, "web/money_transfer.html", context)


# --- Writing ------------------------------------------------------------------------------


def _form_page(request: Any, form: Any, title: str, back: str, **extra: Any) -> HttpResponse:
    return render(
        request,
        "web/money_form.html",
        {"form": form, "title": title, "back": back, **extra},
        # Held for a screening warning: not saved, like a refusal (decision 0340).
        status=400 if form.is_bound and (form.errors or getattr(form, "screening", None)) else 200,
    )


def _refused(form: Any, exc: Exception) -> None:
    """A service's refusal on the form: field by field where it names one."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, str(exc))


def _screening_holds(user: Any, form: TransferForm, *, transfer: Transfer | None = None) -> bool:
    """Whether the form goes back to the person: a counterparty screens as a possible match or
    a match, no decision of the paying organisation clears it, and "record anyway" is not ticked
    (decision 0340). The warning is the screening app's answer, the same the transfer's page
    shows once saved. A correction is held only for an agent it changes: the receiver was
    screened when the transfer was recorded, and its page warns still."""
    data = form.cleaned_data
    agent = data.get("intermediary") or ""
    if data.get("confirm"):
        return False
    if transfer is not None and (
        agent in ("", transfer.intermediary)
        or not policy.can(user, policy.VIEW_PROTECTED, transfer)  # the agent is not saved
    ):
        return False
    if transfer is None:
        sides = (data["from_organisation"], data["to_organisation"])
    else:
        sides = (transfer.from_organisation, transfer.to_organisation)
    found = proposed_transfer_counterparties(
        user, from_organisation=sides[0], to_organisation=sides[1], intermediary=agent
    )
    form.screening = [c for c in found if c.answer.warns and (transfer is None or c.name == agent)]
    return bool(form.screening)


@login_required
def transfer_new(request: Any) -> HttpResponse:
    user = request.user
    require_or_403(user, policy.ADD, Transfer)
    form = TransferForm(
        request.POST or None,
        organisations=organisations_visible_to(user).order_by("name"),
        grants=grants_visible_to(user).order_by("-pledged_on"),
        initial={"sent_on": today()},
    )
    if request.method == "POST" and form.is_valid() and not _screening_holds(user, form):
        try:
            transfer = services.transfer_record(
                by=user,
                from_organisation=form.cleaned_data["from_organisation"],
                to_organisation=form.cleaned_data["to_organisation"],
                **form.values(),
            )
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("web:transfer", pk=transfer.pk)
    return _form_page(request, form, _("Record a transfer"), reverse("web:money"))


@login_required
def transfer_edit(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    t = _live_transfer(user, pk)
    require_or_403(user, policy.CHANGE, t)
    initial = {name: getattr(t, name) for name in TransferForm.base_fields if name != "confirm"}
    initial["from_organisation"], initial["to_organisation"] = (
        t.from_organisation_id,
        t.to_organisation_id,
    )
    initial["grant"] = t.grant_id
    form = TransferForm(
        request.POST or None,
        organisations=organisations_visible_to(user).filter(
            pk__in=[t.from_organisation_id, t.to_organisation_id]
        ),
        grants=grants_visible_to(user).order_by("-pledged_on"),
        fixed_sides=True,
        initial=initial,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and not _screening_holds(user, form, transfer=t)
    ):
        values = form.values()
        if not policy.can(user, policy.VIEW_PROTECTED, t):
            values.pop("reference", None)
            values.pop("intermediary", None)
        # Only what changed: 120000 typed is the 120000.00 stored, not a correction of it.
        values = {k: v for k, v in values.items() if getattr(t, k) != v}
        try:
            services.transfer_update(by=user, transfer=t, **values)
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Corrected. The change is in the history below."))
            return redirect("web:transfer", pk=t.pk)
    return _form_page(request, form, _("Correct this transfer"), reverse("web:transfer", args=[pk]))


@login_required
def transfer_confirm_page(request: Any, pk: Any) -> HttpResponse:
    """The receiver says what arrived — or confirms what the sender wrote — with a photo; the
    sender confirms a sent leg the receiver wrote."""
    user = request.user
    t = _live_transfer(user, pk)
    require_or_403(user, policy.CHANGE, t)
    back = reverse("web:transfer", args=[t.pk])
    if request.method == "POST" and request.POST.get("leg") == services.SENT:
        try:
            services.transfer_confirm(by=user, transfer=t, leg=services.SENT)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        messages.success(request, _("The sent leg is confirmed."))
        return redirect(back)
    if request.method == "POST" and request.POST.get("leg") == "partner":
        try:
            services.transfer_partner_confirm(by=user, transfer=t)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        except CorridorError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The receipt is confirmed as the partner."))
        return redirect(back)
    if not services.speaks_for(user, t.to_organisation):
        raise PermissionDenied(_("Only an editor of the receiving organisation confirms this."))
    expected = t.received_amount
    if expected is None and t.rate is not None:
        expected = t.net_sent * t.rate
    initial = {
        "received_amount": expected if expected is not None else t.net_sent,
        "received_currency": t.received_currency or t.currency,
        "received_on": t.received_on or today(),
    }
    initial["received_note"] = t.received_note
    grant = t.grant
    photo_wanted = grant is not None and grant.wants_photo
    note_wanted = grant is not None and grant.wants_note
    form = ReceiveForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        photo_required=photo_wanted,
        note_required=note_wanted,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data.get("photo")
        try:
            # The one call the API's receipt makes too: figures, note and photo, all or
            # nothing, the grant's reporting rule asked last (decision 0366).
            services.transfer_receipt(
                by=user,
                transfer=t,
                amount=data["received_amount"],
                currency=data["received_currency"],
                on=data["received_on"],
                note=data["received_note"],
                photos=[(photo.name, photo.read())] if photo else [],
            )
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Confirmed. Thank you."))
            return redirect(back)
    names = OrganisationNames(user)
    intro = _("%(amount)s %(currency)s sent by %(sender)s on %(day)s.") % {
        "amount": t.amount,
        "currency": t.currency,
        "sender": names.label(t.from_organisation),
        "day": t.sent_on.isoformat(),
    }
    return _form_page(
        request,
        form,
        _("Confirm what arrived"),
        back,
        intro=intro,
        multipart=True,
        photo_wanted=photo_wanted,
        note_wanted=note_wanted,
        partner_wanted=grant is not None and grant.wants_partner,
        sender=names.label(t.from_organisation),
        submit=_("Confirm"),
    )


@login_required
def evidence_add_page(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    t = _live_transfer(user, pk)
    require_or_403(user, policy.ADD, Evidence(transfer=t, size=1))
    form = EvidenceForm(request.POST or None, request.FILES or None)
    back = reverse("web:transfer", args=[t.pk])
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data["photo"]
        try:
            services.evidence_add(by=user, transfer=t, filename=photo.name, data=photo.read())
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The photo is kept, without where and when it was taken."))
            return redirect(back)
    return _form_page(request, form, _("Add a photo"), back, multipart=True, submit=_("Upload"))


@internal_output(
    "web.evidence_file",
    role=policy.VIEW,
    what="one evidence photo, stripped of EXIF and GPS when it was uploaded, for the grant's "
    "parties only; never cached",
)
@login_required
def evidence_file(request: Any, pk: Any) -> HttpResponse:
    evidence = evidence_visible_to(request.user).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    answer = HttpResponse(bytes(evidence.content), content_type=evidence.content_type)
    answer["Content-Disposition"] = "inline"
    answer["Cache-Control"] = "private, no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


@login_required
def dispute_open_page(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    t = _live_transfer(user, pk)
    if not _speaks_for_a_side(user, t):
        raise PermissionDenied(_("Only an editor of one of the two sides opens a dispute."))
    form = DisputeForm(request.POST or None)
    back = reverse("web:transfer", args=[t.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_open(by=user, transfer=t, note=form.cleaned_data["note"])
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Disputed. It counts in nobody's reports until resolved."))
            return redirect(back)
    return _form_page(request, form, _("Dispute this transfer"), back, submit=_("Open a dispute"))


@login_required
def dispute_resolve_page(request: Any, pk: Any) -> HttpResponse:
    user = request.user
    dispute = disputes_visible_to(user).select_related("transfer").filter(pk=pk).first()
    if dispute is None or dispute.resolved_on is not None:
        raise Http404
    if not _speaks_for_a_side(user, dispute.transfer):
        raise PermissionDenied(_("Only an editor of one of the two sides resolves a dispute."))
    form = ResolveForm(request.POST or None)
    back = reverse("web:transfer", args=[dispute.transfer_id])
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_resolve(
                by=user, dispute=dispute, resolution=form.cleaned_data["resolution"]
            )
        except (CorridorError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Resolved."))
            return redirect(back)
    return _form_page(request, form, _("Resolve the dispute"), back, submit=_("Resolve"))


@login_required
def transfer_remove_page(request: Any, pk: Any) -> HttpResponse:
    t = _transfer(request.user, pk)
    return remove_page(
        request,
        t,
        remove=lambda reason: services.transfer_remove(by=request.user, transfer=t, reason=reason),
        page="web:transfer",
        back="web:money",
        refused=_("Say why this transfer is removed."),
        shown={"transfer": t},
    )


@require_POST
@login_required
def transfer_restore_page(request: Any, pk: Any) -> HttpResponse:
    t = transfer_removed_for(request.user, pk)
    if t is None:
        raise Http404
    services.transfer_restore(by=request.user, transfer=t)
    messages.success(request, _("Restored."))
    return redirect("web:transfer", pk=t.pk)
