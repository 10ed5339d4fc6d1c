"""Writes to 4W activities. Each checks the access policy first, then writes and audits in
one transaction (the denial, if any, is audited by the policy in its own)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Model, Q, QuerySet, Sum, Value

from corridor.accounts import policy
from corridor.aid.checks import activity_duplicates
from corridor.aid.models import (
    ALL_SECTORS_TOTAL,
    Activity,
    MonthlyReach,
    MonthlyReachTotal,
    Status,
)
from corridor.aid.queries import IS_REACHED, people_planned_sum, people_reached_sum
from corridor.aid.rules import activity_clean, activity_values
from corridor.audit.services import (
    audited_create,
    audited_delete,
    audited_remove,
    audited_restore,
    audited_update,
)
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.core.rules import refuse, settable_only, values_set

# What a caller may set; everything else (id, authors, times) is Corridor's to decide.
# The organisation is fixed at creation: moving a row to another organisation is a new row.
ACTIVITY_UPDATABLE = frozenset(
    {
        "sector",
        "modality",
        "channel",
        "admin_unit",
        "reporting_month",
        "start_date",
        "end_date",
        "status",
        "women",
        "men",
        "girls",
        "boys",
        "unspecified",
        "elderly_women",
        "elderly_men",
        "disabled",
        "households",
        "village_tract",
        "village",
        "donor",
        "conditionality",
        "value",
        "currency",
        "notes",
    }
)


def _place(activity: Activity) -> tuple[dt.date | None, str]:
    """The (month, township) of the rollups an activity row counts in."""
    return activity.reporting_month, activity.admin_unit_id


def activity_record(
    *, by: Any, organisation: Any, confirm: bool = False, **values: Any
) -> Activity:
    """Record a 4W row for ``organisation`` (the user must be one of its editors).

    ``confirm``: the person confirmed a likely duplicate (decision 0215)."""
    settable_only(values, ACTIVITY_UPDATABLE, "activity")
    activity = Activity(organisation=organisation, **values)
    policy.require(by, policy.ADD, activity)
    # The rules first, so their words alone come back (not a database range check's too).
    activity_clean(activity)
    _not_a_duplicate(activity, confirm)
    with transaction.atomic():
        created = audited_create(activity, by=by)
        rollups_refresh([_place(created)])
    return created


def _not_a_duplicate(activity: Activity, confirm: bool) -> None:
    refuse(activity_duplicates([(activity.pk, activity_values(activity))])[0], confirmed=confirm)


def activity_update(
    *, by: Any, activity: Activity, confirm: bool = False, **values: Any
) -> Activity:
    settable_only(values, ACTIVITY_UPDATABLE, "activity")
    policy.require(by, policy.CHANGE, activity)
    before = _place(activity)
    values_set(activity, values)
    activity_clean(activity)
    _not_a_duplicate(activity, confirm)
    with transaction.atomic():
        updated = audited_update(activity, by=by, **values)
        rollups_refresh([before, _place(updated)])
    return updated


def activity_delete(*, by: Any, activity: Activity) -> None:
    policy.require(by, policy.DELETE, activity)
    with transaction.atomic():
        audited_delete(activity, by=by)
        rollups_refresh([_place(activity)])


def activity_remove(*, by: Any, activity: Activity, reason: str) -> Activity:
    """Remove an activity softly, with the reason the person gave (decision 0180): it leaves
    every list, total, gap table, export and API answer, and its history keeps it."""
    policy.require(by, policy.DELETE, activity)
    with transaction.atomic():
        removed = audited_remove(activity, by=by, reason=reason)
        rollups_refresh([_place(removed)])
    return removed


def activity_restore(*, by: Any, activity: Activity) -> Activity:
    """Undo ``activity_remove``; whoever may remove it may restore it."""
    policy.require(by, policy.DELETE, activity)
    with transaction.atomic():
        restored = audited_restore(activity, by=by)
        rollups_refresh([_place(restored)])
    return restored


def activities_set_status(
    *, by: Any, activities: Iterable[Activity], status: str
) -> tuple[list[Activity], list[tuple[Activity, str]]]:
    """Set the status of each activity through ``activity_update``: each row is checked by the
    policy and audited on its own. Returns the changed rows and the refused ones with why."""
    if status not in Status.values:
        raise InvalidInput(f"unknown status {status!r}; use one of {', '.join(Status.values)}")
    changed: list[Activity] = []
    refused: list[tuple[Activity, str]] = []
    for activity in activities:
        try:
            activity_update(by=by, activity=activity, status=status)
        except NotAllowed as exc:
            refused.append((activity, str(exc)))
        except ValidationError as exc:
            refused.append((activity, "; ".join(exc.messages)))
        else:
            changed.append(activity)
    return changed, refused


# -- The monthly reach rollups (decision 0225) ---------------------------------------------------
# Every write of activity rows ends with one call: ``rollups_refresh`` with the (month, township)
# places it touched (before and after the change; the importer's through
# ``exchange/reach_places.py``, decision 0370), or ``rollups_refresh_organisations`` for
# writes that cannot tell the places they moved rows from (sync merges and conflicts). Each
# recomputes its places from the rows, inside the caller's transaction, so a rollup is never
# patched by difference and a rolled-back write rolls its refresh back too.

#: A month with more touched townships than this is recomputed whole (one statement, no list).
_WHOLE_MONTH = 200


def _insert_select(model: type[Model], columns: tuple[str, ...], rows: QuerySet) -> None:
    """INSERT INTO ``model`` (columns) the rows of a grouped query, in the database."""
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


def reach_sums(activities: QuerySet) -> QuerySet:
    """The ``MonthlyReach`` rows ``activities`` sum to, grouped in the database. Every column
    it reads is in ``activity_gap_cover_idx`` (decision 0273), so a month's rows are read from
    the index alone: rows reaching people are counted by their status, not their id."""
    return (
        activities.exclude(status=Status.CANCELLED)
        .exclude(reporting_month=None)
        .order_by()
        .values("reporting_month", "admin_unit_id", "sector", "organisation_id")
        .annotate(
            r=people_reached_sum(),
            p=people_planned_sum(),
            n=Count("status", filter=IS_REACHED),
        )
    )


def _recompute(activities: QuerySet, reach: QuerySet, totals: QuerySet) -> None:
    """Replace the rollup rows of ``reach`` and ``totals`` by what ``activities`` sum to; the
    three querysets cover the same places."""
    reach.delete()
    _insert_select(
        MonthlyReach,
        (
            "month",
            "admin_unit_id",
            "sector",
            "organisation_id",
            "reached",
            "planned",
            "reached_rows",
        ),
        reach_sums(activities),
    )
    totals.delete()
    reaching = Q(reached_rows__gt=0)
    columns = ("month", "admin_unit_id", "sector", "reached", "planned", "organisations")
    _insert_select(
        MonthlyReachTotal,
        columns,
        reach.order_by()
        .values("month", "admin_unit_id", "sector")
        .annotate(
            r=Sum("reached", default=0),
            p=Sum("planned", default=0),
            n=Count("id", filter=reaching),
        ),
    )
    _insert_select(
        MonthlyReachTotal,
        columns,
        reach.order_by()
        .values("month", "admin_unit_id")
        .annotate(
            s=Value(ALL_SECTORS_TOTAL),
            r=Sum("reached", default=0),
            p=Sum("planned", default=0),
            n=Count("organisation_id", filter=reaching, distinct=True),
        ),
    )


def rollups_refresh(places: Iterable[tuple[dt.date | None, str]]) -> None:
    """Recompute the monthly reach rollups of these (month, township) places from the activity
    rows as they are now; a row without a reporting month counts in none."""
    townships: dict[dt.date, set[str]] = defaultdict(set)
    for month, pcode in places:
        if month is not None and pcode:
            townships[month.replace(day=1)].add(pcode)
    for month, pcodes in sorted(townships.items()):
        place = {} if len(pcodes) > _WHOLE_MONTH else {"admin_unit_id__in": sorted(pcodes)}
        _recompute(
            Activity.objects.filter(reporting_month=month, **place),
            MonthlyReach.objects.filter(month=month, **place),
            MonthlyReachTotal.objects.filter(month=month, **place),
        )


def rollup_places(activity_ids: Iterable[Any]) -> set[tuple[dt.date | None, str]]:
    """The (month, township) places the activity rows with these ids count in now, removed
    rows included: for a writer that knows which rows it writes but not where they were (the
    importer's resumable batches: asked before and after each batch)."""
    ids = list(activity_ids)
    places: set[tuple[dt.date | None, str]] = set()
    for start in range(0, len(ids), 500):
        places |= set(
            Activity._base_manager.filter(pk__in=ids[start : start + 500])
            .order_by()
            .values_list("reporting_month", "admin_unit_id")
        )
    return places


def rollups_refresh_organisations(organisation_ids: Iterable[Any]) -> None:
    """Recompute every place where these organisations' rows count, or counted: for writes
    that move rows without knowing where from (an import may change a row's month or
    township; the organisation of a row never changes)."""
    ids = list(organisation_ids)
    if not ids:
        return
    places: set[tuple[dt.date | None, str]] = set(
        MonthlyReach.objects.filter(organisation_id__in=ids)
        .order_by()
        .values_list("month", "admin_unit_id")
        .distinct()
    )
    places |= set(
        Activity.objects.filter(organisation_id__in=ids, reporting_month__isnull=False)
        .order_by()
        .values_list("reporting_month", "admin_unit_id")
        .distinct()
    )
    rollups_refresh(places)


def rollups_rebuild() -> dict[str, int]:
    """Recompute every rollup from the activity rows (upgrades, `corridor rollups rebuild`);
    returns the rows each rollup now holds."""
    with transaction.atomic():
        _recompute(
            Activity.objects.all(), MonthlyReach.objects.all(), MonthlyReachTotal.objects.all()
        )
    return {
        "monthly_reach": MonthlyReach.objects.count(),
        "monthly_reach_total": MonthlyReachTotal.objects.count(),
    }
