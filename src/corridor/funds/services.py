"""Writes to transfers. Each checks the access policy first, then writes and audits in one
transaction. Either side's editors may record or correct a transfer: the receiver confirms
or disputes what the sender recorded."""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.audit.services import audited_create, audited_delete, audited_update
from corridor.core.errors import InvalidInput
from corridor.funds.models import Transfer
from corridor.funds.rules import transfer_clean

# The two sides are fixed at creation: a transfer between other organisations is a new record.
TRANSFER_UPDATABLE = frozenset(
    {"amount", "currency", "sent_on", "channel", "fee", "status", "reference"}
)


def _only(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InvalidInput(f"transfer: field(s) {', '.join(unknown)} cannot be set")


def transfer_record(
    *, by: Any, from_organisation: Any, to_organisation: Any, **values: Any
) -> Transfer:
    """Record money sent from one organisation to another; the user edits for either side."""
    _only(values, TRANSFER_UPDATABLE)
    transfer = Transfer(
        from_organisation=from_organisation, to_organisation=to_organisation, **values
    )
    policy.require(by, policy.ADD, transfer)
    transfer_clean(transfer)
    return audited_create(transfer, by=by)


def transfer_update(*, by: Any, transfer: Transfer, **values: Any) -> Transfer:
    _only(values, TRANSFER_UPDATABLE)
    policy.require(by, policy.CHANGE, transfer)
    for name, value in values.items():
        setattr(transfer, name, value)
    transfer_clean(transfer)
    return audited_update(transfer, by=by, **values)


def transfer_delete(*, by: Any, transfer: Transfer) -> None:
    policy.require(by, policy.DELETE, transfer)
    audited_delete(transfer, by=by)
