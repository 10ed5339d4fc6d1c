"""Writes to the ledger: grants, transfers and their legs, disputes, spending.

Each checks the access policy first, then writes and audits in one transaction. A leg is
*confirmed* only when an editor of its own organisation writes or confirms it; written by anyone
else it is *claimed* (decision 0236). Changing a leg's figures makes it the writer's claim again
unless the writer is of the leg's side.

Every write that leaves a received leg confirmed by the receiver asks ``reporting_require``
last, inside its transaction: the grant's reporting rule (a note, a photo) must have what it
asks, or nothing is written (decision 0366). The photos come with the call (``photos``), so
they are kept in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from corridor.accounts import policy
from corridor.audit.services import (
    audited_create,
    audited_delete,
    audited_remove,
    audited_restore,
    audited_update,
)
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.core.rules import refuse, today
from corridor.funds.models import Dispute, Grant, LegState, Spending, Transfer
from corridor.funds.queries import reporting_missing
from corridor.funds.rules import RECEIVER_GIVES, transfer_clean
from corridor.funds.services.evidence import evidence_add

SENT_LEG = frozenset({"amount", "currency", "sent_on", "fee"})
RECEIVED_LEG = frozenset({"received_amount", "received_currency", "received_on"})
# The two sides are fixed at creation: a transfer between other organisations is a new record.
TRANSFER_UPDATABLE = SENT_LEG | RECEIVED_LEG | {
    "channel", "reference", "intermediary", "rate", "grant", "received_note"
}  # fmt: skip
#: A photo of a receipt as it came: the file's name and its bytes (``evidence_add`` strips it).
Photo = tuple[str, bytes]
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


def _note_by_receiver(by: Any, to_organisation: Any, *, changed: bool) -> None:
    """The note on what arrived is the receiver's own word: only its editors write it."""
    if changed and not speaks_for(by, to_organisation):
        raise NotAllowed(f"only an editor of {to_organisation} writes the note on what arrived")


def reporting_require(transfer: Transfer) -> None:
    """Refuse a received leg the receiver confirms without what the grant's reporting rule
    asks of it: the receiver's note, a photo of the receipt (``funds.rules``, decision 0366).
    A ValidationError naming the field (``received_note``, ``photo``) and what is missing.
    The partner's confirmation is asked after, of the sending side: not here."""
    if transfer.received_state != LegState.CONFIRMED:
        return
    refuse(p for p in reporting_missing(transfer) if p.code in RECEIVER_GIVES)


def _received_confirmed(by: Any, transfer: Transfer, photos: Iterable[Photo]) -> Transfer:
    """Keep the photos given with the write, then ask the reporting rule (of a received leg
    the receiver confirms; a claim or nothing arrived asks nothing)."""
    for filename, data in photos:
        evidence_add(by=by, transfer=transfer, filename=filename, data=data)
    reporting_require(transfer)
    return transfer


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


@transaction.atomic
def transfer_record(
    *,
    by: Any,
    from_organisation: Any,
    to_organisation: Any,
    photos: Iterable[Photo] = (),
    **values: Any,
) -> Transfer:
    """Record money sent from one organisation to another, and what arrived if known.

    The user edits for either side. The legs of the user's own side are confirmed; the other
    side's are claims until that side confirms them (``transfer_confirm``). A received leg the
    receiver records is confirmed only with what the grant's reporting rule asks.
    """
    _only("transfer", values, TRANSFER_UPDATABLE)
    photos = list(photos)
    _note_by_receiver(by, to_organisation, changed=bool(values.get("received_note")))
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
    return _received_confirmed(by, audited_create(transfer, by=by), photos)


@transaction.atomic
def transfer_update(
    *, by: Any, transfer: Transfer, photos: Iterable[Photo] = (), **values: Any
) -> Transfer:
    """Correct a transfer. A leg whose figures change becomes the writer's: confirmed when the
    writer is of the leg's side, else a claim the side must confirm again (and the partner's
    confirmation of the receipt, if any, is asked again). A received leg the receiver writes
    is confirmed only with what the grant's reporting rule asks."""
    _only("transfer", values, TRANSFER_UPDATABLE)
    photos = list(photos)
    policy.require(by, policy.CHANGE, transfer)
    if "grant" in values:
        _grant_visible(by, values["grant"])
    changed = {name for name, value in values.items() if getattr(transfer, name) != value}
    if "received_note" in changed:
        _note_by_receiver(by, transfer.to_organisation, changed=True)
    if changed & SENT_LEG:
        values["sent_state"] = _state(by, transfer.from_organisation)
    if changed & RECEIVED_LEG:
        received = [values.get(n, getattr(transfer, n)) for n in ("received_amount", "received_on")]
        values["received_state"] = (
            "" if all(v is None for v in received) else _state(by, transfer.to_organisation)
        )
        if values["received_state"] == "":
            values["received_currency"] = ""
        values["partner_confirmed_on"] = None
    for name, value in values.items():
        setattr(transfer, name, value)
    transfer_clean(transfer)
    transfer = audited_update(transfer, by=by, **values)
    if changed & (RECEIVED_LEG | {"received_note"}) or photos:
        # Moving a transfer to another grant is not confirming it: its page says what the
        # new grant's rule lacks.
        _received_confirmed(by, transfer, photos)
    return transfer


def transfer_receive(
    *,
    by: Any,
    transfer: Transfer,
    amount: Any,
    currency: str,
    on: dt.date,
    note: str | None = None,
    photos: Iterable[Photo] = (),
) -> Transfer:
    """Record what arrived: the receiver's editors confirm it by writing it (with the note and
    photos the grant's reporting rule asks); anyone else of the two sides writes a claim."""
    values: dict[str, Any] = {
        "received_amount": amount, "received_currency": currency, "received_on": on
    }  # fmt: skip
    if note is not None:
        values["received_note"] = note
    return transfer_update(by=by, transfer=transfer, photos=photos, **values)


@transaction.atomic
def transfer_confirm(
    *,
    by: Any,
    transfer: Transfer,
    leg: str,
    note: str | None = None,
    photos: Iterable[Photo] = (),
) -> Transfer:
    """The leg's own organisation says the other side's claim is right. The receiver confirms
    with what the grant's reporting rule asks: its note, a photo (``reporting_require``)."""
    if leg not in (SENT, RECEIVED):
        raise InvalidInput(f"leg: {leg!r} is neither {SENT!r} nor {RECEIVED!r}")
    policy.require(by, policy.CHANGE, transfer)
    side = transfer.from_organisation if leg == SENT else transfer.to_organisation
    if not speaks_for(by, side):
        raise NotAllowed(f"only an editor of {side} confirms the {leg} leg")
    photos = list(photos)
    if leg == SENT:
        if note is not None or photos:
            raise InvalidInput("a note and photos come with the received leg, not the sent one")
        return audited_update(transfer, by=by, sent_state=LegState.CONFIRMED)
    if not transfer.received_state:
        raise InvalidInput("nothing to confirm: no received amount is recorded; record it")
    values: dict[str, Any] = {"received_state": LegState.CONFIRMED}
    if note is not None:
        values["received_note"] = note
    transfer = audited_update(transfer, by=by, **values)
    return _received_confirmed(by, transfer, photos)


@transaction.atomic
def transfer_receipt(
    *,
    by: Any,
    transfer: Transfer,
    amount: Any = None,
    currency: str | None = None,
    on: dt.date | None = None,
    note: str | None = None,
    photos: Iterable[Photo] = (),
) -> Transfer:
    """The receiver says what arrived, in one step, as the page and the API's receipt take
    it: without an amount (or with the figures the claim has) it confirms the claim as it
    stands (``transfer_confirm``); with other figures it writes its own leg
    (``transfer_receive``); on a leg confirmed already it adds the note and the photos. The
    note and the photos come in the same transaction, and the grant's reporting rule is asked
    last (decision 0366)."""
    if not speaks_for(by, transfer.to_organisation):
        raise NotAllowed(f"only an editor of {transfer.to_organisation} confirms what arrived")
    photos = list(photos)
    stored = (transfer.received_amount, transfer.received_currency, transfer.received_on)
    if amount is not None:
        figures = (amount, currency or stored[1] or transfer.currency, on or stored[2] or today())
        if figures != stored:
            return transfer_receive(
                by=by, transfer=transfer, amount=figures[0], currency=figures[1],
                on=figures[2], note=note, photos=photos,
            )  # fmt: skip
    if transfer.received_state == LegState.CLAIMED:
        return transfer_confirm(by=by, transfer=transfer, leg=RECEIVED, note=note, photos=photos)
    if not transfer.received_state:
        raise InvalidInput("nothing to confirm: say what arrived (amount, currency, date)")
    if note is None and not photos:
        raise InvalidInput("confirmed already: give a note or a photo to add, or new figures")
    values = {} if note is None else {"received_note": note}
    return transfer_update(by=by, transfer=transfer, photos=photos, **values)


def transfer_partner_confirm(*, by: Any, transfer: Transfer) -> Transfer:
    """The sending side confirms the receipt the receiver confirmed, where the grant's donor
    asks for a partner's confirmation (decision 0366). Until it does, reconciliation lists the
    hop as awaiting the partner; the legs count as before (decision 0236)."""
    policy.require(by, policy.CHANGE, transfer)
    sender = transfer.from_organisation
    if not speaks_for(by, sender):
        raise NotAllowed(f"only an editor of {sender} confirms the receipt as the partner")
    if transfer.grant is None or not transfer.grant.wants_partner:
        raise InvalidInput("the donor of this transfer's grant asks for no partner's confirmation")
    if transfer.received_state != LegState.CONFIRMED:
        raise InvalidInput("nothing to confirm yet: the receiver has not confirmed what arrived")
    if transfer.partner_confirmed_on is not None:
        raise InvalidInput(f"the receipt is confirmed already, on {transfer.partner_confirmed_on}")
    return audited_update(transfer, by=by, partner_confirmed_on=today())


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
