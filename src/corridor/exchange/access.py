"""Who may see and settle the rows a partial import held (decision 0205). Registered with
``corridor.accounts.policy`` when Django starts (``ExchangeConfig.ready``).

A held row may hold protected values (a village, free text, a name), so it is shown only to
the person who uploaded the file, the members of the upload's organisation, coordinators
(who import cluster-wide files; never for an anonymous organisation) and admins. Settling it
(fix, pick the township, drop) is for the uploader, the organisation's editors and
coordinators; the fixed row is then applied as the person settling it, through the same
import checks as any row (``import_for`` on each row's organisation).
"""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.orgs.access import is_anonymous


def held_rule(user: Any, action: str, held: Any) -> bool:
    own = held.created_by_id is not None and held.created_by_id == user.pk
    org_id = held.organisation_id
    coordinator = policy.is_coordinator(user) and not is_anonymous(held.organisation)
    if action in (policy.VIEW, policy.VIEW_PROTECTED):
        member = org_id is not None and org_id in policy.organisation_ids(user)
        return own or member or coordinator
    if action in (policy.CHANGE, policy.DELETE):
        editor = org_id is not None and org_id in policy.organisation_ids(user, policy.EDIT_ROLES)
        return own or editor or coordinator
    return False


def register() -> None:
    policy.register("exchange.heldrow", held_rule)
