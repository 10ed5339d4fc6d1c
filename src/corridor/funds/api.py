"""JSON API for the ledger: grants, transfers and their legs, disputes, spending, exchange rates,
and evidence photos (multipart uploads, stripped of EXIF and GPS by ``evidence_add`` as on the
pages).

Reads go through ``transfers_visible_to``; writes through funds.services, which ask the access
policy and decide whether a leg is confirmed or only claimed (decision 0236). A transfer's
reference (a bank or hundi code) and intermediary (an agent) are protected fields: only the two
sides and admins see them; the receiver's note on what arrived only the grant's parties.

Confirming what arrived asks the grant's reporting rule (decision 0366): ``…/confirm`` takes
the note, and the photo uploaded before it (``…/evidence``); ``…/receipt`` takes the figures,
the note and the photo in one multipart request, as the page does. Removed spending and rates
are restored through the services the pages call.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from corridor.accounts import policy
from corridor.aid.queries import activities_visible_to
from corridor.core import rules
from corridor.core.errors import InvalidInput
from corridor.core.money import AMOUNT_DIGITS, AMOUNT_PLACES, RATE_DIGITS, RATE_PLACES
from corridor.core.schema import (
    REMOVAL,
    CurrencyCode,
    Limit,
    Line,
    Offset,
    Text,
    Title,
    not_null,
    page_of,
    reason_given,
)
from corridor.funds import services
from corridor.funds.custody import custody, custody_answer, organisation_labels
from corridor.funds.models import (
    Dispute,
    ExchangeRate,
    Grant,
    LegState,
    RateKind,
    ReportingRule,
    Spending,
    Transfer,
    TransferChannel,
)
from corridor.funds.queries import (
    disputes_visible_to,
    grants_visible_to,
    rate_removed_for,
    rates_visible_to,
    received_note_for,
    spending_removed_for,
    spending_visible_to,
    transfers_visible_to,
)
from corridor.funds.rates import MissingRate, reporting_choice
from corridor.orgs.queries import organisations_visible_to

router = Router(tags=["money"], auth=django_auth)


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
    received_note: str | None = Field(
        None, description="The receiver's note on what arrived; only for the grant's parties."
    )
    partner_confirmed_on: dt.date | None = Field(
        None,
        description="When the sending side confirmed the receipt, where the grant's donor asks "
        "for a partner's confirmation.",
    )


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
    out["received_note"] = received_note_for(request.user, transfer) or None
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
    not_null(values, ("amount", "currency", "sent_on", "channel", "reference", "intermediary"))
    if values.get("received_currency") is None and "received_currency" in values:
        values["received_currency"] = ""
    return values


@router.get("/transfers/", response=TransferPage, summary="Transfers the caller may see")
def transfer_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = transfers_visible_to(request.user).order_by("-sent_on", "id")
    rows = rows.select_related("from_organisation", "to_organisation")
    return page_of(rows, limit, offset, lambda t: transfer_out(request, t))


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


@router.delete(
    "/transfers/{pk}/",
    response={204: None},
    summary="Remove a transfer, with a reason",
    description=REMOVAL,
)
def transfer_remove(request: Any, pk: UUID, reason: str = "") -> Status:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    services.transfer_remove(
        by=request.user, transfer=transfer, reason=reason_given(request, reason)
    )
    return Status(204, None)


# --- Legs and disputes ---------------------------------------------------------------------


class ConfirmIn(Schema):
    leg: Literal["sent", "received"] = Field(
        description="The leg your organisation confirms: 'sent' if it sent, 'received' if it "
        "received."
    )
    note: Text | None = Field(
        None,
        max_length=2000,
        description="The receiver's note on what arrived (the received leg only); asked when "
        "the grant's donor asks for a note.",
    )


@router.post(
    "/transfers/{pk}/confirm",
    response=TransferOut,
    summary="Confirm your side's leg of a claim",
    description="Where the grant's donor asks for a photo of the receipt, upload it first "
    "(…/evidence) or confirm with …/receipt; where it asks for a note, give `note`. Without "
    "them the received leg is not confirmed (400 naming what is missing).",
)
def transfer_confirm(request: Any, pk: UUID, payload: ConfirmIn) -> dict:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    transfer = services.transfer_confirm(
        by=request.user, transfer=transfer, leg=payload.leg, note=payload.note
    )
    return transfer_out(request, transfer)


class ReceiptIn(Schema):
    received_amount: Decimal | None = Field(
        None, gt=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES,
        description="What arrived; leave out to confirm the other side's claim as it stands.",
    )  # fmt: skip
    received_currency: CurrencyCode | None = None
    received_on: dt.date | None = None
    note: Text | None = Field(None, max_length=2000, description="The note on what arrived.")


def _photo(file: UploadedFile) -> tuple[str, bytes]:
    """An uploaded photo as its name and bytes, refused before it is read when too large
    (``evidence_add`` then checks, strips and encrypts it, as on the pages)."""
    name = file.name or "photo"
    if (file.size or 0) > services.MAX_UPLOAD_BYTES:
        raise InvalidInput(f"{name}: more than {services.MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    return name, file.read()


@router.post(
    "/transfers/{pk}/receipt",
    response=TransferOut,
    summary="The receiver confirms what arrived, with its note and photo: multipart",
    description="Form fields `received_amount`, `received_currency`, `received_on` (leave "
    "them out to confirm the claim as it stands), `note`, and `file` (one or more photos of "
    "the receipt or the signed distribution list: EXIF and GPS stripped, stored encrypted). "
    "All or nothing: the grant's reporting rule is asked last (400 naming what is missing).",
)
def transfer_receipt(
    request: Any,
    pk: UUID,
    payload: Form[ReceiptIn],
    file: File[list[UploadedFile] | None] = None,
) -> dict:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    transfer = services.transfer_receipt(
        by=request.user,
        transfer=transfer,
        amount=payload.received_amount,
        currency=payload.received_currency,
        on=payload.received_on,
        note=payload.note,
        photos=[_photo(f) for f in file or []],
    )
    transfer.refresh_from_db()  # the amount as stored (4900 typed is 4900.00)
    return transfer_out(request, transfer)


@router.post(
    "/transfers/{pk}/partner-confirm",
    response=TransferOut,
    summary="The sending side confirms the receipt, where the grant's donor asks for a "
    "partner's confirmation",
)
def transfer_partner_confirm(request: Any, pk: UUID) -> dict:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    transfer = services.transfer_partner_confirm(by=request.user, transfer=transfer)
    return transfer_out(request, transfer)


class DisputeIn(Schema):
    note: Text = Field(min_length=1, max_length=2000)


class DisputeResolveIn(Schema):
    resolution: Text = Field(min_length=1, max_length=2000)


class DisputeOut(Schema):
    id: UUID
    transfer: UUID
    opened_by: UUID
    opened_on: dt.date
    note: str
    resolved_on: dt.date | None
    resolution: str


def dispute_out(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.pk,
        "transfer": dispute.transfer_id,
        "opened_by": dispute.opened_by_id,
        "opened_on": dispute.opened_on,
        "note": dispute.note,
        "resolved_on": dispute.resolved_on,
        "resolution": dispute.resolution,
    }


@router.post(
    "/transfers/{pk}/disputes/", response={201: DisputeOut}, summary="Say a transfer is wrong"
)
def dispute_create(request: Any, pk: UUID, payload: DisputeIn) -> Status:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    dispute = services.dispute_open(by=request.user, transfer=transfer, note=payload.note)
    return Status(201, dispute_out(dispute))


@router.post("/disputes/{pk}/resolve", response=DisputeOut, summary="Resolve a dispute")
def dispute_resolve(request: Any, pk: UUID, payload: DisputeResolveIn) -> dict:
    dispute = get_object_or_404(disputes_visible_to(request.user).select_related("transfer"), pk=pk)
    dispute = services.dispute_resolve(
        by=request.user, dispute=dispute, resolution=payload.resolution
    )
    return dispute_out(dispute)


# --- Grants ----------------------------------------------------------------------------------


class GrantOut(Schema):
    id: UUID
    donor: UUID
    recipient: UUID
    title: str
    amount: Decimal
    currency: str
    pledged_on: dt.date
    starts_on: dt.date
    ends_on: dt.date | None
    purpose: str
    sectors: list[str]
    reporting: ReportingRule


class GrantPage(Schema):
    count: int
    items: list[GrantOut]


class GrantChange(Schema):
    title: Title | None = Field(None, max_length=200)
    amount: Decimal | None = Field(
        None, gt=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES
    )
    currency: CurrencyCode | None = None
    pledged_on: dt.date | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    purpose: Text | None = None
    sectors: list[Line] | None = None
    reporting: ReportingRule | None = None


class GrantIn(GrantChange):
    donor: UUID
    recipient: UUID
    title: Title = Field(max_length=200)
    amount: Decimal = Field(gt=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency: CurrencyCode
    pledged_on: dt.date
    starts_on: dt.date


def grant_out(grant: Grant) -> dict[str, Any]:
    out = {name: getattr(grant, name) for name in GrantOut.model_fields}
    out["donor"], out["recipient"] = grant.donor_id, grant.recipient_id
    return out


def _grant_values(payload: Schema) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    values.pop("donor", None)
    values.pop("recipient", None)
    not_null(values, ("title", "amount", "currency", "pledged_on", "starts_on", "reporting"))
    for name, empty in (("purpose", ""), ("sectors", [])):
        if name in values and values[name] is None:
            values[name] = empty
    return values


@router.get("/grants/", response=GrantPage, summary="Grants the caller may see")
def grant_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = grants_visible_to(request.user).order_by("-pledged_on", "id")
    return page_of(rows, limit, offset, grant_out)


@router.get("/grants/{pk}/", response=GrantOut, summary="One grant")
def grant_detail(request: Any, pk: UUID) -> dict:
    return grant_out(get_object_or_404(grants_visible_to(request.user), pk=pk))


@router.post("/grants/", response={201: GrantOut}, summary="Record a grant (a donor's pledge)")
def grant_create(request: Any, payload: GrantIn) -> Status:
    grant = services.grant_record(
        by=request.user,
        donor=_organisation(request, payload.donor, "donor"),
        recipient=_organisation(request, payload.recipient, "recipient"),
        **_grant_values(payload),
    )
    return Status(201, grant_out(grant))


@router.patch("/grants/{pk}/", response=GrantOut, summary="Correct a grant")
def grant_change(request: Any, pk: UUID, payload: GrantChange) -> dict:
    """Where the grant's amount is now (custody's parts, adding up exactly) in its currency or
    ``currency`` at ``rates`` (market, official, agent) on ``on``, for the grant's parties and
    the intermediaries its money went through, as on the custody page; a rate the table lacks
    is a 400 naming it (``missing_rate``)."""
    grant = get_object_or_404(grants_visible_to(request.user), pk=pk)
    return grant_out(services.grant_update(by=request.user, grant=grant, **_grant_values(payload)))


@router.get(
    "/grants/{pk}/custody",
    response={200: dict, 400: dict},
    summary="A grant's chain of custody, in its currency or a chosen one",
)
def grant_custody(
    request: Any,
    pk: UUID,
    currency: str | None = None,
    rates: str | None = None,
    on: str | None = None,
) -> Any:
    """Where the grant's amount is now (custody's parts, adding up exactly) in its currency or
    ``currency`` at ``rates`` (market, official, agent) on ``on``, for the grant's parties and
    the intermediaries its money went through, as on the custody page; a rate the table lacks
    is a 400 naming it (``missing_rate``)."""
    grant = get_object_or_404(grants_visible_to(request.user).select_related("donor", "recipient"),
                              pk=pk)  # fmt: skip
    policy.require(request.user, policy.VIEW, grant)
    choice = reporting_choice(currency=currency, rates=rates, on=on, today=rules.today(),
                              allow_both=False)  # fmt: skip
    try:
        found = custody(grant, valued_on=choice.on, rate_kind=choice.kind,
                        currency=choice.currency)  # fmt: skip
    except MissingRate as exc:
        return Status(400, {"detail": str(exc), "missing_rate": exc.as_dict()})
    return custody_answer(found, organisation_labels(found, request.user))


# --- Spending --------------------------------------------------------------------------------


class SpendingIn(Schema):
    grant: UUID
    activity: UUID
    amount: Decimal = Field(gt=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency: CurrencyCode
    spent_on: dt.date


class SpendingOut(Schema):
    id: UUID
    grant: UUID
    activity: UUID
    amount: Decimal
    currency: str
    spent_on: dt.date


class SpendingPage(Schema):
    count: int
    items: list[SpendingOut]


def spending_out(spending: Spending) -> dict[str, Any]:
    return {
        "id": spending.pk,
        "grant": spending.grant_id,
        "activity": spending.activity_id,
        "amount": spending.amount,
        "currency": spending.currency,
        "spent_on": spending.spent_on,
    }


@router.get("/spending/", response=SpendingPage, summary="Spending of grants on 4W activities")
def spending_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = spending_visible_to(request.user).order_by("-spent_on", "id")
    return page_of(rows, limit, offset, spending_out)


@router.post(
    "/spending/",
    response={201: SpendingOut},
    summary="Record money of a grant spent on an activity",
)
def spending_create(request: Any, payload: SpendingIn) -> Status:
    grant = grants_visible_to(request.user).filter(pk=payload.grant).first()
    if grant is None:
        raise HttpError(400, "grant: unknown grant")
    activity = activities_visible_to(request.user).filter(pk=payload.activity).first()
    if activity is None:
        raise HttpError(400, "activity: unknown activity")
    spending = services.spending_record(
        by=request.user,
        grant=grant,
        activity=activity,
        amount=payload.amount,
        currency=payload.currency,
        spent_on=payload.spent_on,
    )
    return Status(201, spending_out(spending))


class SpendingChange(Schema):
    activity: UUID | None = None
    amount: Decimal | None = Field(
        None, gt=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES
    )
    currency: CurrencyCode | None = None
    spent_on: dt.date | None = None


@router.patch("/spending/{pk}/", response=SpendingOut, summary="Correct a spending")
def spending_change(request: Any, pk: UUID, payload: SpendingChange) -> dict:
    spending = get_object_or_404(spending_visible_to(request.user), pk=pk)
    values = not_null(payload.dict(exclude_unset=True))
    if "activity" in values:
        activity = activities_visible_to(request.user).filter(pk=values["activity"]).first()
        if activity is None:
            raise HttpError(400, "activity: unknown activity")
        values["activity"] = activity
    spending = services.spending_update(by=request.user, spending=spending, **values)
    spending.refresh_from_db()  # the amount as stored (250 typed is 250.00)
    return spending_out(spending)


@router.delete(
    "/spending/{pk}/",
    response={204: None},
    summary="Remove a spending, with a reason",
    description=REMOVAL + " A removed spending is restored on its grant's page or with "
    "POST …/restore.",
)
def spending_remove(request: Any, pk: UUID, reason: str = "") -> Status:
    spending = get_object_or_404(spending_visible_to(request.user), pk=pk)
    services.spending_remove(
        by=request.user, spending=spending, reason=reason_given(request, reason)
    )
    return Status(204, None)


@router.post(
    "/spending/{pk}/restore",
    response=SpendingOut,
    summary="Restore a removed spending",
    description="For whoever may remove it (the spending organisation's editors and admins); "
    "404 for anyone else or a spending that is not removed.",
)
def spending_restore(request: Any, pk: UUID) -> dict:
    spending = spending_removed_for(request.user, pk)
    if spending is None:
        raise HttpError(404, "Not Found")
    return spending_out(services.spending_restore(by=request.user, spending=spending))


# --- Evidence photos -------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: UUID
    transfer: UUID | None
    spending: UUID | None
    filename: str = Field(description="The uploaded name, its extension the stored format's.")
    content_type: str
    size: int = Field(description="Bytes kept, after the metadata was stripped.")


def _evidence_add(request: Any, file: UploadedFile, **record: Any) -> Status:
    """The page's upload, over HTTP: refused before it is read when too large; then the same
    service (type, size, pixels checked; EXIF, GPS and the rest dropped; stored encrypted)."""
    name, data = _photo(file)
    evidence = services.evidence_add(by=request.user, filename=name, data=data, **record)
    return Status(
        201,
        {
            "id": evidence.pk,
            "transfer": evidence.transfer_id,
            "spending": evidence.spending_id,
            "filename": evidence.filename,
            "content_type": evidence.content_type,
            "size": evidence.size,
        },
    )


@router.post(
    "/transfers/{pk}/evidence",
    response={201: EvidenceOut},
    summary="Add a photo (receipt, handover) to a transfer: multipart field 'file'",
)
def transfer_evidence(request: Any, pk: UUID, file: File[UploadedFile]) -> Status:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    return _evidence_add(request, file, transfer=transfer)


@router.post(
    "/spending/{pk}/evidence",
    response={201: EvidenceOut},
    summary="Add a photo (receipt, signed distribution list) to a spending: multipart field 'file'",
)
def spending_evidence(request: Any, pk: UUID, file: File[UploadedFile]) -> Status:
    spending = get_object_or_404(
        spending_visible_to(request.user).select_related("grant", "activity"), pk=pk
    )
    return _evidence_add(request, file, spending=spending)


# --- Exchange rates --------------------------------------------------------------------------


class RateIn(Schema):
    on: dt.date
    from_currency: CurrencyCode
    to_currency: CurrencyCode
    rate: Decimal = Field(gt=0, max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    kind: RateKind
    source: Title = Field(max_length=200)


class RateOut(RateIn):
    id: UUID
    source: str


class RatePage(Schema):
    count: int
    items: list[RateOut]


class RatesImportOut(Schema):
    file: str
    rows: int
    created: int
    errors: list[str]


def rate_out(rate: ExchangeRate) -> dict[str, Any]:
    return {name: getattr(rate, name) for name in RateOut.model_fields} | {"id": rate.pk}


@router.get("/rates/", response=RatePage, summary="The exchange-rate table")
def rate_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = rates_visible_to(request.user)
    return page_of(rows, limit, offset, rate_out)


@router.post("/rates/", response={201: RateOut}, summary="Add one exchange rate")
def rate_create(request: Any, payload: RateIn) -> Status:
    return Status(201, rate_out(services.rate_record(by=request.user, **payload.dict())))


class RateChange(Schema):
    on: dt.date | None = None
    from_currency: CurrencyCode | None = None
    to_currency: CurrencyCode | None = None
    rate: Decimal | None = Field(None, gt=0, max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    kind: RateKind | None = None
    source: Title | None = Field(None, max_length=200)


@router.patch("/rates/{pk}/", response=RateOut, summary="Correct an exchange rate")
def rate_change(request: Any, pk: UUID, payload: RateChange) -> dict:
    row = get_object_or_404(rates_visible_to(request.user), pk=pk)
    values = not_null(payload.dict(exclude_unset=True))
    row = services.rate_update(by=request.user, row=row, **values)
    row.refresh_from_db()  # the rate as stored
    return rate_out(row)


@router.delete(
    "/rates/{pk}/",
    response={204: None},
    summary="Remove an exchange rate, with a reason",
    description=REMOVAL + " A removed rate is restored on the rates page or with POST "
    "…/restore; no report converts with it meanwhile.",
)
def rate_remove(request: Any, pk: UUID, reason: str = "") -> Status:
    row = get_object_or_404(rates_visible_to(request.user), pk=pk)
    services.rate_remove(by=request.user, row=row, reason=reason_given(request, reason))
    return Status(204, None)


@router.post(
    "/rates/{pk}/restore",
    response=RateOut,
    summary="Restore a removed exchange rate",
    description="For coordinators and admins; refused (400) when the same rate was recorded "
    "again since. 404 for anyone else or a rate that is not removed.",
)
def rate_restore(request: Any, pk: UUID) -> dict:
    row = rate_removed_for(request.user, pk)
    if row is None:
        raise HttpError(404, "Not Found")
    return rate_out(services.rate_restore(by=request.user, row=row))


@router.post(
    "/rates/import",
    response={201: RatesImportOut, 400: RatesImportOut},
    summary="Add the rates of a CSV file (date,from,to,rate,kind,source), all or none",
)
def rate_import(request: Any, file: File[UploadedFile]) -> Status:
    name = file.name or "rates.csv"
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The answer the route declares for a refused file: its name and why, nothing added.
        error = f"{name}: not UTF-8 text ({exc.reason})"
        return Status(400, {"file": name, "rows": 0, "created": 0, "errors": [error]})
    try:
        result = services.rates_import_stream(
            by=request.user, name=name, handle=io.StringIO(text, newline="")
        )
    except InvalidInput as exc:  # the whole file refused (its header), in the same shape
        return Status(400, {"file": name, "rows": 0, "created": 0, "errors": [str(exc)]})
    body = {"file": result.file, "rows": result.rows, "created": result.created,
            "errors": result.errors}  # fmt: skip
    return Status(201 if result.ok else 400, body)
