"""JSON API for transfers: money between two organisations, seen and kept by either side.

Reads go through ``transfers_visible_to``; writes through funds.services, which ask the access
policy and decide whether a leg is confirmed or only claimed (decision 0236). A transfer's
reference (a bank or hundi code) and intermediary (an agent) are protected fields: only the two
sides and admins see them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from corridor.accounts import policy
from corridor.core.money import AMOUNT_DIGITS, AMOUNT_PLACES, RATE_DIGITS, RATE_PLACES
from corridor.core.schema import CurrencyCode, Limit, Line, Offset
from corridor.funds import services
from corridor.funds.models import LegState, Transfer, TransferChannel
from corridor.funds.queries import transfers_visible_to
from corridor.orgs.queries import organisations_visible_to

router = Router(tags=["transfers"], auth=django_auth)


class TransferOut(Schema):
    id: UUID
    from_organisation: UUID
    to_organisation: UUID
    amount: Decimal
    currency: str
    sent_on: dt.date
    channel: TransferChannel
    fee: Decimal | None
    sent_state: LegState
    received_amount: Decimal | None
    received_currency: str
    received_on: dt.date | None
    received_state: LegState | None
    rate: Decimal | None
    grant: UUID | None
    reference: str | None = Field(description="Only for the two sides and admins.")
    intermediary: str | None = Field(description="Only for the two sides and admins.")


class TransferPage(Schema):
    count: int
    items: list[TransferOut]


class TransferChange(Schema):
    # The amount, fee and rate have no lower bound here: the rules (funds/rules.py) refuse
    # them in their own words, as on every other entry point (core/tests/test_rules.py).
    amount: Decimal | None = Field(None, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency: CurrencyCode | None = None
    sent_on: dt.date | None = None
    channel: TransferChannel | None = None
    fee: Decimal | None = Field(None, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    received_amount: Decimal | None = Field(
        None, gt=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES
    )
    received_currency: CurrencyCode | None = None
    received_on: dt.date | None = None
    rate: Decimal | None = Field(None, max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    reference: Line | None = Field(None, max_length=120)
    intermediary: Line | None = Field(None, max_length=200)


class TransferIn(TransferChange):
    from_organisation: UUID
    to_organisation: UUID
    amount: Decimal = Field(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency: CurrencyCode
    sent_on: dt.date
    channel: TransferChannel


def transfer_out(request: Any, transfer: Transfer) -> dict[str, Any]:
    out = {name: getattr(transfer, name) for name in TransferOut.model_fields}
    out["from_organisation"] = transfer.from_organisation_id
    out["to_organisation"] = transfer.to_organisation_id
    out["grant"] = transfer.grant_id
    out["received_state"] = transfer.received_state or None
    if not policy.can(request.user, policy.VIEW_PROTECTED, transfer):
        out["reference"] = None
        out["intermediary"] = None
    return out


def _organisation(request: Any, pk: UUID, field: str) -> Any:
    organisation = organisations_visible_to(request.user).filter(pk=pk).first()
    if organisation is None:
        raise HttpError(400, f"{field}: unknown organisation")
    return organisation


def _values(payload: Schema) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    values.pop("from_organisation", None)
    values.pop("to_organisation", None)
    for name in ("amount", "currency", "sent_on", "channel", "reference", "intermediary"):
        if name in values and values[name] is None:
            raise HttpError(400, f"{name} cannot be null")
    if values.get("received_currency") is None and "received_currency" in values:
        values["received_currency"] = ""
    return values


@router.get("/transfers/", response=TransferPage, summary="Transfers the caller may see")
def transfer_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = transfers_visible_to(request.user).order_by("-sent_on", "id")
    rows = rows.select_related("from_organisation", "to_organisation")
    return {
        "count": rows.count(),
        "items": [transfer_out(request, t) for t in rows[offset : offset + limit]],
    }


@router.get("/transfers/{pk}/", response=TransferOut, summary="One transfer")
def transfer_detail(request: Any, pk: UUID) -> dict:
    return transfer_out(request, get_object_or_404(transfers_visible_to(request.user), pk=pk))


@router.post("/transfers/", response={201: TransferOut}, summary="Record a transfer")
def transfer_create(request: Any, payload: TransferIn) -> Status:
    transfer = services.transfer_record(
        by=request.user,
        from_organisation=_organisation(request, payload.from_organisation, "from_organisation"),
        to_organisation=_organisation(request, payload.to_organisation, "to_organisation"),
        **_values(payload),
    )
    return Status(201, transfer_out(request, transfer))


@router.patch("/transfers/{pk}/", response=TransferOut, summary="Correct or confirm a transfer")
def transfer_change(request: Any, pk: UUID, payload: TransferChange) -> dict:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    transfer = services.transfer_update(by=request.user, transfer=transfer, **_values(payload))
    return transfer_out(request, transfer)


@router.delete("/transfers/{pk}/", response={204: None}, summary="Delete a transfer")
def transfer_remove(request: Any, pk: UUID) -> Status:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    services.transfer_delete(by=request.user, transfer=transfer)
    return Status(204, None)
