"""Writes: a person settles a conflict (decision 0296) — keeps the version that won, or takes
the one that lost, which becomes a new version above both and travels to every peer."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from corridor.aid.services import rollups_refresh_organisations
from corridor.audit.services import Action, audit_record
from corridor.core.errors import InvalidInput
from corridor.sync import records
from corridor.sync.envelope import Refused
from corridor.sync.models import Conflict, Resolution
from corridor.sync.services.merge import locked_identity, stamp_edits
from corridor.sync.services.peers import require_admin


def _take_lost(conflict: Conflict) -> list[str]:
    """Write the lost version's values over the record; returns the fields that changed."""
    kind = records.BY_LABEL.get(conflict.kind)
    if kind is None:
        raise InvalidInput(f"records of kind {conflict.kind!r} are not synced here")
    try:
        values = records.deserialise(kind, json.loads(conflict.lost), "the lost version")
    except (Refused, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the lost version cannot be restored: {exc}") from None
    row = kind.model._base_manager.filter(pk=conflict.record_id).first()
    if row is None:
        raise InvalidInput("the record is no longer here")
    now = records.serialise(kind, row)
    lost = json.loads(conflict.lost)
    changed = sorted(name for name in lost if lost[name] != now.get(name))
    plain = {k: v for k, v in values.items() if k not in kind.many}
    kind.model._base_manager.filter(pk=row.pk).update(**plain, updated_at=timezone.now())
    for name in kind.many:
        getattr(row, name).set(values[name])
    if kind.label == "aid.activity":
        rollups_refresh_organisations({row.organisation_id, values["organisation_id"]})  # type: ignore[attr-defined]
    return changed


def conflict_resolve(*, by: Any, conflict_id: uuid.UUID, take: str) -> Conflict:
    """Settle a conflict: ``take`` "kept" leaves the record as it is; "took_lost" writes the
    lost version's values over it, versioned at once above both (so no peer logs it again)."""
    require_admin(by)
    if take not in Resolution.values:
        raise InvalidInput(f"take must be one of {', '.join(Resolution.values)}")
    with transaction.atomic():
        identity = locked_identity()
        conflict = Conflict.objects.select_for_update().filter(pk=conflict_id).first()
        if conflict is None:
            raise InvalidInput(f"no conflict {conflict_id}")
        if conflict.reviewed_at is not None:
            raise InvalidInput("this conflict was settled already")
        changed: list[str] = []
        if take == Resolution.TOOK_LOST:
            stamp_edits(identity)  # an edit made here before stays its own version
            changed = _take_lost(conflict)
            stamp_edits(identity)
        conflict.reviewed_at = timezone.now()
        conflict.reviewed_by = by
        conflict.resolution = take
        conflict.save(update_fields=["reviewed_at", "reviewed_by", "resolution"])
        # Field names only: the values may be protected (a village, a witness).
        audit_record(
            by=by,
            action=Action.UPDATE,
            obj=conflict,
            changes={
                "resolution": take,
                "record": f"{conflict.kind} {conflict.record_id}",
                "kept": conflict.kept_hlc,
                "lost": conflict.lost_hlc,
                "fields_taken": changed,
            },
        )
    return conflict
