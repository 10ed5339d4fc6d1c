"""Who may do what with screening (registered when Django starts, ``ScreeningConfig.ready``).

- lists and their entities: reference data every member and coordinator reads; loaded and
  replaced by coordinators and admins (a list decides what warns everyone);
- decisions: an organisation's; its members read them, its editors make them (coordinators
  read them unless the organisation is anonymous).
"""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.orgs.access import owned_row


def list_rule(user: Any, action: str, obj: Any) -> bool:
    if action in (policy.VIEW, policy.EXPORT):
        return policy.is_member_anywhere(user) or policy.is_coordinator(user)
    if action in (policy.ADD, policy.CHANGE, policy.DELETE):
        return policy.is_coordinator(user)
    return False


def decision_rule(user: Any, action: str, decision: Any) -> bool:
    if decision.organisation_id is None:
        return False
    return owned_row(user, action, {decision.organisation_id}, [decision.organisation])


def register() -> None:
    policy.register("screening.entitylist", list_rule, coordinators_add=True)
    policy.register("screening.listedentity", list_rule, coordinators_add=True)
    policy.register("screening.screeningdecision", decision_rule, editors_add=True)
