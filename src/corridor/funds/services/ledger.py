"""Writes to the ledger: grants, transfers and their legs, disputes, spending.

Each checks the access policy first, then writes and audits in one transaction. A leg is
*confirmed* only when an editor of its own organisation writes or confirms it; written by anyone
else it is *claimed* (decision 0236). Changing a leg's figures makes it the writer's claim again
unless the writer is of the leg's side.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from corridor.accounts import policy
from corridor.audit.services import (
    audited_create,
    audited_delete,
    audited_remove,
    audited_restore,
    audited_update,
)
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.core.rules import today
from corridor.funds.models import Dispute, Grant, LegState, Spending, Transfer
from corridor.funds.rules import transfer_clean

SENT_LEG = frozenset({"amount", "currency", "sent_on", "fee"})
RECEIVED_LEG = frozenset({"received_amount", "received_currency", "received_on"})
# The two sides are fixed at creation: a transfer between other organisations is a new record.
TRANSFER_UPDATABLE = (
    SENT_LEG | RECEIVED_LEG | {"channel", "reference", "intermediary", "rate", "grant"}
)
GRANT_UPDATABLE = frozenset(
    {"title", "amount", "currency", "pledged_on", "starts_on", "ends_on", "purpose", "sectors",
     "reporting"}
)  # fmt: skip
SENT, RECEIVED = "sent", "received"


def _only(kind: str, values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InvalidInput(f"{kind}: field(s) {', '.join(unknown)} cannot be set")


def speaks_for(by: Any, organisation: Any) -> bool:
    """Whether ``by`` writes as ``organisation``: one of its editors (not an admin of the
    network, not a coordinator: they may record, but only the side itself confirms)."""
    if by is None or organisation is None or not policy.is_active_user(by):
        return False
    return organisation.pk in policy.organisation_ids(by, policy.EDIT_ROLES)


def _state(by: Any, organisation: Any) -> str:
    return LegState.CONFIRMED if speaks_for(by, organisation) else LegState.CLAIMED


def _grant_visible(by: Any, grant: Grant | None) -> None:
    if grant is not None:
        policy.require(by, policy.VIEW, grant)


# --- Grants ------------------------------------------------------------------------------------


def grant_record(*, by: Any, donor: Any, recipient: Any, **values: Any) -> Grant:
    """Record a donor's pledge to a recipient; an editor of either side records it."""
    _only("grant", values, GRANT_UPDATABLE)
    grant = Grant(donor=donor, recipient=recipient, **values)
    policy.require(by, policy.ADD, grant)
    return audited_create(grant, by=by)


def grant_update(*, by: Any, grant: Grant, **values: Any) -> Grant:
    _only("grant", values, GRANT_UPDATABLE)
    policy.require(by, policy.CHANGE, grant)
    return audited_update(grant, by=by, **values)


# --- Transfers ---------------------------------------------------------------------------------


def transfer_record(
    *, by: Any, from_organisation: Any, to_organisation: Any, **values: Any
) -> Transfer:
    """Record money sent from one organisation to another, and what arrived if known.

    The user edits for either side. The legs of the user's own side are confirmed; the other
    side's are claims until that side confirms them (``transfer_confirm``).
    """
    _only("transfer", values, TRANSFER_UPDATABLE)
    transfer = Transfer(
        from_organisation=from_organisation, to_organisation=to_organisation, **values
    )
    policy.require(by, policy.ADD, transfer)
    _grant_visible(by, transfer.grant)
    transfer.sent_state = _state(by, from_organisation)
    # An amount or a date says something arrived; a currency alone (the form sends "" for
    # none) does not, as in ``transfer_update``.
    if any(values.get(name) is not None for name in ("received_amount", "received_on")):
        transfer.received_state = _state(by, to_organisation)
    transfer_clean(transfer)
    return audited_create(transfer, by=by)


def transfer_update(*, by: Any, transfer: Transfer, **values: Any) -> Transfer:
    """Correct a transfer. A leg whose figures change becomes the writer's: confirmed when the
    writer is of the leg's side, else a claim the side must confirm again."""
    _only("transfer", values, TRANSFER_UPDATABLE)
    policy.require(by, policy.CHANGE, transfer)
    if "grant" in values:
        _grant_visible(by, values["grant"])
    changed = {name for name, value in values.items() if getattr(transfer, name) != value}
    if changed & SENT_LEG:
        values["sent_state"] = _state(by, transfer.from_organisation)
    if changed & RECEIVED_LEG:
        received = [values.get(n, getattr(transfer, n)) for n in ("received_amount", "received_on")]
        values["received_state"] = (
            "" if all(v is None for v in received) else _state(by, transfer.to_organisation)
        )
        if values["received_state"] == "":
            values["received_currency"] = ""
    for name, value in values.items():
        setattr(transfer, name, value)
    transfer_clean(transfer)
    return audited_update(transfer, by=by, **values)


def transfer_receive(
    *, by: Any, transfer: Transfer, amount: Any, currency: str, on: dt.date
) -> Transfer:
    """Record what arrived: the receiver's editors confirm it by writing it; anyone else of
    the two sides writes a claim."""
    return transfer_update(
        by=by, transfer=transfer, received_amount=amount, received_currency=currency, received_on=on
    )


def transfer_confirm(*, by: Any, transfer: Transfer, leg: str) -> Transfer:
    """The leg's own organisation says the other side's claim is right."""
    if leg not in (SENT, RECEIVED):
        raise InvalidInput(f"leg: {leg!r} is neither {SENT!r} nor {RECEIVED!r}")
    policy.require(by, policy.CHANGE, transfer)
    side = transfer.from_organisation if leg == SENT else transfer.to_organisation
    if not speaks_for(by, side):
        raise NotAllowed(f"only an editor of {side} confirms the {leg} leg")
    if leg == RECEIVED and not transfer.received_state:
        raise InvalidInput("nothing to confirm: no received amount is recorded; record it")
    field = "sent_state" if leg == SENT else "received_state"
    return audited_update(transfer, by=by, **{field: LegState.CONFIRMED})


def transfer_delete(*, by: Any, transfer: Transfer) -> None:
    policy.require(by, policy.DELETE, transfer)
    audited_delete(transfer, by=by)


def transfer_remove(*, by: Any, transfer: Transfer, reason: str) -> Transfer:
    """Remove a transfer softly, with the reason given (decision 0180): it leaves custody,
    reconciliation, lists, exports and the API; its history keeps it and it can be restored."""
    policy.require(by, policy.DELETE, transfer)
    return audited_remove(transfer, by=by, reason=reason)


def transfer_restore(*, by: Any, transfer: Transfer) -> Transfer:
    """Undo ``transfer_remove``; whoever may remove it may restore it."""
    policy.require(by, policy.DELETE, transfer)
    return audited_restore(transfer, by=by)


# --- Disputes ----------------------------------------------------------------------------------


def _side_of(by: Any, transfer: Transfer) -> Any:
    for side in (transfer.to_organisation, transfer.from_organisation):
        if speaks_for(by, side):
            return side
    raise NotAllowed("only an editor of one of the two sides opens or resolves a dispute")


def dispute_open(*, by: Any, transfer: Transfer, note: str, on: dt.date | None = None) -> Dispute:
    """One side says the transfer is wrong; it counts in nobody's reports until resolved."""
    dispute = Dispute(transfer=transfer, opened_by=None, opened_on=on or today(), note=note)
    policy.require(by, policy.ADD, dispute)
    dispute.opened_by = _side_of(by, transfer)
    return audited_create(dispute, by=by)


def dispute_resolve(
    *, by: Any, dispute: Dispute, resolution: str, on: dt.date | None = None
) -> Dispute:
    policy.require(by, policy.CHANGE, dispute)
    _side_of(by, dispute.transfer)
    if dispute.resolved_on is not None:
        raise InvalidInput("this dispute is resolved already")
    return audited_update(dispute, by=by, resolved_on=on or today(), resolution=resolution)


def dispute_remove(*, by: Any, dispute: Dispute, reason: str) -> Dispute:
    """Remove a dispute opened by mistake, softly and with the reason (decision 0180)."""
    policy.require(by, policy.DELETE, dispute)
    return audited_remove(dispute, by=by, reason=reason)


# --- Spending ----------------------------------------------------------------------------------


def spending_record(
    *, by: Any, grant: Grant, activity: Any, amount: Any, currency: str, spent_on: dt.date
) -> Spending:
    """Money of ``grant`` spent on a 4W activity, written by the activity's organisation."""
    spending = Spending(
        grant=grant, activity=activity, amount=amount, currency=currency, spent_on=spent_on
    )
    policy.require(by, policy.ADD, spending)
    policy.require(by, policy.VIEW, grant)
    return audited_create(spending, by=by)


SPENDING_UPDATABLE = frozenset({"amount", "currency", "spent_on", "activity"})


def spending_update(*, by: Any, spending: Spending, **values: Any) -> Spending:
    """Correct a spending: its amount, currency, day or activity (of the same organisation's
    editors: the policy asks again for the new activity)."""
    _only("spending", values, SPENDING_UPDATABLE)
    policy.require(by, policy.CHANGE, spending)
    if "activity" in values and values["activity"] != spending.activity:
        policy.require(by, policy.ADD, Spending(grant=spending.grant, activity=values["activity"]))
    return audited_update(spending, by=by, **values)


def spending_remove(*, by: Any, spending: Spending, reason: str) -> Spending:
    """Remove a spending softly, with the reason given (decision 0180, as a transfer): it
    leaves custody, reconciliation, reports, lists and the API; its history keeps it."""
    policy.require(by, policy.DELETE, spending)
    return audited_remove(spending, by=by, reason=reason)


def spending_restore(*, by: Any, spending: Spending) -> Spending:
    """Undo ``spending_remove``; whoever may remove it may restore it."""
    policy.require(by, policy.DELETE, spending)
    return audited_restore(spending, by=by)
