"""Reads of the ledger that depend on who is asking (rules: corridor.accounts.policy), and
the one rule of which transfers count in an organisation's reports (decision 0236)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from corridor.accounts import policy
from corridor.funds.models import (
    Dispute,
    Evidence,
    ExchangeRate,
    Grant,
    LegState,
    Spending,
    Transfer,
)
from corridor.orgs.models import Visibility

#: Both legs are each side's own word (or the money has not arrived yet): a transfer anyone
#: other than its two sides may count.
SETTLED = Q(sent_state=LegState.CONFIRMED) & ~Q(received_state=LegState.CLAIMED)


def _open_dispute() -> Exists:
    return Exists(Dispute.objects.filter(transfer=OuterRef("pk"), resolved_on__isnull=True))


def transfers_visible_to(user: Any) -> QuerySet[Transfer]:
    """Transfers either side of which the user belongs to (claims included: they are there to
    be confirmed or disputed); coordinators also those between two non-anonymous organisations
    whose legs are confirmed (a money route can expose an anonymous group; a claim is not yet
    anyone's word)."""
    if not policy.is_active_user(user):
        return Transfer.objects.none()
    if policy.is_admin(user):
        return Transfer.objects.all()
    mine = policy.organisation_ids(user)
    visible = Q(from_organisation_id__in=mine) | Q(to_organisation_id__in=mine)
    if policy.is_coordinator(user):
        visible |= (
            ~Q(from_organisation__visibility=Visibility.ANONYMOUS)
            & ~Q(to_organisation__visibility=Visibility.ANONYMOUS)
            & SETTLED
        )
    return Transfer.objects.filter(visible)


def transfers_counting_for(organisation: Any) -> QuerySet[Transfer]:
    """The transfers that may appear in ``organisation``'s reports and exports (its IATI file):
    those of which its own leg is confirmed — the sent leg when it sent, the received leg when it
    received — and no dispute is open. A transfer someone else recorded in its name is not among
    them until it confirms."""
    own = Q(from_organisation=organisation, sent_state=LegState.CONFIRMED) | Q(
        to_organisation=organisation, received_state=LegState.CONFIRMED
    )
    return Transfer.objects.filter(own).exclude(_open_dispute())


def transfers_settled() -> QuerySet[Transfer]:
    """Transfers both sides stand behind, with no open dispute: what network-wide totals count."""
    return Transfer.objects.filter(SETTLED).exclude(_open_dispute())


def grants_visible_to(user: Any) -> QuerySet[Grant]:
    """Grants of the user's organisations (donor, recipient, or a side of one of its
    transfers); coordinators also those between non-anonymous organisations."""
    if not policy.is_active_user(user):
        return Grant.objects.none()
    if policy.is_admin(user):
        return Grant.objects.all()
    mine = policy.organisation_ids(user)
    chain = Transfer.objects.filter(
        Q(from_organisation_id__in=mine) | Q(to_organisation_id__in=mine), grant__isnull=False
    ).values("grant_id")
    visible = Q(donor_id__in=mine) | Q(recipient_id__in=mine) | Q(pk__in=chain)
    if policy.is_coordinator(user):
        visible |= ~Q(donor__visibility=Visibility.ANONYMOUS) & ~Q(
            recipient__visibility=Visibility.ANONYMOUS
        )
    return Grant.objects.filter(visible)


def spending_visible_to(user: Any) -> QuerySet[Spending]:
    if not policy.is_active_user(user):
        return Spending.objects.none()
    if policy.is_admin(user):
        return Spending.objects.all()
    mine = policy.organisation_ids(user)
    visible = (
        Q(activity__organisation_id__in=mine)
        | Q(grant__donor_id__in=mine)
        | Q(grant__recipient_id__in=mine)
    )
    if policy.is_coordinator(user):
        visible |= (
            ~Q(activity__organisation__visibility=Visibility.ANONYMOUS)
            & ~Q(grant__donor__visibility=Visibility.ANONYMOUS)
            & ~Q(grant__recipient__visibility=Visibility.ANONYMOUS)
        )
    return Spending.objects.filter(visible)


def rates_visible_to(user: Any) -> QuerySet[ExchangeRate]:
    """The rate table: reference data every member and coordinator reads."""
    if not policy.is_active_user(user):
        return ExchangeRate.objects.none()
    if policy.is_admin(user) or policy.is_member_anywhere(user) or policy.is_coordinator(user):
        return ExchangeRate.objects.all()
    return ExchangeRate.objects.none()


def transfer_removed_for(user: Any, pk: Any) -> Transfer | None:
    """A removed transfer, for a person who may restore it (who may delete it); None for
    everyone else, exactly as for an id nobody has (decision 0180)."""
    transfer = (
        Transfer.all_objects.filter(pk=pk, removed_at__isnull=False)
        .select_related("from_organisation", "to_organisation", "grant")
        .first()
    )
    if transfer is None or not policy.can(user, policy.DELETE, transfer):
        return None
    return transfer


def disputes_visible_to(user: Any) -> QuerySet[Dispute]:
    """Disputes on the transfers the user sees."""
    return Dispute.objects.filter(transfer__in=transfers_visible_to(user))


def evidence_visible_to(user: Any) -> QuerySet[Evidence]:
    """Evidence the grant's parties see: the transfer's two sides and its grant's donor and
    recipient, or the spending organisation and the grant's donor and recipient
    (``funds.access.evidence_rule``); nobody else but admins. A removed transfer's evidence
    leaves with it for everyone but admins, and so does a removed spending's."""
    if not policy.is_active_user(user):
        return Evidence.objects.none()
    if policy.is_admin(user):
        return Evidence.objects.all()
    live = Q(spending__isnull=False, spending__removed_at__isnull=True) | Q(
        transfer__isnull=False, transfer__removed_at__isnull=True
    )
    mine = policy.organisation_ids(user)
    visible = (
        Q(transfer__from_organisation_id__in=mine)
        | Q(transfer__to_organisation_id__in=mine)
        | Q(transfer__grant__donor_id__in=mine)
        | Q(transfer__grant__recipient_id__in=mine)
        | Q(spending__activity__organisation_id__in=mine)
        | Q(spending__grant__donor_id__in=mine)
        | Q(spending__grant__recipient_id__in=mine)
    )
    return Evidence.objects.filter(visible).filter(live)
