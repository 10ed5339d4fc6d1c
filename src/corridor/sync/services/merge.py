"""Writes: versions of the records edited here, and the merge of the records a bundle
brings (decision 0275): the higher hybrid logical clock wins, a concurrent loser is kept as a
Conflict for a person to review, removals are tombstones.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from corridor.aid.services import rollups_refresh_organisations
from corridor.audit.services import Action, audit_record
from corridor.core.errors import InvalidInput
from corridor.orgs.models import Organisation
from corridor.sync import hlc, records
from corridor.sync.models import Conflict, Identity, Peer, Resolution, Version
from corridor.sync.progress import SILENT, Progress
from corridor.sync.services.peers import require_admin

# How many superseded stamps a version remembers, newest first. Beyond that an edit made on top
# of a very old version looks concurrent: a conflict is logged for review, the result is the same.
ANCESTRY = 32
# What a version's update writes.
VERSION_FIELDS = ["hlc", "superseded", "digest", "change", "came_from"]


def locked_identity() -> Identity:
    identity = Identity.objects.select_for_update().first()
    if identity is None:
        raise InvalidInput("this instance has no sync identity yet: run `corridor sync identity`")
    return identity


def _next_change(identity: Identity) -> int:
    identity.changes += 1
    return identity.changes


def stamp_edits(identity: Identity, progress: Progress = SILENT) -> int:
    """Give every record edited here since it was last versioned a new version; returns how
    many. A local edit is found by its content, so the domain apps need not tell us."""
    node = identity.pk.hex
    stamped = 0
    progress.start(len(records.KINDS), "Finding local edits")
    for kind in records.KINDS:
        progress.advance(1)
        known = {
            v.record_id: v
            for v in Version.objects.filter(kind=kind.label).only(
                "record_id", "digest", "hlc", "superseded"
            )
        }
        fresh, changed = [], []
        for row in records.rows(kind):
            content = records.digest(records.serialise(kind, row))
            version = known.get(row.pk)
            if version is not None and version.digest == content:
                continue
            identity.clock = hlc.tick(identity.clock, node)
            if version is None:
                fresh.append(
                    Version(
                        kind=kind.label,
                        record_id=row.pk,
                        hlc=identity.clock,
                        superseded=[],
                        digest=content,
                        change=_next_change(identity),
                    )
                )
            else:
                version.superseded = [version.hlc, *version.superseded][:ANCESTRY]
                version.hlc, version.digest = identity.clock, content
                version.change, version.came_from = _next_change(identity), None
                changed.append(version)
        Version.objects.bulk_create(fresh, batch_size=500)
        update_rows(Version, VERSION_FIELDS, changed)
        stamped += len(fresh) + len(changed)
    identity.save(update_fields=["clock", "changes"])
    return stamped


def changes_stamp(*, by: Any) -> int:
    """Version the edits made here since the last export or import (``corridor sync status``
    shows them as pending)."""
    require_admin(by)
    with transaction.atomic():
        return stamp_edits(locked_identity())


@dataclass
class Incoming:
    kind: records.Kind
    id: uuid.UUID
    hlc: str
    superseded: list[str]
    data: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)


def update_rows(model: type[models.Model], names: list[str], rows: list[Any]) -> None:
    """UPDATE these fields of these rows: one parameterised statement run for all of them.
    ``bulk_update`` builds a CASE per field over the whole batch, which made applying 10,000
    edited records take minutes (bench/README.md, "Sync")."""
    if not rows:
        return
    meta = model._meta
    fields = [cast(models.Field, meta.get_field(name)) for name in names]
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(str(f.column))} = %s" for f in fields)
    # Table and column names come from the model; values travel as parameters.
    pk = cast(models.Field, meta.pk)
    sql = f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(str(pk.column))} = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
        + [pk.get_db_prep_value(row.pk, connection)]
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 500):
            cursor.executemany(sql, params[start : start + 500])


def _write(kind: records.Kind, fresh: list[Incoming], changed: list[Incoming]) -> None:
    """Insert the new rows and update the changed ones of one kind, in batches."""
    model = kind.model

    def row(item: Incoming) -> Any:
        return model(id=item.id, **{k: v for k, v in item.values.items() if k not in kind.many})

    model._base_manager.bulk_create([row(item) for item in fresh], batch_size=500)
    now = timezone.now()
    updated = [row(item) for item in changed]
    for one in updated:
        one.updated_at = now  # type: ignore[attr-defined]
    update_rows(model, [f.name for f in kind.fields] + ["updated_at"], updated)
    for item in fresh + changed:
        for name in kind.many:
            getattr(model._base_manager.get(pk=item.id), name).set(item.values[name])


def _lost(kind: str, record_id: Any, kept: str, lost: str, data: dict[str, Any]) -> int:
    if Conflict.objects.filter(kind=kind, record_id=record_id, lost_hlc=lost).exists():
        return 0
    Conflict.objects.create(
        kind=kind, record_id=record_id, kept_hlc=kept, lost_hlc=lost, lost=json.dumps(data)
    )
    return 1


def merge_rows(
    identity: Identity,
    peer: Peer,
    items: list[Incoming],
    orgs: list[dict],
    progress: Progress = SILENT,
) -> tuple[int, int]:
    """Merge the verified rows: the higher version wins, a concurrent loser is kept as a
    Conflict. Returns (rows written, conflicts logged)."""
    progress.start(len(items), "Merging records")
    for org in orgs:
        if not Organisation.objects.filter(pk=org["id"]).exists():
            Organisation.objects.bulk_create([Organisation(**org)])
    written = conflicts = 0
    top = identity.clock
    activity_orgs: set[Any] = set()
    for kind in records.KINDS:
        mine = [i for i in items if i.kind is kind]
        if not mine:
            continue
        versions = {
            v.record_id: v
            for v in Version.objects.filter(kind=kind.label, record_id__in=[i.id for i in mine])
        }
        current = {
            row.pk: records.serialise(kind, row) for row in records.rows(kind, [i.id for i in mine])
        }
        applied: list[Version] = []
        fresh: list[Incoming] = []
        changed: list[Incoming] = []
        for item in mine:
            top = max(top, item.hlc)
            version = versions.get(item.id)
            if version is not None and version.hlc == item.hlc:
                continue
            if version is not None and item.hlc < version.hlc:
                if item.hlc not in version.superseded:  # concurrent and lost
                    conflicts += _lost(kind.label, item.id, version.hlc, item.hlc, item.data)
                    version.superseded = [item.hlc, *version.superseded][:ANCESTRY]
                    version.save(update_fields=["superseded"])
                continue
            superseded = list(item.superseded)
            if version is not None and version.hlc not in item.superseded:  # concurrent, lost
                conflicts += _lost(
                    kind.label, item.id, item.hlc, version.hlc, current.get(item.id, {})
                )
                superseded = [version.hlc, *superseded]
            (changed if item.id in current else fresh).append(item)
            if version is None:
                version = Version(kind=kind.label, record_id=item.id)
            version.hlc, version.superseded = item.hlc, superseded[:ANCESTRY]
            version.change, version.came_from = _next_change(identity), peer
            versions[item.id] = version
            applied.append(version)
            if kind.label == "aid.activity":
                activity_orgs.add(item.values["organisation_id"])
        _write(kind, fresh, changed)
        # The digest of the rows as stored here, so they do not look like local edits.
        stored = {
            row.pk: records.digest(records.serialise(kind, row))
            for row in records.rows(kind, [v.record_id for v in applied])
        }
        for version in applied:
            version.digest = stored[version.record_id]
        # Split before writing: bulk_create sets the new rows' pks, and updating them again
        # cost most of an import of new records (bench/README.md, "Sync").
        known = [v for v in applied if v.pk is not None]
        Version.objects.bulk_create([v for v in applied if v.pk is None], batch_size=500)
        update_rows(Version, VERSION_FIELDS, known)
        written += len(applied)
        progress.advance(len(mine))
    rollups_refresh_organisations(activity_orgs)
    identity.clock = top
    identity.save(update_fields=["clock", "changes"])
    return written, conflicts


def conflict_review(*, by: Any, conflict_id: uuid.UUID) -> Conflict:
    """Mark a conflict as reviewed by a person (the kept version stays; to take the lost
    values, edit the record: the edit travels as a new version)."""
    require_admin(by)
    conflict = Conflict.objects.filter(pk=conflict_id).first()
    if conflict is None:
        raise InvalidInput(f"no conflict {conflict_id}")
    with transaction.atomic():
        conflict.reviewed_at = timezone.now()
        conflict.reviewed_by = by
        conflict.resolution = Resolution.KEPT
        conflict.save(update_fields=["reviewed_at", "reviewed_by", "resolution"])
        audit_record(
            by=by,
            action=Action.UPDATE,
            obj=conflict,
            changes={"reviewed": True, "resolution": Resolution.KEPT},
        )
    return conflict
