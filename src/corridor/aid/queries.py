"""Reads of 4W activities that depend on who is asking (rules: corridor.accounts.policy)."""

from __future__ import annotations

from functools import reduce
from operator import add
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from corridor.accounts import policy
from corridor.aid.models import PEOPLE_FIELDS, REACHED_STATUSES, Activity, Status
from corridor.orgs.models import Visibility

#: An activity row's people, as a database expression (the columns of ``PEOPLE_FIELDS``).
PEOPLE = reduce(add, (F(name) for name in PEOPLE_FIELDS))
#: The row counts as reached (ongoing or completed, decision 0175).
IS_REACHED = Q(status__in=REACHED_STATUSES)
IS_PLANNED = Q(status=Status.PLANNED)


def people_reached_sum() -> Sum:
    """Sum of people reached over the rows of a query: ongoing and completed rows only."""
    return Sum(PEOPLE, filter=IS_REACHED, default=0)


def people_planned_sum() -> Sum:
    """Sum of the people planned rows mean to reach (shown apart, never as reached)."""
    return Sum(PEOPLE, filter=IS_PLANNED, default=0)


def reaching_organisations_count() -> Count:
    """Organisations with at least one reached row: "active" means reaching people."""
    return Count("organisation_id", filter=IS_REACHED, distinct=True)


def activities_reached(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """The rows whose people count as reached (not planned, not cancelled)."""
    return activities.filter(IS_REACHED)


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
