"""The public tracker of a statement's asks (docs/statements.md#asks-and-responses): what was
asked of whom, and each target's dated responses, so a coalition sees what moved.

Built from published statements only, through the disclosure gate: each statement's title and
date come from its public document (``publication.public_statement``, which passes the endorser
list through the gate), the organisations behind the statements are shown by their public labels
(``disclosure.public_organisations``: a pseudonymous one by its alias, an anonymous one only
counted); the asks and responses are what the owners wrote to be public.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from corridor.core.errors import InvalidInput
from corridor.disclosure import PublicOrganisations, public_organisations
from corridor.statements.models import Ask, AskResponse, ResponseStatus, Statement
from corridor.statements.publication import public_statement


@dataclass(frozen=True)
class PublicResponse:
    on: dt.date
    status: str
    status_label: str
    summary: str
    evidence: str  # the source as a note would cite it, or ""
    url: str
    new: bool  # dated on or after the tracker's ``since``


@dataclass(frozen=True)
class PublicAsk:
    position: int
    text: str
    target: str
    target_kind: str
    target_kind_label: str
    status: str  # the latest response's, or no_response
    status_label: str
    history: tuple[PublicResponse, ...]  # oldest first


@dataclass(frozen=True)
class TrackedStatement:
    statement_id: str
    title: str
    published_on: dt.date | None
    asks: tuple[PublicAsk, ...]


@dataclass(frozen=True)
class Tracker:
    statements: tuple[TrackedStatement, ...]
    owners: PublicOrganisations  # the organisations behind the listed statements
    since: dt.date | None


def parse_since(value: str | None) -> dt.date | None:
    """``?since=YYYY-MM-DD``: None when absent; InvalidInput naming the value when not a date."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"since={value!r}: give a date as YYYY-MM-DD") from None


def _evidence(response: AskResponse) -> str:
    source = response.source
    if source is None:
        return ""
    parts = [p for p in (source.publisher, source.title) if p]
    if source.published_on:
        parts.append(source.published_on.isoformat())
    return ", ".join(parts)


def _public_ask(ask: Ask, since: dt.date | None) -> PublicAsk:
    responses = sorted(ask.responses.all(), key=lambda r: (r.on, r.created_at))
    history = tuple(
        PublicResponse(
            on=r.on, status=r.status, status_label=str(r.get_status_display()),
            summary=r.summary, evidence=_evidence(r),
            url=r.url or (r.source.url if r.source is not None else ""),
            new=since is not None and r.on >= since,
        )
        for r in responses
    )  # fmt: skip
    status = history[-1].status if history else ResponseStatus.NO_RESPONSE
    return PublicAsk(
        position=ask.position,
        text=ask.text,
        target=ask.target,
        target_kind=ask.target_kind,
        target_kind_label=str(ask.get_target_kind_display()),
        status=status,
        status_label=str(ResponseStatus(status).label),
        history=history,
    )


def tracker(asks: Iterable[Ask], *, since: dt.date | None = None, language: str = "en") -> Tracker:
    """The asks grouped by statement, in order. With ``since``: only the asks with a response
    dated on or after it (what moved), and statements with none such left out."""
    grouped: dict[str, tuple[Statement, list[PublicAsk]]] = {}
    for ask in asks:
        public = _public_ask(ask, since)
        if since is not None and not any(r.new for r in public.history):
            continue
        grouped.setdefault(str(ask.statement_id), (ask.statement, []))[1].append(public)
    tracked = []
    for statement, rows in grouped.values():
        document = public_statement(statement, language=language)
        tracked.append(
            TrackedStatement(
                statement_id=str(statement.pk),
                title=document.title,
                published_on=document.published_on,
                asks=tuple(sorted(rows, key=lambda a: a.position)),
            )
        )
    owners = public_organisations(statement.owner for statement, _rows in grouped.values())
    return Tracker(statements=tuple(tracked), owners=owners, since=since)
