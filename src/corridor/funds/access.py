"""Who may do what to the ledger's records (``orgs.access.owned_row``). Registered with
``corridor.accounts.policy`` when Django starts (``FundsConfig.ready``).

- transfers and their disputes: rows of both sides; others (coordinators) see a transfer only
  when both legs are confirmed;
- grants: rows of the donor and the recipient, seen also by the intermediaries it went through;
- spending: written by the spending organisation's editors, read by it and the grant's parties;
- evidence (photos of receipts): seen only by the grant's parties, added by a transfer's sides
  or by the organisation that spent;
- exchange rates: reference data read by every member, written by coordinators and admins (a
  rate changes every report that converts with it, so not by any editor; decision 0237).
"""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.orgs.access import owned_row


def settled(transfer: Any) -> bool:
    """Both legs are their own side's word (or nothing has arrived yet): decision 0236."""
    return transfer.sent_state == "confirmed" and transfer.received_state != "claimed"


def transfer_rule(user: Any, action: str, transfer: Any) -> bool:
    sides = [transfer.from_organisation_id, transfer.to_organisation_id]
    if None in sides:
        return False
    allowed = owned_row(
        user, action, set(sides), [transfer.from_organisation, transfer.to_organisation]
    )
    if allowed and action in (policy.VIEW, policy.EXPORT):
        # Anyone but the two sides sees a transfer only once both sides stand behind it.
        return settled(transfer) or bool(policy.organisation_ids(user) & set(sides))
    return allowed


def grant_chain(grant: Any) -> set[Any]:
    """The organisations the grant's money went through: the sides of its transfers."""
    if grant.pk is None:
        return set()
    pairs = grant.transfers.values_list("from_organisation_id", "to_organisation_id")
    return {org for pair in pairs for org in pair}


def grant_rule(user: Any, action: str, grant: Any) -> bool:
    """The donor's and recipient's rows; the intermediaries its money went through see it too
    (they pass it on and name it on their transfers), but do not change it."""
    sides = [grant.donor_id, grant.recipient_id]
    if None in sides:
        return False
    if owned_row(user, action, set(sides), [grant.donor, grant.recipient]):
        return True
    return action == policy.VIEW and bool(policy.organisation_ids(user) & grant_chain(grant))


def dispute_rule(user: Any, action: str, dispute: Any) -> bool:
    if dispute.transfer_id is None:
        return False
    return transfer_rule(user, action, dispute.transfer)


def spending_rule(user: Any, action: str, spending: Any) -> bool:
    if spending.activity_id is None or spending.grant_id is None:
        return False
    spender = spending.activity.organisation
    if action in (policy.ADD, policy.CHANGE, policy.DELETE):
        return owned_row(user, action, {spender.pk}, [spender])
    grant = spending.grant
    return owned_row(
        user,
        action,
        {spender.pk, grant.donor_id, grant.recipient_id},
        [spender, grant.donor, grant.recipient],
    )


def rate_rule(user: Any, action: str, rate: Any) -> bool:
    if action in (policy.VIEW, policy.EXPORT):
        return policy.is_member_anywhere(user) or policy.is_coordinator(user)
    if action in (policy.ADD, policy.CHANGE, policy.DELETE):
        return policy.is_coordinator(user)
    return False


def evidence_parties(evidence: Any) -> set[Any]:
    """Who may see a piece of evidence: the transfer's two sides and its grant's donor and
    recipient; for a spending's evidence, the spending organisation and the grant's donor and
    recipient. Never coordinators: a photo of a handover can show people and places."""
    if evidence.spending_id is not None:
        spending = evidence.spending
        grant = spending.grant
        return {spending.activity.organisation_id, grant.donor_id, grant.recipient_id}
    return transfer_parties(evidence.transfer)


def transfer_parties(transfer: Any) -> set[Any]:
    """A transfer's parties: its two sides and its grant's donor and recipient (who see its
    evidence photos and the receiver's note on what arrived, decision 0366)."""
    parties = {transfer.from_organisation_id, transfer.to_organisation_id}
    if transfer.grant_id is not None:
        parties |= {transfer.grant.donor_id, transfer.grant.recipient_id}
    return parties


def evidence_writers(evidence: Any) -> set[Any]:
    """Whose editors add or delete it: a transfer's two sides (the receiver, mostly, with a
    photo of what arrived); the organisation that spent, for a spending."""
    if evidence.spending_id is not None:
        return {evidence.spending.activity.organisation_id}
    return {evidence.transfer.from_organisation_id, evidence.transfer.to_organisation_id}


def evidence_rule(user: Any, action: str, evidence: Any) -> bool:
    """Seen by the parties (``evidence_parties``); added or deleted by an editor of one of the
    writers (``evidence_writers``)."""
    if evidence.transfer_id is None and evidence.spending_id is None:
        return False
    if action in (policy.VIEW, policy.EXPORT, policy.VIEW_PROTECTED):
        return bool(policy.organisation_ids(user) & evidence_parties(evidence))
    if action in (policy.ADD, policy.DELETE):
        return bool(policy.organisation_ids(user, policy.EDIT_ROLES) & evidence_writers(evidence))
    return False


def register() -> None:
    policy.register("funds.transfer", transfer_rule, editors_add=True)
    policy.register("funds.grant", grant_rule, editors_add=True)
    policy.register("funds.dispute", dispute_rule, editors_add=True)
    policy.register("funds.spending", spending_rule, editors_add=True)
    policy.register("funds.exchangerate", rate_rule, coordinators_add=True)
    policy.register("funds.evidence", evidence_rule, editors_add=True)


def ledger_row_importable(user: Any, sides: tuple[Any, Any]) -> bool:
    """Who may bring a grant or transfer in from a file: an editor of one of its two sides
    (decision 0367). Not a coordinator or administrator of the network: they correct a record
    by hand, but a file is never a way to record money between organisations one is not in.
    ``user`` None is the instance operator (`corridor funds import` without ``--as``)."""
    if user is None:
        return True
    if not policy.is_active_user(user):
        return False
    return bool(policy.organisation_ids(user, policy.EDIT_ROLES) & {o.pk for o in sides})
