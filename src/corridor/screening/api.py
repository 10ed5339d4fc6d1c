"""JSON API for screening: the lists, names screened, a transfer's and a grant's counterparties,
and decisions on matches (docs/screening.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from corridor.core.schema import Line, Text, Title
from corridor.funds.queries import grants_visible_to, transfers_visible_to
from corridor.orgs.queries import organisations_visible_to
from corridor.screening.counterparties import grant_counterparties, transfer_counterparties
from corridor.screening.queries import (
    decisions_visible_to,
    entity_for,
    lists_visible_to,
    screen_names,
)
from corridor.screening.services import decision_record

router = Router(tags=["screening"], auth=django_auth)


class ListOut(Schema):
    name: str
    format: str
    source: str
    file_name: str
    file_sha256: str
    loaded_at: dt.datetime
    version: int
    entity_count: int


class DecisionOut(Schema):
    verdict: str
    reason: str
    by: str
    at: str
    stale: bool


class Answer(Schema):
    query: str
    status: Literal["clear", "possible", "match"]
    entity: str
    entity_id: str | None
    list: str
    score: float
    reasons: list[str]
    warns: bool
    decision: DecisionOut | None = None


class Counterparty(Answer):
    role: str
    name: str
    payer: UUID
    transfer: UUID | None


class ScreenIn(Schema):
    names: list[Line] = Field(min_length=1, max_length=1000)
    organisation: UUID | None = Field(
        None, description="Apply this organisation's decisions to the answers."
    )


class DecisionIn(Schema):
    organisation: UUID
    name: Title
    entity: UUID
    verdict: Literal["confirmed", "dismissed"]
    reason: Text = Field(min_length=1)


class DecisionRow(Schema):
    id: UUID
    organisation: UUID
    name: str
    list_name: str
    entity_name: str
    entity: UUID | None
    verdict: str
    reason: str
    updated_at: dt.datetime


@router.get("/lists/", response=list[ListOut], summary="The loaded entity lists")
def list_list(request: Any) -> list[Any]:
    return list(lists_visible_to(request.user))


@router.post("/screen", response=list[Answer], summary="Screen names against every list")
def screen(request: Any, payload: ScreenIn) -> list[dict[str, Any]]:
    organisation = None
    if payload.organisation is not None:
        organisation = get_object_or_404(
            organisations_visible_to(request.user), pk=payload.organisation
        )
    answers = screen_names(request.user, payload.names, organisation=organisation)
    return [a.as_dict() for a in answers]


@router.get(
    "/transfers/{pk}/",
    response=list[Counterparty],
    summary="A transfer's receiver and agent, screened (for its two sides)",
)
def transfer_screening(request: Any, pk: UUID) -> list[dict[str, Any]]:
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    return [c.as_dict() for c in transfer_counterparties(request.user, transfer)]


@router.get(
    "/grants/{pk}/",
    response=list[Counterparty],
    summary="Everyone a grant's money reached that the caller may see, screened",
)
def grant_screening(request: Any, pk: UUID) -> list[dict[str, Any]]:
    grant = get_object_or_404(grants_visible_to(request.user), pk=pk)
    return [c.as_dict() for c in grant_counterparties(request.user, grant)]


@router.get("/decisions/", response=list[DecisionRow], summary="Your organisations' decisions")
def decision_list(request: Any) -> list[dict[str, Any]]:
    return [_decision_row(d) for d in decisions_visible_to(request.user)[:500]]


@router.post("/decisions/", response={201: DecisionRow}, summary="Confirm or dismiss a match")
def decision_create(request: Any, payload: DecisionIn) -> Status:
    organisation = get_object_or_404(
        organisations_visible_to(request.user), pk=payload.organisation
    )
    decision = decision_record(
        by=request.user,
        organisation=organisation,
        name=payload.name,
        entity=entity_for(request.user, payload.entity),
        verdict=payload.verdict,
        reason=payload.reason,
    )
    return Status(201, _decision_row(decision))


def _decision_row(decision: Any) -> dict[str, Any]:
    return {
        "id": decision.pk, "organisation": decision.organisation_id, "name": decision.name,
        "list_name": decision.list_name, "entity_name": decision.entity_name,
        "entity": decision.entity_id, "verdict": decision.verdict, "reason": decision.reason,
        "updated_at": decision.updated_at,
    }  # fmt: skip
