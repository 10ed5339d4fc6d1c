"""JSON API for joint statements and their asks (docs/statements.md#the-json-api).

Public, no sign-in (``auth=None``): a published statement as its public page shows it, built by
the same code (``publication.public_statement``, whose endorser list comes through the
disclosure gate: anonymous endorsers only counted) with its asks and dated responses, and the
network's asks tracker (``tracker.tracker``). Owners (a session or a token, through the access
policy): the statements the caller may read, and a statement's endorsers as its owners see them
(``queries.statement_owners_view``, the same as `corridor statements show --json`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.security import django_auth

from corridor.accounts import policy
from corridor.disclosure import internal_output, shared_output
from corridor.statements.publication import PublicStatement, public_statement
from corridor.statements.queries import (
    asks_public,
    statement_owners_view,
    statement_public,
    statement_rows,
    statements_visible_to,
)
from corridor.statements.tracker import PublicAsk, Tracker, parse_since, tracker

router = Router(tags=["statements"], auth=django_auth)


# --- Schemas -----------------------------------------------------------------------------------


class StatementRow(Schema):
    id: UUID
    title: str
    status: str
    version: int
    public_url: str


class OwnersEndorser(Schema):
    name: str
    listed_as: str
    display_name: str
    group: str
    kind: str
    withdrawn_on: str | None


class OwnersView(Schema):
    id: UUID
    status: str
    endorsers: list[OwnersEndorser]


class ResponseOut(Schema):
    on: dt.date
    status: str
    status_label: str
    summary: str
    evidence: str
    url: str
    new: bool


class AskOut(Schema):
    position: int
    text: str
    target: str
    target_kind: str
    status: str
    status_label: str
    responses: list[ResponseOut]


class NumberedEndorser(Schema):
    number: int
    label: str


class EndorserGroup(Schema):
    group: str
    endorsers: list[NumberedEndorser]


class Anonymous(Schema):
    organisations: int
    individuals: int
    line: str


class FootnoteOut(Schema):
    number: int
    text: str


class CorrectionOut(Schema):
    version: int
    published_on: dt.date | None
    note: str


class PublicStatementOut(Schema):
    id: UUID
    title: str
    language: str
    languages: list[str]
    version: int
    published_on: dt.date | None
    coalitions: list[str]
    body: str
    endorsers: list[EndorserGroup]
    anonymous: Anonymous
    footnotes: list[FootnoteOut]
    corrections: list[CorrectionOut]
    asks: list[AskOut]
    page_url: str
    asks_url: str


class TrackedOut(Schema):
    id: UUID
    title: str
    published_on: dt.date | None
    asks: list[AskOut]
    page_url: str
    asks_url: str


class TrackerOut(Schema):
    since: dt.date | None
    organisations: list[str]
    statements: list[TrackedOut]


# --- As the public pages show them -------------------------------------------------------------


def _ask(ask: PublicAsk) -> dict[str, Any]:
    return {
        "position": ask.position,
        "text": ask.text,
        "target": ask.target,
        "target_kind": ask.target_kind,
        "status": ask.status,
        "status_label": ask.status_label,
        "responses": [
            {
                "on": r.on, "status": r.status, "status_label": r.status_label,
                "summary": r.summary, "evidence": r.evidence, "url": r.url, "new": r.new,
            }
            for r in ask.history
        ],
    }  # fmt: skip


def _urls(statement_id: str) -> dict[str, str]:
    return {
        "page_url": reverse("web:statement_public", args=[statement_id]),
        "asks_url": reverse("web:statement_asks", args=[statement_id]),
    }


def public_statement_answer(document: PublicStatement, board: Tracker) -> dict[str, Any]:
    """The public page's content as data: the groups numbered as the page numbers them
    (``PublicStatement.numbered``), the anonymous endorsers as counts and the page's line."""
    asks = board.statements[0].asks if board.statements else ()
    return {
        "id": document.statement_id,
        "title": document.title,
        "language": document.language,
        "languages": list(document.languages),
        "version": document.version,
        "published_on": document.published_on,
        "coalitions": list(document.coalitions),
        "body": document.body,
        "endorsers": [
            {"group": group, "endorsers": [{"number": n, "label": label} for n, label in rows]}
            for group, rows in document.numbered
        ],
        "anonymous": {
            "organisations": document.endorsers.anonymous_count("organisation"),
            "individuals": document.endorsers.anonymous_count("individual"),
            "line": document.anonymous_line,
        },
        "footnotes": [{"number": n, "text": text} for n, text in document.footnotes],
        "corrections": [
            {"version": c.number, "published_on": c.published_on, "note": c.note}
            for c in document.corrections
        ],
        "asks": [_ask(a) for a in asks],
        **_urls(document.statement_id),
    }


@router.get(
    "/public/asks/",
    response=TrackerOut,
    auth=None,
    summary="Every published statement's asks and responses (public, no sign-in)",
    description="`since=YYYY-MM-DD` keeps the asks with a response dated on or after it.",
)
@shared_output(
    "statements.api_asks_public",
    what=(
        "GET /api/statements/public/asks/: the network's asks tracker as JSON, as /asks/ shows "
        "it (the organisations behind the statements by their public labels, the gate)"
    ),
)
def asks_tracker(request: Any, since: str | None = None) -> dict[str, Any]:
    board = tracker(asks_public(), since=parse_since(since))
    return {
        "since": board.since,
        "organisations": list(board.owners.labels),
        "statements": [
            {
                "id": t.statement_id,
                "title": t.title,
                "published_on": t.published_on,
                "asks": [_ask(a) for a in t.asks],
                **_urls(t.statement_id),
            }
            for t in board.statements
        ],
    }


@router.get(
    "/public/{pk}/",
    response=PublicStatementOut,
    auth=None,
    summary="A published statement with its endorsers and asks (public, no sign-in)",
    description=(
        "The latest published version, as its public page /s/{id}/ shows it: `lang` picks the "
        "text's language. Endorsers grouped and numbered; anonymous ones only counted."
    ),
)
@shared_output(
    "statements.api_statement_public",
    what=(
        "GET /api/statements/public/{id}/: a published statement as JSON, as its public page "
        "shows it: text, footnotes, endorsers through the gate (the anonymous only counted), "
        "asks with their dated responses"
    ),
)
def statement_public_answer(request: Any, pk: UUID, lang: str = "en") -> dict[str, Any]:
    statement = statement_public(pk)
    if statement is None:
        raise Http404("no published statement has this id")
    document = public_statement(statement, language=lang)
    board = tracker(asks_public().filter(statement=statement), language=document.language)
    return public_statement_answer(document, board)


# --- Owners --------------------------------------------------------------------------------------


@router.get("/", response=list[StatementRow], summary="The statements you may read")
def statement_list(request: Any) -> list[dict[str, Any]]:
    return statement_rows(request.user)


@router.get(
    "/{pk}/endorsers",
    response=OwnersView,
    summary="A statement's endorsers as its owners see them (real names, how each is listed)",
    description="The statement's owners only (its organisation's editors and admins); audited.",
)
@internal_output(
    "statements.api_owners_view",
    role=policy.VIEW_PROTECTED,
    what="GET /api/statements/{id}/endorsers: the owners' view of the endorsers (as the CLI's)",
)
def statement_endorsers(request: Any, pk: UUID) -> dict[str, Any]:
    statement = get_object_or_404(statements_visible_to(request.user), pk=pk)
    return statement_owners_view(request.user, statement)
