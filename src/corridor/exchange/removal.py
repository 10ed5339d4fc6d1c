"""Removing the records a scoped re-import no longer contains (decisions 0150, 0282).

The one place where an import takes records away, and it takes them away softly, as a person
on the record's page does (``core.models.Removable``, decision 0180): the rows stay, with who
removed them, when, and the reason — which file replaced them — and one ``remove`` audit entry
for the whole removal. Called inside the import's transaction, after the person's right to
remove records of each organisation in the scope was checked (``scope.Scope.allowed``).

A later file that holds such a record again brings it back (``records_restore``): the file says
the record exists. A record a person removed on its page stays removed (decision 0180), even
when its reason reads like an import's: the two are told apart by ``removed_via``, not by the
reason's wording (decision 0354).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from corridor.audit.services import Action, audit_record
from corridor.core.models import RemovedVia

# Primary keys per UPDATE ... WHERE id IN (...): SQLite's historical parameter limit is 999.
CHUNK = 900
# Record ids listed in the audit entry; beyond that the count stays exact.
AUDITED_IDS = 10_000
# How a removal by a replacing import words its reason (stored text, not translated); which
# records it restores is ``removed_via``, not this wording.
REPLACED = "not in "
REPLACED_TAIL = ", which replaces what it covers"


def replaced_reason(file: str) -> str:
    return f"{REPLACED}{file}{REPLACED_TAIL}"


def replaced() -> Q:
    """The records a replacing import removed."""
    return Q(removed_at__isnull=False, removed_via=RemovedVia.REPLACE)


def _audited(ids: Sequence[Any], count: int) -> dict[str, Any]:
    return {
        "ids": [str(uuid.UUID(str(pk))) for pk in ids[:AUDITED_IDS]],
        "ids_left_out": max(count - AUDITED_IDS, 0),
    }


def _stamp(by: Any) -> dict[str, Any]:
    user = by if getattr(by, "pk", None) is not None else None
    return {"updated_at": timezone.now(), "updated_by": user}


def records_remove(
    *, by: Any, model: type[models.Model], pks: Sequence[Any], changes: dict[str, Any]
) -> int:
    """Remove these records softly, the reason naming ``changes["file"]``, and audit it;
    returns how many went."""
    reason = replaced_reason(str(changes.get("file") or "the imported file"))
    stamp = _stamp(by)
    gone = 0
    manager = model._default_manager  # current records only: a removed one stays as it was
    for start in range(0, len(pks), CHUNK):
        chunk = list(pks[start : start + CHUNK])
        gone += manager.filter(pk__in=chunk).update(
            removed_at=stamp["updated_at"],
            removed_by=stamp["updated_by"],
            removal_reason=reason,
            removed_via=RemovedVia.REPLACE,
            **stamp,
        )
    if gone:
        audit_record(
            by=by,
            action=Action.REMOVE,
            object_type=model._meta.label_lower,
            changes={**changes, "reason": reason, "removed": gone, **_audited(pks, gone)},
        )
    return gone


def records_restore(
    *, by: Any, model: type[models.Model], pks: Sequence[Any], changes: dict[str, Any]
) -> int:
    """Bring back records an earlier replacing import removed, now that a file holds them
    again, and audit it; returns how many came back."""
    stamp = _stamp(by)
    back = 0
    removed = model.all_objects.filter(replaced())  # type: ignore[attr-defined]
    for start in range(0, len(pks), CHUNK):
        chunk = list(pks[start : start + CHUNK])
        back += removed.filter(pk__in=chunk).update(
            removed_at=None, removed_by=None, removal_reason="", removed_via="", **stamp
        )
    if back:
        audit_record(
            by=by,
            action=Action.RESTORE,
            object_type=model._meta.label_lower,
            changes={**changes, "restored": back, **_audited(pks, back)},
        )
    return back
