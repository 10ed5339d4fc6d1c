"""Writing to and checking the audit trail.

``audit_record`` must run inside the caller's transaction, so a change and its audit entry
commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone

from corridor.audit.anchor import anchor_after_commit
from corridor.audit.models import AuditEntry
from corridor.audit.protected import CHANGED, SECRET, protected_fields, protected_value
from corridor.core.errors import InvalidInput
from corridor.core.models import RemovedVia

GENESIS = "0" * 64
# Serialise the chain on PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers.
_PG_LOCK_KEY = 7_310_001


class Action:
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    DENIED = "denied"
    EXPORT = "export"
    IMPORT = "import"
    REMOVE = "remove"
    RESTORE = "restore"
    VIEW_PROTECTED = "view_protected"
    PERMISSION_CHANGE = "permission_change"
    KEY_CHANGE = "key_change"
    ANCHOR = "anchor"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(obj: models.Model, *, protect: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The object's concrete field values as JSON-safe data, protected values never in clear.

    ``protect`` ({field: rule}, see ``corridor.audit.protected``) defaults to the object's own
    protected fields.
    """
    rules = protected_fields(obj) if protect is None else protect
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(obj, field.attname)
        rule = rules.get(field.name)
        data[field.name] = protected_value(obj, field.name, rule, value) if rule else _plain(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose values changed, as {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_diff(stored: models.Model, obj: models.Model) -> dict[str, Any]:
    """What an update changed, as {field: [old, new]}; a secret that changed reads "changed".

    A field protected in either state is protected in both: an organisation made anonymous
    hides the name it had while it was public, in this entry as in every later one.
    """
    rules = {**protected_fields(stored), **protected_fields(obj)}
    secrets = {name for name, rule in rules.items() if rule == SECRET}
    changed: dict[str, Any] = diff(snapshot(stored, protect=rules), snapshot(obj, protect=rules))
    for name in secrets:
        changed.pop(name, None)
        if getattr(stored, name) != getattr(obj, name):
            changed[name] = CHANGED
    changed.pop("updated_by", None)
    return changed


def entry_hash(
    *,
    seq: int,
    at: str,
    actor_id: str,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: Any,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [seq, at, actor_id, actor_label, action, object_type, object_id, changes, prev_hash],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _at_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_record(
    *,
    by: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. ``by`` is a user or None for the system."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside a transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    seq = last.seq + 1 if last else 1
    prev_hash = last.hash if last else GENESIS
    # Microsecond precision survives both databases, so the stored time hashes the same.
    at = timezone.now().replace(tzinfo=dt.UTC)
    actor_id = str(by.pk) if by is not None and by.pk is not None else ""
    actor_label = by.get_username() if by is not None and by.pk is not None else "system"
    clean_changes = json.loads(json.dumps(changes or {}, default=_plain))
    fields = {
        "seq": seq,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "changes": clean_changes,
        "prev_hash": prev_hash,
    }
    digest = entry_hash(at=_at_text(at), **fields)
    entry = AuditEntry.objects.create(at=at, hash=digest, **fields)
    anchor_after_commit(seq, digest)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain and report the first entry that was edited, removed or reordered."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return VerifyResult(
                False, checked, f"entry #{expected_seq} is missing (found #{entry.seq})"
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False, checked, f"entry #{entry.seq} does not follow #{entry.seq - 1}"
            )
        digest = entry_hash(
            seq=entry.seq,
            at=_at_text(entry.at),
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            changes=entry.changes,
            prev_hash=entry.prev_hash,
        )
        if digest != entry.hash:
            return VerifyResult(False, checked, f"entry #{entry.seq} was altered")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)


M = TypeVar("M", bound=models.Model)


def _stamp(obj: models.Model, by: Any, *, creating: bool) -> None:
    user = by if by is not None and getattr(by, "pk", None) is not None else None
    if creating and hasattr(obj, "created_by_id"):
        setattr(obj, "created_by", user)  # noqa: B010 — not every model has the field
    if hasattr(obj, "updated_by_id"):
        setattr(obj, "updated_by", user)  # noqa: B010


@transaction.atomic
def audited_create(obj: M, *, by: Any) -> M:
    """Validate, save a new object and write its 'create' entry in one transaction."""
    _stamp(obj, by, creating=True)
    obj.full_clean()
    obj.save(force_insert=True)
    audit_record(by=by, action=Action.CREATE, obj=obj, changes=snapshot(obj))
    return obj


@transaction.atomic
def audited_update(obj: M, *, by: Any, **values: Any) -> M:
    """Apply ``values`` to a saved object, validate, save and audit the fields that changed."""
    # The base manager: a removed record (hidden by its default manager) is still stored.
    stored = type(obj)._base_manager.get(pk=obj.pk)
    for name, value in values.items():
        setattr(obj, name, value)
    _stamp(obj, by, creating=False)
    obj.full_clean()
    obj.save()
    changed = audit_diff(stored, obj)
    if changed:
        audit_record(by=by, action=Action.UPDATE, obj=obj, changes=changed)
    return obj


@transaction.atomic
def audited_delete(obj: models.Model, *, by: Any) -> None:
    """Delete an object and keep what it held in its 'delete' entry."""
    before = snapshot(obj)
    object_type, object_id = obj._meta.label_lower, str(obj.pk)
    obj.delete()
    audit_record(
        by=by, action=Action.DELETE, object_type=object_type, object_id=object_id, changes=before
    )


def _removal_fields(obj: models.Model, by: Any) -> list[str]:
    _stamp(obj, by, creating=False)
    return [
        "removed_at",
        "removed_by",
        "removal_reason",
        "removed_via",
        "updated_at",
        "updated_by",
    ]


@transaction.atomic
def audited_remove(obj: M, *, by: Any, reason: str) -> M:
    """Remove a record softly (``core.models.Removable``): keep the row, with who removed it,
    when and why, and write a 'remove' entry holding the reason (decision 0180).

    Removing without a reason is refused: the next person needs to know why a row went.
    """
    if obj.removed_at is not None:  # type: ignore[attr-defined]
        raise InvalidInput(f"this {obj._meta.verbose_name} is already removed")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("give the reason for removing this record")
    obj.removed_at = timezone.now()  # type: ignore[attr-defined]
    obj.removed_by = by if getattr(by, "pk", None) is not None else None  # type: ignore[attr-defined]
    obj.removal_reason = reason  # type: ignore[attr-defined]
    obj.removed_via = RemovedVia.PERSON  # type: ignore[attr-defined]
    obj.save(update_fields=_removal_fields(obj, by))
    audit_record(by=by, action=Action.REMOVE, obj=obj, changes={"reason": reason})
    return obj


@transaction.atomic
def audited_restore(obj: M, *, by: Any) -> M:
    """Undo a soft removal and write a 'restore' entry naming the reason it was removed for."""
    if obj.removed_at is None:  # type: ignore[attr-defined]
        raise InvalidInput(f"this {obj._meta.verbose_name} is not removed")
    reason = obj.removal_reason  # type: ignore[attr-defined]
    obj.removed_at = None  # type: ignore[attr-defined]
    obj.removed_by = None  # type: ignore[attr-defined]
    obj.removal_reason = ""  # type: ignore[attr-defined]
    obj.removed_via = ""  # type: ignore[attr-defined]
    obj.save(update_fields=_removal_fields(obj, by))
    audit_record(by=by, action=Action.RESTORE, obj=obj, changes={"removed_for": reason})
    return obj
