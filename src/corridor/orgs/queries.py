"""Reads of organisations that depend on who is asking (rules: corridor.accounts.policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corridor.accounts import policy
from corridor.orgs.models import Organisation, Visibility


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """Own organisations; named ones for any member; all but anonymous ones for coordinators."""
    if not policy.is_active_user(user):
        return Organisation.objects.none()
    if policy.is_admin(user):
        return Organisation.objects.all()
    mine = policy.organisation_ids(user)
    visible = Q(id__in=mine)
    if policy.is_coordinator(user):
        visible |= ~Q(visibility=Visibility.ANONYMOUS)
    elif mine:
        visible |= Q(visibility=Visibility.PUBLIC)
    return Organisation.objects.filter(visible)


def organisations_user_can_report_for(user: Any) -> QuerySet[Organisation]:
    """Organisations under which the user may add rows (editor or organisation admin)."""
    if policy.is_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=policy.organisation_ids(user, policy.EDIT_ROLES))


def organisations_user_can_export(user: Any) -> QuerySet[Organisation]:
    """Organisations whose own records (IATI, HXL) the user may export: members, any role."""
    if not policy.is_active_user(user):
        return Organisation.objects.none()
    if policy.is_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=policy.organisation_ids(user))
