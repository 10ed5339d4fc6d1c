"""A record's history read from the audit trail, with protected values never in clear.

The trail already holds protected values only as keyed hashes (``hmac:…``) or as ``set`` /
``changed`` (corridor/audit/protected.py); the history says "changed" for them and never
repeats the hash. Who may read the history, and whether the people in it are named, is the
caller's decision (the record's page asks the access policy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from corridor.audit.models import AuditEntry
from corridor.audit.protected import CHANGED, PREFIX, SET, protected_fields
from corridor.audit.services import Action

# What a record's history tells: its writes. Denials and protected-field views stay in the
# trail (``corridor audit list``) but are not part of the record's story.
HISTORY_ACTIONS = (Action.CREATE, Action.UPDATE, Action.REMOVE, Action.RESTORE, Action.DELETE)
# Bookkeeping and ownership: the people are named by the entry itself, and an organisation's
# id is not something every reader of shared data may learn.
NOT_SHOWN = frozenset(
    {
        "id",
        "created_by",
        "updated_by",
        "removed_by",
        "removed_at",
        "removal_reason",
        "removed_via",
        "organisation",
        "reporting_organisation",
    }
)
# Entries written before keyed hashes (December 2026) hold protected fields as this.
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any
    hidden: bool  # a protected value: show that it changed, never what it is


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: dt.datetime
    actor_label: str
    action: str
    changes: tuple[Change, ...]
    reason: str


def _is_protected_value(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith(f"{PREFIX}:") or value in (SET, CHANGED, REDACTED)
    return False


def _label(obj: models.Model, name: str, labels: Mapping[str, str]) -> str:
    if name in labels:
        return str(labels[name])
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:  # a field the model no longer has: its stored name
        return name
    return capfirst(str(getattr(field, "verbose_name", name)))


def _changes(
    obj: models.Model, recorded: dict[str, Any], labels: Mapping[str, str]
) -> tuple[Change, ...]:
    protected = protected_fields(obj)
    out = []
    for name, pair in sorted(recorded.items()):
        if name in NOT_SHOWN:
            continue
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        hidden = name in protected or _is_protected_value(before) or _is_protected_value(after)
        out.append(
            Change(
                field=name,
                label=_label(obj, name, labels),
                before=None if hidden else before,
                after=None if hidden else after,
                hidden=hidden,
            )
        )
    return tuple(out)


def history_of(obj: models.Model, labels: Mapping[str, str] | None = None) -> list[HistoryEntry]:
    """The record's writes, oldest first: who, when, what changed (protected values hidden),
    and the reason given for a removal. ``labels`` names fields in the reader's language (a
    form's labels); other fields by their model name."""
    entries = AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action__in=HISTORY_ACTIONS
    ).order_by("seq")
    history = []
    for entry in entries:
        recorded = entry.changes if isinstance(entry.changes, dict) else {}
        changes: tuple[Change, ...] = ()
        reason = ""
        if entry.action == Action.UPDATE:
            changes = _changes(obj, recorded, labels or {})
        elif entry.action == Action.REMOVE:
            reason = str(recorded.get("reason", ""))
        elif entry.action == Action.RESTORE:
            reason = str(recorded.get("removed_for", ""))
        history.append(
            HistoryEntry(
                seq=entry.seq,
                at=entry.at,
                actor_label=entry.actor_label,
                action=entry.action,
                changes=changes,
                reason=reason,
            )
        )
    return history


def entries_latest(limit: int) -> list[AuditEntry]:
    """The last ``limit`` entries of the whole trail, newest first (the instance operator's
    `corridor audit list` and `verify`; the trail is not read by anyone else whole)."""
    return list(AuditEntry.objects.order_by("-seq")[:limit])
