"""Reads of 4W activities that depend on who is asking (rules: corridor.accounts.policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corridor.accounts import policy
from corridor.aid.models import Activity
from corridor.orgs.models import Visibility


def activities_visible_to(user: Any) -> QuerySet[Activity]:
    """Own organisations' activities; coordinators also every non-anonymous organisation's."""
    if not policy.is_active_user(user):
        return Activity.objects.none()
    if policy.is_admin(user):
        return Activity.objects.all()
    visible = Q(organisation_id__in=policy.organisation_ids(user))
    if policy.is_coordinator(user):
        visible |= ~Q(organisation__visibility=Visibility.ANONYMOUS)
    return Activity.objects.filter(visible)


def activity_removed_for(user: Any, pk: Any) -> Activity | None:
    """A removed activity, for a person who may restore it (who may remove it); None for
    everyone else, exactly as for an id nobody has."""
    activity = (
        Activity.all_objects.filter(pk=pk, removed_at__isnull=False)
        .select_related("admin_unit", "organisation")
        .first()
    )
    if activity is None or not policy.can(user, policy.DELETE, activity):
        return None
    return activity
