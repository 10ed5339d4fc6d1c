"""Writes to statements, their versions, invitations and endorsements (decision 0300).

Each checks the access policy first (``by=None`` is the instance operator at the command
line), then writes and audits in one transaction. A published version is frozen: every write
to a version's text or footnotes refuses one with ``published_at`` set; a correction is
``statement_correct``, a new version with a note. Endorsing needs no account: the invitation's
secret is the authority, used once, before it expires.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from corridor.accounts import policy
from corridor.audit.services import (
    Action,
    audit_record,
    audited_create,
    audited_delete,
    audited_update,
)
from corridor.core.crypto.links import secret_digest
from corridor.core.errors import InvalidInput
from corridor.disclosure import shared_output
from corridor.orgs.models import Coalition, Organisation
from corridor.situation.models import Source
from corridor.statements.markdown import footnote_marks, normalised
from corridor.statements.models import (
    LANGUAGE_CODE,
    Ask,
    AskResponse,
    Endorsement,
    EndorserKind,
    Footnote,
    Invitation,
    ListedAs,
    ResponseStatus,
    Statement,
    StatementText,
    StatementVersion,
    Status,
    TargetKind,
)
from corridor.statements.publication import EXPORT_FORMATS, public_statement, render

INVITATION_DAYS = 14

FootnoteInput = Source | tuple[Source, str]


def _require(by: Any, action: str, obj: Any) -> None:
    if by is not None:
        policy.require(by, action, obj)


def _owner_of(by: Any, owner: Organisation | None) -> Organisation:
    if owner is not None:
        return owner
    ids = policy.organisation_ids(by, policy.EDIT_ROLES) if by is not None else set()
    if len(ids) != 1:
        raise InvalidInput(
            "name the organisation the statement belongs to (owner=...): "
            f"you edit for {len(ids)} organisations"
        )
    return Organisation.objects.get(pk=next(iter(ids)))


def current_version(statement: Statement) -> StatementVersion:
    """The newest version (a draft, or the published one when no correction is under way)."""
    version = statement.versions.order_by("-number").first()
    if version is None:
        raise InvalidInput("the statement has no version")
    return version


def _editable(statement: Statement) -> StatementVersion:
    version = current_version(statement)
    if version.is_frozen:
        raise InvalidInput(
            f"version {version.number} is published and frozen; make a correction "
            "(a new version with a note) to change it"
        )
    return version


def _language(code: str) -> str:
    code = (code or "").strip().lower()
    if not LANGUAGE_CODE.match(code):
        raise InvalidInput(f"language {code!r}: use a two- or three-letter code such as en or my")
    return code


def _check_footnotes(version: StatementVersion) -> None:
    numbers = set(version.footnotes.values_list("number", flat=True))
    for text in version.texts.all():
        missing = [n for n in footnote_marks(text.body) if n not in numbers]
        if missing:
            raise InvalidInput(
                f"the {text.language} text refers to footnote(s) {', '.join(map(str, missing))}, "
                "which the statement does not have"
            )


def _footnotes_write(by: Any, version: StatementVersion, footnotes: Sequence[FootnoteInput]):
    for number, item in enumerate(footnotes, start=1):
        source, detail = item if isinstance(item, tuple) else (item, "")
        if not isinstance(source, Source):
            raise InvalidInput(f"footnote {number}: {source!r} is not a Corridor source")
        audited_create(
            Footnote(version=version, number=number, source=source, detail=detail), by=by
        )


def statement_create_draft(
    *,
    by: Any,
    title: str,
    body: str,
    footnotes: Sequence[FootnoteInput] = (),
    owner: Organisation | None = None,
    language: str = "en",
    coalitions: Iterable[Coalition] = (),
    group_order: str = "",
) -> Statement:
    """A new statement in draft: version 1 with its text in ``language`` (Markdown, ``[^n]``
    for the n-th of ``footnotes``, each a Source or (Source, detail))."""
    owner = _owner_of(by, owner)
    statement = Statement(owner=owner, group_order=group_order)
    _require(by, policy.ADD, statement)
    with transaction.atomic():
        audited_create(statement, by=by)
        chosen = list(coalitions)
        if chosen:
            statement.coalitions.set(chosen)
            audit_record(
                by=by,
                action=Action.UPDATE,
                obj=statement,
                changes={"coalitions": sorted(str(c.pk) for c in chosen)},
            )
        version = audited_create(StatementVersion(statement=statement, number=1), by=by)
        audited_create(
            StatementText(
                version=version, language=_language(language), title=title.strip(),
                body=normalised(body),
            ),
            by=by,
        )  # fmt: skip
        _footnotes_write(by, version, footnotes)
        _check_footnotes(version)
    return statement


def statement_text_set(
    *, by: Any, statement: Statement, language: str, title: str, body: str
) -> StatementText:
    """Write the current draft's text in ``language`` (a new language adds a parallel text)."""
    _require(by, policy.CHANGE, statement)
    version = _editable(statement)
    language = _language(language)
    with transaction.atomic():
        text = version.texts.filter(language=language).first()
        if text is None:
            text = audited_create(
                StatementText(
                    version=version, language=language, title=title.strip(), body=normalised(body)
                ),
                by=by,
            )
        else:
            text = audited_update(text, by=by, title=title.strip(), body=normalised(body))
        _check_footnotes(version)
    return text


def statement_footnotes_set(
    *, by: Any, statement: Statement, footnotes: Sequence[FootnoteInput]
) -> None:
    """Replace the current draft's footnotes: the n-th item is footnote n."""
    _require(by, policy.CHANGE, statement)
    version = _editable(statement)
    with transaction.atomic():
        for old in version.footnotes.all():
            audited_delete(old, by=by)
        _footnotes_write(by, version, footnotes)
        _check_footnotes(version)


def statement_submit(*, by: Any, statement: Statement) -> Statement:
    """Draft -> review: the text is ready for the owners to check before publication."""
    _require(by, policy.CHANGE, statement)
    if statement.status != Status.DRAFT:
        raise InvalidInput(f"only a draft goes to review; this statement is {statement.status}")
    _editable(statement)
    return audited_update(statement, by=by, status=Status.REVIEW)


def statement_publish(
    *, by: Any, statement: Statement, published_on: dt.date | None = None
) -> StatementVersion:
    """Review -> published: freeze the current version and its endorser list, through the
    disclosure gate (which refuses a list that could single out an anonymous endorser)."""
    _require(by, policy.CHANGE, statement)
    if statement.status != Status.REVIEW:
        raise InvalidInput(
            f"only a statement in review is published; this one is {statement.status}"
        )
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        version = _editable(statement)
        if not version.texts.exists():
            raise InvalidInput("the statement has no text to publish")
        _check_footnotes(version)
        # Raises DisclosureError (a 4xx, named) when the list may not be published.
        document = public_statement(statement, version=version, draft=True)
        audited_update(
            version,
            by=by,
            published_on=published_on or timezone.localdate(),
            published_at=timezone.now(),
            snapshot=document.endorsers.snapshot(),
        )
        audited_update(statement, by=by, status=Status.PUBLISHED)
    return version


def statement_correct(*, by: Any, statement: Statement, note: str) -> StatementVersion:
    """A correction of a published statement: a new draft version with the same texts and
    footnotes and a note the public page will show; the published version stays as it is."""
    _require(by, policy.CHANGE, statement)
    if statement.status != Status.PUBLISHED:
        raise InvalidInput("only a published statement is corrected; edit the draft instead")
    if not note.strip():
        raise InvalidInput("say what the correction changes (the note is shown publicly)")
    published = current_version(statement)
    with transaction.atomic():
        version = audited_create(
            StatementVersion(statement=statement, number=published.number + 1, note=note.strip()),
            by=by,
        )
        for text in published.texts.all():
            audited_create(
                StatementText(
                    version=version, language=text.language, title=text.title, body=text.body
                ),
                by=by,
            )
        _footnotes_write(
            by,
            version,
            [(f.source, f.detail) for f in published.footnotes.select_related("source")],
        )
        audited_update(statement, by=by, status=Status.DRAFT)
    return version


# --- Endorsements ------------------------------------------------------------------------------


def invitation_create(
    *,
    by: Any,
    statement: Statement,
    invitee: str,
    kind: str = EndorserKind.ORGANISATION,
    group: str = "",
    days: int = INVITATION_DAYS,
) -> tuple[Invitation, str]:
    """A single-use endorsement link; returns the invitation and its secret (shown only now)."""
    if kind not in EndorserKind.values:
        raise InvalidInput(f"kind {kind!r}: use organisation or individual")
    if not invitee.strip():
        raise InvalidInput("say who the invitation is for (kept for the owners only)")
    if not 1 <= days <= 90:
        raise InvalidInput("an invitation lasts between 1 and 90 days")
    secret = secrets.token_urlsafe(24)
    invitation = Invitation(
        statement=statement,
        kind=kind,
        invitee=invitee.strip(),
        group=group.strip(),
        digest=secret_digest(secret),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    _require(by, policy.ADD, invitation)
    with transaction.atomic():
        audited_create(invitation, by=by)
    return invitation, secret


def invitation_open(secret: str) -> Invitation:
    """The invitation a link's secret opens, or InvalidInput saying why it does not work."""
    invitation = (
        Invitation.objects.select_related("statement")
        .filter(digest=secret_digest(secret or ""))
        .first()
    )
    if invitation is None:
        raise InvalidInput("this invitation link does not work; ask for a new one")
    if invitation.used_at is not None:
        raise InvalidInput("this invitation link has already been used")
    if invitation.expires_at <= timezone.now():
        raise InvalidInput("this invitation link has expired; ask for a new one")
    return invitation


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def endorsement_accept(
    *,
    secret: str,
    name: str,
    listed_as: str,
    group: str,
    display_name: str = "",
) -> Endorsement:
    """Endorse through an invitation link (no account): once, before it expires."""
    if listed_as not in ListedAs.values:
        raise InvalidInput(f"listed as {listed_as!r}: use name, display_name or anonymous")
    name, group, display_name = name.strip(), group.strip(), display_name.strip()
    if not name:
        raise InvalidInput("give the name of the organisation or person endorsing")
    if not group:
        raise InvalidInput("choose the country or group to be listed under")
    if listed_as == ListedAs.DISPLAY_NAME and not display_name:
        raise InvalidInput("give the display name to be listed by")
    if listed_as != ListedAs.DISPLAY_NAME:
        display_name = ""
    with transaction.atomic():
        invitation = invitation_open(secret)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.used_at is not None:
            raise InvalidInput("this invitation link has already been used")
        statement = Statement.objects.select_for_update().get(pk=invitation.statement_id)
        # Names are encrypted, so the duplicate check reads them back (a statement has
        # hundreds of endorsers at most).
        key = _key(name)
        for other in statement.endorsements.filter(withdrawn_at__isnull=True):
            if _key(other.name) == key:
                raise InvalidInput("this name has already endorsed the statement")
        endorsement = audited_create(
            Endorsement(
                statement=statement,
                invitation=invitation,
                kind=invitation.kind,
                name=name,
                listed_as=listed_as,
                display_name=display_name,
                group=group,
            ),
            by=None,
        )
        audited_update(invitation, by=None, used_at=timezone.now())
    return endorsement


def endorsement_withdraw(*, by: Any, endorsement: Endorsement, reason: str = "") -> Endorsement:
    """Record a withdrawal (kept, with when and why); the list changes from the next version."""
    _require(by, policy.CHANGE, endorsement)
    if endorsement.withdrawn_at is not None:
        raise InvalidInput("this endorsement was already withdrawn")
    return audited_update(
        endorsement, by=by, withdrawn_at=timezone.now(), withdrawal_reason=reason.strip()
    )


# --- Asks and responses ------------------------------------------------------------------------


def _ask_fields(text: str, target: str, target_kind: str) -> tuple[str, str, str]:
    text, target = (text or "").strip(), (target or "").strip()
    if not text:
        raise InvalidInput("say what is asked (the ask's text)")
    if not target:
        raise InvalidInput("say who is asked (a government, a bloc, a UN body, a company ...)")
    if target_kind not in TargetKind.values:
        kinds = ", ".join(TargetKind.values)
        raise InvalidInput(f"target kind {target_kind!r}: use one of {kinds}")
    return text, target, target_kind


def ask_add(
    *,
    by: Any,
    statement: Statement,
    text: str,
    target: str,
    target_kind: str,
    position: int | None = None,
) -> Ask:
    """A new ask of ``statement`` addressed to ``target``; last in the list unless ``position``
    is given (the asks from there on move down one). Public with a published statement."""
    text, target, target_kind = _ask_fields(text, target, target_kind)
    ask = Ask(statement=statement, text=text, target=target, target_kind=target_kind, position=1)
    _require(by, policy.ADD, ask)
    with transaction.atomic():
        Statement.objects.select_for_update().filter(pk=statement.pk).first()
        count = statement.asks.count()
        wanted = count + 1 if position is None else position
        if not 1 <= wanted <= count + 1:
            raise InvalidInput(f"position {wanted}: use a number from 1 to {count + 1}")
        for later in statement.asks.filter(position__gte=wanted).order_by("-position"):
            audited_update(later, by=by, position=later.position + 1)
        ask.position = wanted
        audited_create(ask, by=by)
    return ask


def ask_update(
    *,
    by: Any,
    ask: Ask,
    text: str | None = None,
    target: str | None = None,
    target_kind: str | None = None,
) -> Ask:
    """Change an ask's text or target (its responses stay)."""
    _require(by, policy.CHANGE, ask)
    values = _ask_fields(
        ask.text if text is None else text,
        ask.target if target is None else target,
        ask.target_kind if target_kind is None else target_kind,
    )
    return audited_update(
        ask, by=by, **dict(zip(("text", "target", "target_kind"), values, strict=True))
    )


def _response_fields(
    on: Any, status: str, summary: str, source: Source | None, url: str
) -> dict[str, Any]:
    """A response's fields checked, the same for a new response and a correction."""
    if status not in ResponseStatus.values:
        raise InvalidInput(f"status {status!r}: use one of {', '.join(ResponseStatus.values)}")
    if not isinstance(on, dt.date):
        raise InvalidInput("give the date of the response as YYYY-MM-DD")
    if on > timezone.localdate():
        raise InvalidInput(f"the response's date {on.isoformat()} is in the future")
    summary, url = (summary or "").strip(), (url or "").strip()
    if not summary:
        raise InvalidInput("say what happened (the response's summary)")
    if url and not url.startswith(("https://", "http://")):
        raise InvalidInput(f"evidence link {url!r}: give a web address starting https://")
    if source is not None and not isinstance(source, Source):
        raise InvalidInput(f"evidence {source!r} is not a Corridor source")
    return {"on": on, "status": status, "summary": summary, "source": source, "url": url}


def response_add(
    *,
    by: Any,
    ask: Ask,
    on: dt.date,
    status: str,
    summary: str,
    source: Source | None = None,
    url: str = "",
) -> AskResponse:
    """What the target did about ``ask`` on ``on``, with its evidence (a Corridor source, a
    link, or both). The latest response by date is the ask's status."""
    response = AskResponse(ask=ask, **_response_fields(on, status, summary, source, url))
    _require(by, policy.ADD, response)
    with transaction.atomic():
        audited_create(response, by=by)
    return response


KEEP = object()  # response_update: leave this field as it is


def response_update(
    *,
    by: Any,
    response: AskResponse,
    on: Any = KEEP,
    status: Any = KEEP,
    summary: Any = KEEP,
    source: Any = KEEP,
    url: Any = KEEP,
) -> AskResponse:
    """Correct a response (its date, status, wording, evidence): the statement's owners only.
    The earlier wording stays in the audit trail, field by field (before and after), which is
    the response's history its owners read (``queries.response_history``)."""
    _require(by, policy.CHANGE, response)
    given = {"on": on, "status": status, "summary": summary, "source": source, "url": url}
    current = {name: getattr(response, name) for name in given}
    values = _response_fields(
        **{name: current[name] if value is KEEP else value for name, value in given.items()}
    )
    with transaction.atomic():
        return audited_update(response, by=by, **values)


# --- Exports -----------------------------------------------------------------------------------


@shared_output(
    "statements.statement_export",
    what=(
        "a published joint statement as HTML, Markdown or plain text: its text, footnotes and "
        "endorsers through the disclosure gate (anonymous endorsers only counted)"
    ),
)
def statement_export(
    *, by: Any, statement: Statement, fmt: str, out: IO[str], language: str = "en"
) -> None:
    """Write the published statement in ``fmt`` (html, md, txt) to ``out``."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    _require(by, policy.EXPORT, statement)
    out.write(render(public_statement(statement, language=language), fmt))
