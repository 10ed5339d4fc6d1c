"""Reads of statements that depend on who asks (decision 0256)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.audit.queries import history_of
from corridor.audit.services import Action, audit_record
from corridor.core.crypto.links import secret_digest
from corridor.disclosure import internal_output
from corridor.situation.models import Source
from corridor.statements.models import (
    Ask,
    AskResponse,
    Endorsement,
    Invitation,
    ResponseStatus,
    Statement,
    Status,
)
from corridor.statements.publication import latest_published
from corridor.statements.services import current_version


def statements_visible_to(user: Any) -> QuerySet[Statement]:
    """Statements the user may read: their organisations' (drafts too) and published ones."""
    if user is None or policy.is_admin(user):
        return Statement.objects.all()
    if not policy.is_active_user(user):
        return Statement.objects.none()
    mine = Q(owner_id__in=policy.organisation_ids(user))
    if policy.reads_situation(user):
        mine |= Q(status=Status.PUBLISHED)
    return Statement.objects.filter(mine)


def statement_rows(user: Any) -> list[dict[str, Any]]:
    """The statements the user may read as plain rows (id, title, status, current version,
    public URL path): `corridor statements list --json` and ``GET /api/statements/``."""
    rows = []
    for statement in statements_visible_to(user).prefetch_related("versions__texts"):
        version = current_version(statement)
        text = version.texts.order_by("language").first()
        rows.append(
            {
                "id": str(statement.pk),
                "title": text.title if text else "",
                "status": statement.status,
                "version": version.number,
                "public_url": reverse("web:statement_public", args=[statement.pk]),
            }
        )
    return rows


def statement_visible(user: Any, pk: Any) -> Statement | None:
    return statements_visible_to(user).filter(pk=pk).first()


def statement_public(pk: Any) -> Statement | None:
    """A statement with a published version, for the public page (no sign-in): what it
    shows is built through the disclosure gate (``publication.public_statement``)."""
    return Statement.objects.filter(pk=pk, versions__published_at__isnull=False).distinct().first()


def endorsements_for_owners(user: Any, statement: Statement) -> list[Endorsement]:
    """Every endorsement with the endorser's real name, for the statement's owners only
    (``by=None``: the operator). Audited: who saw the anonymous endorsers' names, and when."""
    if user is not None:
        policy.require(user, policy.VIEW_PROTECTED, statement)
    rows = list(statement.endorsements.order_by("group", "created_at"))
    with transaction.atomic():
        audit_record(
            by=user,
            action=Action.VIEW_PROTECTED,
            obj=statement,
            changes={"endorsements": len(rows)},
        )
    return rows


def invitations_for_owners(user: Any, statement: Statement) -> QuerySet[Invitation]:
    if user is not None:
        policy.require(user, policy.VIEW_PROTECTED, statement)
    return statement.invitations.order_by("-created_at")


def invitation_by_secret(secret: str) -> Invitation | None:
    """The invitation a link's secret opens while it still works (unused, not expired)."""
    return (
        Invitation.objects.select_related("statement")
        .filter(
            digest=secret_digest(secret or ""),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


@internal_output(
    "statements.owners_view",
    role=policy.VIEW_PROTECTED,
    what=(
        "a statement's owners' view (`corridor statements show`): every endorser with the real "
        "name, how each is listed (name, display name, anonymous) and the group; withdrawals"
    ),
)
def statement_owners_view(user: Any, statement: Statement) -> dict[str, Any]:
    """Everything the owners know of a statement's endorsers, as plain data."""
    rows = endorsements_for_owners(user, statement)
    return {
        "id": str(statement.pk),
        "status": statement.status,
        "endorsers": [
            {
                "name": e.name,
                "listed_as": e.listed_as,
                "display_name": e.display_name,
                "group": e.group,
                "kind": e.kind,
                "withdrawn_on": e.withdrawn_at.date().isoformat() if e.withdrawn_at else None,
            }
            for e in rows
        ],
    }


def asks_visible_to(user: Any) -> QuerySet[Ask]:
    """The asks of the statements the user may read (``statements_visible_to``)."""
    return Ask.objects.filter(statement__in=statements_visible_to(user)).select_related("statement")


def response_of(user: Any, statement: Statement, pk: Any) -> AskResponse | None:
    """A response to one of ``statement``'s asks, if the user may read the statement."""
    asks = asks_visible_to(user).filter(statement=statement)
    return AskResponse.objects.filter(ask__in=asks, pk=pk).select_related("ask").first()


def asks_public() -> QuerySet[Ask]:
    """The asks of every statement with a published version: public, with their responses."""
    return (
        Ask.objects.filter(statement__versions__published_at__isnull=False)
        .distinct()
        .select_related("statement__owner")
        .prefetch_related("responses__source")
        .order_by("statement__created_at", "statement_id", "position")
    )


@dataclass(frozen=True)
class ResponseCorrection:
    """One correction of a response: when, by whom, and each field's wording before and after
    (a cited source by its title)."""

    at: dt.datetime
    by: str
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after)


def _response_labels() -> dict[str, str]:
    return {
        "on": _("Date"),
        "status": _("Status"),
        "summary": _("What happened"),
        "source": _("Evidence: a source"),
        "url": _("Evidence link"),
    }


def response_history(user: Any, response: AskResponse) -> list[ResponseCorrection]:
    """The corrections of a response, oldest first, from the audit trail: the statement's
    owners only (``by=None``: the operator)."""
    if user is not None:
        policy.require(user, policy.VIEW_PROTECTED, response.ask.statement)
    labels = _response_labels()
    corrections = []
    for entry in history_of(response, labels):
        changes = [c for c in entry.changes if c.field in labels]
        if entry.action != Action.UPDATE or not changes:
            continue
        cited = [str(v) for c in changes if c.field == "source" for v in (c.before, c.after) if v]
        titles = {
            str(pk): t for pk, t in Source.objects.filter(pk__in=cited).values_list("pk", "title")
        }
        corrections.append(
            ResponseCorrection(
                at=entry.at,
                by=entry.actor_label,
                changes=tuple(
                    (c.label, _shown(c.field, c.before, titles), _shown(c.field, c.after, titles))
                    for c in changes
                ),
            )
        )
    return corrections


def _shown(field: str, value: Any, titles: dict[str, str]) -> str:
    if value in (None, ""):
        return "—"
    if field == "status" and value in ResponseStatus.values:
        return str(ResponseStatus(value).label)
    if field == "source":
        return titles.get(str(value), str(value))
    return str(value)


@dataclass(frozen=True)
class Unpublished:
    """Endorsement changes the public list does not show yet: it is the one frozen when
    ``version`` was published, and they appear when the next version is published."""

    version: int
    endorsed: int
    withdrawn: int


def unpublished_changes(
    statement: Statement, endorsements: list[Endorsement]
) -> Unpublished | None:
    """For the owners' page: endorsements made, and withdrawals recorded, since the latest
    published version (None before the first publication)."""
    version = latest_published(statement)
    if version is None or version.published_at is None:
        return None
    since = version.published_at
    endorsed = sum(1 for e in endorsements if e.created_at > since and e.withdrawn_at is None)
    withdrawn = sum(
        1
        for e in endorsements
        if e.withdrawn_at is not None and e.withdrawn_at > since and e.created_at <= since
    )
    return Unpublished(version.number, endorsed, withdrawn)
