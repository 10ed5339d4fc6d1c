"""Who may do what to transfers: rows of both sides (``orgs.access.owned_row``). Registered
with ``corridor.accounts.policy`` when Django starts (``FundsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.orgs.access import owned_row


def transfer_rule(user: Any, action: str, transfer: Any) -> bool:
    sides = [transfer.from_organisation_id, transfer.to_organisation_id]
    if None in sides:
        return False
    return owned_row(
        user, action, set(sides), [transfer.from_organisation, transfer.to_organisation]
    )


def register() -> None:
    policy.register("funds.transfer", transfer_rule, editors_add=True)
