"""Who may do what to 4W activities: the organisation's rows rule (``orgs.access.owned_row``).
Registered with ``corridor.accounts.policy`` when Django starts (``AidConfig.ready``)."""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.orgs.access import owned_row


def activity_rule(user: Any, action: str, activity: Any) -> bool:
    org_id = activity.organisation_id
    if org_id is None:
        return False
    return owned_row(user, action, {org_id}, [activity.organisation])


def register() -> None:
    policy.register("aid.activity", activity_rule, editors_add=True)
