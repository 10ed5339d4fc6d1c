"""Removing the records a scoped re-import no longer contains (decision 0150).

The one place where an import takes records away: a later soft delete replaces the body of
``records_remove`` and every caller follows. Called inside the import's transaction, after the
person's right to remove records of each organisation in the scope was checked
(``scope.Scope.allowed``); writes one audit entry for the whole removal.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import models

from corridor.audit.services import Action, audit_record

# Primary keys per DELETE ... WHERE id IN (...): SQLite's historical parameter limit is 999.
CHUNK = 900
# Record ids listed in the audit entry; beyond that the count stays exact.
AUDITED_IDS = 10_000


def records_remove(
    *, by: Any, model: type[models.Model], pks: Sequence[Any], changes: dict[str, Any]
) -> int:
    """Delete these records (hard delete for now) and audit it; returns how many went."""
    gone = 0
    for start in range(0, len(pks), CHUNK):
        chunk = list(pks[start : start + CHUNK])
        _, by_model = model._default_manager.filter(pk__in=chunk).delete()
        gone += by_model.get(model._meta.label, 0)
    if gone:
        audit_record(
            by=by,
            action=Action.DELETE,
            object_type=model._meta.label_lower,
            changes={
                **changes,
                "removed": gone,
                "ids": [str(uuid.UUID(str(pk))) for pk in pks[:AUDITED_IDS]],
                "ids_left_out": max(gone - AUDITED_IDS, 0),
            },
        )
    return gone
