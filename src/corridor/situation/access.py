"""Who may do what to situation data: shared reading, edited by the reporter (decision 0030).
Registered with ``corridor.accounts.policy`` when Django starts (``SituationConfig.ready``)."""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy


def reported_rule(user: Any, action: str, row: Any) -> bool:
    """Incidents and displacement figures: shared reading, edited by the reporter."""
    if action in (policy.VIEW, policy.EXPORT):
        return policy.reads_situation(user)
    org_id = row.reporting_organisation_id
    if org_id is None:
        return False  # nobody but an admin edits an unattributed record
    if action == policy.VIEW_PROTECTED:
        return org_id in policy.organisation_ids(user)
    if action in (policy.ADD, policy.CHANGE, policy.DELETE):
        return org_id in policy.organisation_ids(user, policy.EDIT_ROLES)
    return False


def source_rule(user: Any, action: str, source: Any) -> bool:
    """Sources have no reporting organisation: any editor may cite a new one; its creator
    (while still an editor somewhere) may correct or remove it (decision 0030)."""
    if action in (policy.VIEW, policy.EXPORT):
        return policy.reads_situation(user)
    editor = bool(policy.organisation_ids(user, policy.EDIT_ROLES))
    if action == policy.ADD:
        return editor
    if action in (policy.CHANGE, policy.DELETE):
        return editor and source.created_by_id is not None and source.created_by_id == user.pk
    return False


def register() -> None:
    policy.register("situation.incident", reported_rule, editors_add=True)
    policy.register("situation.displacementfigure", reported_rule, editors_add=True)
    policy.register("situation.source", source_rule, editors_add=True)
