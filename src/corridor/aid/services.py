"""Writes to 4W activities. Each checks the access policy first, then writes and audits in
one transaction (the denial, if any, is audited by the policy in its own)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from corridor.accounts import policy
from corridor.aid.checks import activity_duplicates
from corridor.aid.models import Activity, Status
from corridor.aid.rules import activity_clean, activity_values
from corridor.audit.services import (
    audited_create,
    audited_delete,
    audited_remove,
    audited_restore,
    audited_update,
)
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.core.rules import refuse

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


def _only(values: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InvalidInput(f"{what}: field(s) {', '.join(unknown)} cannot be set")


def _apply(record: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def activity_record(
    *, by: Any, organisation: Any, confirm: bool = False, **values: Any
) -> Activity:
    """Record a 4W row for ``organisation`` (the user must be one of its editors).

    ``confirm``: the person confirmed a likely duplicate (decision 0215)."""
    _only(values, ACTIVITY_UPDATABLE, "activity")
    activity = Activity(organisation=organisation, **values)
    policy.require(by, policy.ADD, activity)
    # The rules first, so their words alone come back (not a database range check's too).
    activity_clean(activity)
    _not_a_duplicate(activity, confirm)
    return audited_create(activity, by=by)


def _not_a_duplicate(activity: Activity, confirm: bool) -> None:
    refuse(activity_duplicates([(activity.pk, activity_values(activity))])[0], confirmed=confirm)


def activity_update(
    *, by: Any, activity: Activity, confirm: bool = False, **values: Any
) -> Activity:
    _only(values, ACTIVITY_UPDATABLE, "activity")
    policy.require(by, policy.CHANGE, activity)
    _apply(activity, values)
    activity_clean(activity)
    _not_a_duplicate(activity, confirm)
    return audited_update(activity, by=by, **values)


def activity_delete(*, by: Any, activity: Activity) -> None:
    policy.require(by, policy.DELETE, activity)
    audited_delete(activity, by=by)


def activity_remove(*, by: Any, activity: Activity, reason: str) -> Activity:
    """Remove an activity softly, with the reason the person gave (decision 0180): it leaves
    every list, total, gap table, export and API answer, and its history keeps it."""
    policy.require(by, policy.DELETE, activity)
    return audited_remove(activity, by=by, reason=reason)


def activity_restore(*, by: Any, activity: Activity) -> Activity:
    """Undo ``activity_remove``; whoever may remove it may restore it."""
    policy.require(by, policy.DELETE, activity)
    return audited_restore(activity, by=by)


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
