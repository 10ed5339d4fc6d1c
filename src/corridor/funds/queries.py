"""Reads of the ledger that depend on who is asking (rules: corridor.accounts.policy), and
the one rule of which transfers count in an organisation's reports (decision 0236)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet

from corridor.accounts import policy
from corridor.core.rules import Problem
from corridor.funds.access import transfer_parties
from corridor.funds.models import (
    Dispute,
    Evidence,
    ExchangeRate,
    Grant,
    LegState,
    Spending,
    Transfer,
)
from corridor.funds.rules import reporting_problems
from corridor.orgs.models import Visibility

R = TypeVar("R", Transfer, Spending, ExchangeRate)

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


def _removed_for(rows: QuerySet[R], user: Any, pk: Any) -> R | None:
    """The removed row ``pk`` of ``rows``, for a person who may restore it (who may delete
    it); None for everyone else, exactly as for an id nobody has (decision 0180)."""
    found = rows.filter(pk=pk, removed_at__isnull=False).first()
    if found is None or not policy.can(user, policy.DELETE, found):
        return None
    return found


def transfer_removed_for(user: Any, pk: Any) -> Transfer | None:
    rows = Transfer.all_objects.select_related("from_organisation", "to_organisation", "grant")
    return _removed_for(rows, user, pk)


def spending_removed_for(user: Any, pk: Any) -> Spending | None:
    rows = Spending.all_objects.select_related("grant", "activity__organisation")
    return _removed_for(rows, user, pk)


def rate_removed_for(user: Any, pk: Any) -> ExchangeRate | None:
    return _removed_for(ExchangeRate.all_objects.all(), user, pk)


def spending_removed_from(user: Any, grant: Grant) -> list[Spending]:
    """The grant's removed spending that the person may restore, for its page."""
    rows = Spending.all_objects.filter(grant=grant, removed_at__isnull=False)
    rows = rows.select_related("activity__admin_unit", "activity__organisation", "grant")
    return policy.allowed(user, policy.DELETE, rows.order_by("spent_on", "id"))


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


def rates_removed_for(user: Any) -> QuerySet[ExchangeRate]:
    """Removed rates, newest removal first, for who may restore them (decision 0237)."""
    if not policy.can(user, policy.DELETE, ExchangeRate()):
        return ExchangeRate.objects.none()
    return ExchangeRate.all_objects.filter(removed_at__isnull=False).order_by("-removed_at")


def received_note_for(user: Any, transfer: Transfer) -> str:
    """The receiver's note on what arrived (stored encrypted), for the grant's parties and
    admins as evidence photos are; empty for anyone else (decision 0366)."""
    if not policy.is_active_user(user):
        return ""
    if policy.is_admin(user) or policy.organisation_ids(user) & transfer_parties(transfer):
        return transfer.received_note
    return ""


def reporting_missing(transfer: Transfer) -> list[Problem]:
    """What the grant's reporting rule still needs for ``transfer`` (``funds.rules``), its
    photos counted as stored (removed ones do not count)."""
    if transfer.grant_id is None or not transfer.received_state:
        return []
    photos = Evidence.objects.filter(transfer=transfer).count()
    return reporting_problems(transfer, photos=photos)
