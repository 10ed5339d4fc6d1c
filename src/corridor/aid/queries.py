"""Reads of 4W activities that depend on who is asking (rules: corridor.accounts.policy)."""

from __future__ import annotations

from functools import reduce
from operator import add
from typing import Any

from django.db import connection
from django.db.models import F, Max, Q, QuerySet, Sum

from corridor.accounts import policy
from corridor.aid.models import (
    PEOPLE_FIELDS,
    REACHED_STATUSES,
    Activity,
    DataVersion,
    MonthlyReach,
    Status,
)
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


def activities_reached(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """The rows whose people count as reached (not planned, not cancelled)."""
    return activities.filter(IS_REACHED)


def reach_audience(user: Any) -> tuple:
    """Whose activity rows ``user`` may see, as a plain value: ``("none",)``, ``("all",)``
    or ``("organisations", their organisation ids, sorted; whether they also see every
    non-anonymous organisation)``. The scoped querysets below are built from it alone, so
    two people with equal audiences are asked the same query: the gap API keys its kept
    answers by it without compiling SQL (decision 0360)."""
    if not policy.is_active_user(user):
        return ("none",)
    if policy.is_admin(user):
        return ("all",)
    return (
        "organisations",
        tuple(sorted(policy.organisation_ids(user))),
        policy.is_coordinator(user),
    )


def _organisations_visible(audience: tuple) -> Q | None:
    """Whose rows the audience may see, on the ``organisation`` of a row; None: everyone's."""
    if audience[0] == "all":
        return None
    _kind, organisation_ids, coordinator = audience
    visible = Q(organisation_id__in=organisation_ids)
    if coordinator:
        visible |= ~Q(organisation__visibility=Visibility.ANONYMOUS)
    return visible


def activities_visible_to(user: Any) -> QuerySet[Activity]:
    """Own organisations' activities; coordinators also every non-anonymous organisation's."""
    audience = reach_audience(user)
    if audience[0] == "none":
        return Activity.objects.none()
    visible = _organisations_visible(audience)
    return Activity.objects.all() if visible is None else Activity.objects.filter(visible)


def reach_visible_to(user: Any) -> QuerySet[MonthlyReach]:
    """The monthly reach rollup (decision 0225) of the activities ``user`` may see: the same
    organisations as ``activities_visible_to``."""
    return reach_for(reach_audience(user))


def reach_for(audience: tuple) -> QuerySet[MonthlyReach]:
    """The monthly reach rollup an audience (``reach_audience``) may see."""
    if audience[0] == "none":
        return MonthlyReach.objects.none()
    visible = _organisations_visible(audience)
    return MonthlyReach.objects.all() if visible is None else MonthlyReach.objects.filter(visible)


def latest_reached_month(user: Any, *, before: Any, admin_unit: Any = None) -> Any:
    """The latest month before ``before`` with a reached activity ``user`` may see (in
    ``admin_unit`` when given), or None. Read from the monthly reach rollup, whose rows
    carry how many of their activities reached people (``reached_rows``): the same answer
    as ``MAX(reporting_month)`` of the reached activities, without reading every activity of
    the hub (5-6 s of the dashboard on ten million rows, docs/scaling.md)."""
    rows = reach_visible_to(user).filter(reached_rows__gt=0, month__lt=before)
    if admin_unit is not None:
        rows = rows.filter(admin_unit=admin_unit)
    return rows.aggregate(m=Max("month"))["m"]


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


def data_version() -> str | None:
    """The token of the data the gap table is computed from (``DataVersion``, decision 0271):
    it changes with every write of those rows, in the writing transaction. None when the row
    is missing (after a flush): then no computed answer may be reused."""
    # One fixed statement, not a queryset: every request to the gap API reads it, and a
    # queryset's SQL would be compiled anew each time (decision 0360).
    with connection.cursor() as cursor:
        cursor.execute(_DATA_VERSION_SQL)
        found = cursor.fetchone()
    return None if found is None else found[0]


_DATA_VERSION_SQL = f"SELECT token FROM {DataVersion._meta.db_table} WHERE id = 1"  # noqa: S608 (no input)
