"""Writes: loading a list (all or nothing, with what changed) and a person's decision on a match.

``by`` None is the instance operator at the command line; anyone else must be allowed by the
policy (lists: coordinators and admins; decisions: the organisation's editors).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from corridor.accounts import policy
from corridor.audit.services import audit_record, audited_create, audited_update
from corridor.core.errors import InvalidInput
from corridor.screening.formats import Delta, EntityRow, read_csv, read_ftm
from corridor.screening.models import (
    EntityList,
    ListedEntity,
    ListFormat,
    ScreeningDecision,
    Verdict,
)
from corridor.screening.names import normalise

LIST_NAME_CHARS = 100


@dataclass(frozen=True)
class ListLoad:
    name: str
    format: str
    version: int
    added: int
    changed: int
    removed: int
    unchanged: int
    total: int

    def line(self) -> str:
        return (
            f"list {self.name!r} ({self.format}, version {self.version}): {self.added} added, "
            f"{self.changed} changed, {self.removed} removed, {self.unchanged} unchanged; "
            f"{self.total} entities"
        )


def fingerprint(content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _format_of(path_name: str, data: bytes, given: str) -> str:
    if given:
        return given
    if path_name.lower().endswith((".json", ".jsonl", ".ijson", ".ftm", ".ndjson")):
        return ListFormat.FTM
    if path_name.lower().endswith(".csv"):
        return ListFormat.CSV
    return ListFormat.FTM if data.lstrip()[:1] == b"{" else ListFormat.CSV


def list_import(
    *, by: Any, path: Path, name: str = "", source: str = "", format: str = ""
) -> ListLoad:
    """Load ``path`` as the list ``name`` (default: the file's stem)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({error.strerror})") from error
    return list_import_bytes(
        by=by, data=data, file_name=path.name, name=name or path.stem, source=source,
        format=format,
    )  # fmt: skip


def list_import_bytes(
    *, by: Any, data: bytes, file_name: str, name: str, source: str = "", format: str = ""
) -> ListLoad:
    name = name.strip()
    if not name or len(name) > LIST_NAME_CHARS:
        raise InvalidInput(f"a list name of 1 to {LIST_NAME_CHARS} characters, not {name!r}")
    if by is not None:
        policy.require(by, policy.ADD, EntityList)
    kind = _format_of(file_name, data, format)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{file_name}: not UTF-8 text (byte {error.start})") from error
    handle = io.StringIO(text, newline="")
    parsed: list[EntityRow] | Delta = (
        read_csv(handle, file_name) if kind == ListFormat.CSV else read_ftm(handle, file_name)
    )
    with transaction.atomic():
        known = EntityList.objects.select_for_update().filter(name=name).first()
        if isinstance(parsed, Delta) and known is None:
            raise InvalidInput(f"{file_name}: a delta stream changes a list; load {name!r} first")
        return _apply(by, known, parsed, name=name, kind=kind, file_name=file_name,
                      sha=hashlib.sha256(data).hexdigest(), source=source)  # fmt: skip


def _apply(
    by: Any,
    known: EntityList | None,
    parsed: list[EntityRow] | Delta,
    *,
    name: str,
    kind: str,
    file_name: str,
    sha: str,
    source: str,
) -> ListLoad:
    now = timezone.now()
    if known is None:
        known = audited_create(
            EntityList(name=name, format=kind, source=source, file_name=file_name,
                       file_sha256=sha, loaded_at=now, version=0),
            by=by,
        )  # fmt: skip
    stored = {e.key: e for e in ListedEntity.objects.filter(entity_list=known)}
    if isinstance(parsed, Delta):
        incoming = {row.key: row for row in parsed.upserts}
        gone = [stored[key] for key in parsed.removals if key in stored]
    else:
        incoming = {row.key: row for row in parsed}
        gone = [entity for key, entity in stored.items() if key not in incoming]
    version = known.version + 1
    added, changed, unchanged = [], [], 0
    for key, row in incoming.items():
        content = row.content()
        print_ = fingerprint(content)
        entity = stored.get(key)
        if entity is None:
            added.append(ListedEntity(entity_list=known, key=key, fingerprint=print_,
                                      loaded_version=version, **content))  # fmt: skip
        elif entity.fingerprint != print_:
            for field, value in content.items():
                setattr(entity, field, value)
            entity.fingerprint, entity.loaded_version = print_, version
            changed.append(entity)
        else:
            unchanged += 1
    fields = [*EntityRow("", "", "").content(), "fingerprint", "loaded_version"]
    ListedEntity.objects.bulk_create(added, batch_size=2000)
    ListedEntity.objects.bulk_update(changed, fields, batch_size=2000)
    ListedEntity.objects.filter(pk__in=[e.pk for e in gone]).delete()
    differs = bool(added or changed or gone)
    total = ListedEntity.objects.filter(entity_list=known).count()
    audited_update(
        known, by=by, format=kind, file_name=file_name, file_sha256=sha, loaded_at=now,
        version=version if differs or known.version == 0 else known.version,
        entity_count=total, source=source or known.source,
    )  # fmt: skip
    audit_record(
        by=by, action="screening.list_load", obj=known,
        changes={"file": file_name, "sha256": sha, "added": len(added),
                 "changed": len(changed), "removed": len(gone), "unchanged": unchanged,
                 "removed_keys": [e.key for e in gone][:100]},
    )  # fmt: skip
    return ListLoad(name=name, format=kind, version=known.version, added=len(added),
                    changed=len(changed), removed=len(gone), unchanged=unchanged,
                    total=total)  # fmt: skip


def decision_record(
    *, by: Any, organisation: Any, name: str, entity: ListedEntity, verdict: str, reason: str
) -> ScreeningDecision:
    """``organisation`` says ``name`` is (confirmed) or is not (dismissed) ``entity``."""
    if verdict not in Verdict.values:
        raise InvalidInput(f"verdict: {verdict!r} is not one of {', '.join(Verdict.values)}")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: say why (it is kept in the audit trail)")
    key = normalise(name).key
    if not key:
        raise InvalidInput("name: empty")
    list_name = entity.entity_list.name
    values = {
        "entity": entity, "entity_name": entity.name, "verdict": verdict, "reason": reason,
        "fingerprint": entity.fingerprint, "name": name.strip(),
    }  # fmt: skip
    with transaction.atomic():
        decision = (
            ScreeningDecision.objects.select_for_update()
            .filter(
                organisation=organisation, name_key=key, list_name=list_name, entity_key=entity.key
            )
            .first()
        )
        if decision is None:
            decision = ScreeningDecision(
                organisation=organisation, name_key=key, list_name=list_name,
                entity_key=entity.key, **values,
            )  # fmt: skip
            if by is not None:
                policy.require(by, policy.ADD, decision)
            return audited_create(decision, by=by)
        if by is not None:
            policy.require(by, policy.CHANGE, decision)
        return audited_update(decision, by=by, **values)
