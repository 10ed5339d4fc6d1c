"""Who may do what to organisations, and the rule for rows an organisation owns, which the
apps above (aid, funds) use for theirs. Registered with ``corridor.accounts.policy`` when Django
starts (``OrgsConfig.ready``); the actions and roles are explained there."""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.accounts.models import OrgRole
from corridor.orgs.models import Visibility


def is_anonymous(org: Any) -> bool:
    return org is not None and org.visibility == Visibility.ANONYMOUS


def organisation_rule(user: Any, action: str, org: Any) -> bool:
    if org is None or org.pk is None:
        return False  # a new organisation is created by admins only (decided before this)
    if action == policy.ADD:
        # "add under this organisation": its editors.
        return org.pk in policy.organisation_ids(user, policy.EDIT_ROLES)
    member = org.pk in policy.organisation_ids(user)
    if action == policy.VIEW:
        if member:
            return True
        if policy.is_coordinator(user):
            return not is_anonymous(org)
        # Other organisations' members see the public directory: named organisations only.
        return policy.is_member_anywhere(user) and org.visibility == Visibility.PUBLIC
    if action in (policy.VIEW_PROTECTED, policy.EXPORT):
        return member
    if action in (policy.CHANGE, policy.ADMINISTER):
        return org.pk in policy.organisation_ids(user, (OrgRole.ORG_ADMIN,))
    if action == policy.IMPORT_FOR:
        # A cluster-wide 5W: a coordinator files each partner's rows (decision 0160).
        if org.pk in policy.organisation_ids(user, policy.EDIT_ROLES):
            return True
        return policy.is_coordinator(user) and not is_anonymous(org)
    return False  # delete organisations: admins only


def owned_row(user: Any, action: str, org_ids: set[Any], orgs: list[Any]) -> bool:
    """Rows owned by one organisation (activities) or two (transfers: either side): their
    members read them; coordinators too unless an owner is anonymous; their editors write."""
    if action in (policy.VIEW, policy.EXPORT):
        if policy.organisation_ids(user) & org_ids:
            return True
        return policy.is_coordinator(user) and not any(is_anonymous(o) for o in orgs)
    if action == policy.VIEW_PROTECTED:
        return bool(policy.organisation_ids(user) & org_ids)
    if action in (policy.ADD, policy.CHANGE, policy.DELETE):
        return bool(policy.organisation_ids(user, policy.EDIT_ROLES) & org_ids)
    return False


def register() -> None:
    # Coordinators create the organisations a cluster-wide import names (decision 0160).
    policy.register("orgs.organisation", organisation_rule, coordinators_add=True)
