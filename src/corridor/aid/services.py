"""Writes to 4W activities. Each checks the access policy first, then writes and audits in
one transaction (the denial, if any, is audited by the policy in its own)."""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.aid.models import Activity
from corridor.audit.services import audited_create, audited_delete, audited_update
from corridor.core.errors import InvalidInput

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


def activity_record(*, by: Any, organisation: Any, **values: Any) -> Activity:
    """Record a 4W row for ``organisation`` (the user must be one of its editors)."""
    _only(values, ACTIVITY_UPDATABLE, "activity")
    activity = Activity(organisation=organisation, **values)
    policy.require(by, policy.ADD, activity)
    return audited_create(activity, by=by)


def activity_update(*, by: Any, activity: Activity, **values: Any) -> Activity:
    _only(values, ACTIVITY_UPDATABLE, "activity")
    policy.require(by, policy.CHANGE, activity)
    return audited_update(activity, by=by, **values)


def activity_delete(*, by: Any, activity: Activity) -> None:
    policy.require(by, policy.DELETE, activity)
    audited_delete(activity, by=by)
