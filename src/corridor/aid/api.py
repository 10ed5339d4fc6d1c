"""JSON API for 4W activities: list, read, record, correct and delete, as the caller may.

Reads go through ``activities_visible_to``; writes through aid.services, which ask the access
policy. Input schemas name every writable field: anything else in a request body is ignored.
The village tract and village are protected (decision 0167): answered only to members of the
activity's organisation (``VIEW_PROTECTED``), null to everyone else who may see the row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from corridor.accounts import policy
from corridor.aid import services
from corridor.aid.models import Activity, Channel, Conditionality, Modality, Sector
from corridor.aid.models import Status as ActivityStatus
from corridor.aid.queries import activities_visible_to
from corridor.core.money import AMOUNT_DIGITS, AMOUNT_PLACES
from corridor.core.schema import (
    REMOVAL,
    Count,
    CurrencyCode,
    Limit,
    Line,
    Offset,
    Pcode,
    People,
    Text,
    not_null,
    page_of,
    reason_given,
)
from corridor.geo.api import admin_unit_field
from corridor.orgs.queries import organisations_visible_to

router = Router(tags=["activities"], auth=django_auth)

Amount = Field(None, ge=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
_PROTECTED = "Below the township: protected, stored encrypted; null unless you may see it."


class ActivityOut(Schema):
    id: UUID
    organisation: UUID
    sector: Sector
    modality: Modality
    channel: Channel
    admin_unit: str
    reporting_month: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None
    status: ActivityStatus
    women: int
    men: int
    girls: int
    boys: int
    unspecified: int
    people_reached: int  # 0 unless ongoing or completed
    people_planned: int  # the people a planned row means to reach
    elderly_women: int | None = Field(description="Of the women, 60 or older; null: not reported.")
    elderly_men: int | None = Field(description="Of the men, 60 or older; null: not reported.")
    disabled: int | None = Field(
        description="Of the people reached, people with disabilities; null: not reported."
    )
    households: int | None
    village_tract: str | None = Field(description=_PROTECTED)
    village: str | None = Field(description=_PROTECTED)
    donor: str
    conditionality: Conditionality | Literal[""]
    value: Decimal | None
    currency: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityPage(Schema):
    count: int
    items: list[ActivityOut]


class ActivityChange(Schema):
    """Fields an editor may change; the organisation is fixed once recorded."""

    sector: Sector | None = None
    modality: Modality | None = None
    channel: Channel | None = None
    admin_unit: Pcode | None = Field(None, description="Township p-code, e.g. MMR005022.")
    reporting_month: dt.date | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: ActivityStatus | None = None
    women: People | None = None
    men: People | None = None
    girls: People | None = None
    boys: People | None = None
    unspecified: People | None = None
    elderly_women: Count | None = Field(None, description="Of the women, 60 or older.")
    elderly_men: Count | None = Field(None, description="Of the men, 60 or older.")
    disabled: Count | None = Field(None, description="Of the people reached, with disabilities.")
    households: People | None = None
    village_tract: Line | None = Field(None, max_length=200, description=_PROTECTED)
    village: Line | None = Field(None, max_length=200, description=_PROTECTED)
    donor: Line | None = Field(None, max_length=200)
    conditionality: Conditionality | Literal[""] | None = Field(
        None, description="Cash and vouchers: conditional or unconditional."
    )
    value: Decimal | None = Amount
    currency: CurrencyCode | None = None
    notes: Text | None = None
    confirm: bool = Field(
        False,
        description="Save even though it looks like a duplicate of a recorded activity "
        "(a 400 said so first).",
    )


class ActivityIn(ActivityChange):
    organisation: UUID
    sector: Sector
    modality: Modality
    admin_unit: Pcode = Field(description="Township p-code, e.g. MMR005022.")


def activity_out(request: Any, activity: Activity) -> dict[str, Any]:
    out = {
        **{name: getattr(activity, name) for name in ActivityOut.model_fields},
        "organisation": activity.organisation_id,
        "admin_unit": activity.admin_unit_id,
    }
    if not policy.can(request.user, policy.VIEW_PROTECTED, activity):
        out["village_tract"] = out["village"] = None
    return out


def _values(payload: Schema) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    values.pop("organisation", None)
    # Non-nullable fields left null would only fail later, less clearly.
    not_null(
        values,
        (
            *("sector", "modality", "channel", "status", "notes", "currency", "admin_unit"),
            *("village_tract", "village", "donor", "conditionality"),
        ),
    )
    for name in ("women", "men", "girls", "boys", "unspecified"):
        if name in values and values[name] is None:
            values[name] = 0
    if "admin_unit" in values:
        values["admin_unit"] = admin_unit_field(values["admin_unit"])
    return values


@router.get("/activities/", response=ActivityPage, summary="Activities the caller may see")
def activity_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = activities_visible_to(request.user).order_by("-reporting_month", "-start_date", "id")
    return page_of(rows, limit, offset, lambda a: activity_out(request, a))


@router.get("/activities/{pk}/", response=ActivityOut, summary="One activity")
def activity_detail(request: Any, pk: UUID) -> dict:
    return activity_out(request, get_object_or_404(activities_visible_to(request.user), pk=pk))


@router.post("/activities/", response={201: ActivityOut}, summary="Record an activity")
def activity_create(request: Any, payload: ActivityIn) -> Status:
    organisation = organisations_visible_to(request.user).filter(pk=payload.organisation).first()
    if organisation is None:
        raise HttpError(400, "organisation: unknown organisation")
    activity = services.activity_record(
        by=request.user, organisation=organisation, **_values(payload)
    )
    return Status(201, activity_out(request, activity))


@router.patch("/activities/{pk}/", response=ActivityOut, summary="Correct an activity")
def activity_change(request: Any, pk: UUID, payload: ActivityChange) -> dict:
    activity = get_object_or_404(activities_visible_to(request.user), pk=pk)
    return activity_out(
        request, services.activity_update(by=request.user, activity=activity, **_values(payload))
    )


@router.delete(
    "/activities/{pk}/",
    response={204: None},
    summary="Remove an activity, with a reason",
    description=REMOVAL,
)
def activity_remove(request: Any, pk: UUID, reason: str = "") -> Status:
    activity = get_object_or_404(activities_visible_to(request.user), pk=pk)
    services.activity_remove(
        by=request.user, activity=activity, reason=reason_given(request, reason)
    )
    return Status(204, None)
