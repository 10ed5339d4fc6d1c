"""Writes of the sync app: this instance's identity, its peers, bundles out and in (decision
0275, docs/sync.md).

``by`` None is the operator at the instance's own command line; anyone else must be an
administrator (``sync.access``).
"""

from __future__ import annotations

import hashlib
import json
import socket
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from corridor.accounts import policy
from corridor.aid.services import rollups_refresh_organisations
from corridor.audit.services import Action, audit_record
from corridor.core.errors import InvalidInput
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation
from corridor.sync import envelope, hlc, records
from corridor.sync.envelope import Refused
from corridor.sync.models import Bundle, Conflict, Direction, Identity, Peer, Role, Version

# How many superseded stamps a version remembers. Beyond that an edit made on top of a very
# old version looks concurrent: a conflict is logged for review, the result is the same.
ANCESTRY = 32
IDENTITY_FORMAT = "corridor-sync-identity"


def _require(by: Any) -> None:
    if by is not None:
        policy.require(by, policy.ADMINISTER)


# --- identity and peers ---------------------------------------------------------------------


def identity_ensure(*, by: Any, name: str = "") -> Identity:
    """This instance's identity, made (new key pairs) on first use."""
    _require(by)
    found = Identity.objects.first()
    if found is not None:
        return found
    keys = envelope.new_keys()
    with transaction.atomic():
        identity = Identity.objects.create(
            name=(name or socket.gethostname() or "corridor").strip()[:100],
            signing_key=keys.signing_key,
            box_key=keys.box_key,
            signing_public=envelope.b64(keys.signing_public),
            box_public=envelope.b64(keys.box_public),
        )
        audit_record(
            by=by,
            action=Action.KEY_CHANGE,
            obj=identity,
            changes={"sync_identity": identity.name},
        )
    return identity


def identity_fingerprint(identity: Identity | Peer) -> str:
    return envelope.fingerprint_b64(identity.signing_public, identity.box_public)


def identity_document(identity: Identity) -> dict[str, Any]:
    """The public identity another instance registers: never a private key."""
    return {
        "format": IDENTITY_FORMAT,
        "version": 1,
        "id": str(identity.pk),
        "name": identity.name,
        "signing_key": identity.signing_public,
        "encryption_key": identity.box_public,
        "fingerprint": identity_fingerprint(identity),
    }


@dataclass(frozen=True)
class PeerIdentity:
    id: uuid.UUID
    name: str
    signing_public: str
    box_public: str
    fingerprint: str  # computed from the keys, never read from the file


def peer_identity_read(text: str, where: str) -> PeerIdentity:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(document, dict) or document.get("format") != IDENTITY_FORMAT:
        raise InvalidInput(f"{where}: not a Corridor sync identity")
    try:
        pk = uuid.UUID(str(document["id"]))
        name = str(document["name"]).strip()
        signing = envelope.unb64(document["signing_key"], "signing_key")
        box = envelope.unb64(document["encryption_key"], "encryption_key")
    except (KeyError, ValueError, Refused) as exc:
        raise InvalidInput(f"{where}: missing or malformed field ({exc})") from None
    if len(signing) != 32 or len(box) != 32 or not name:
        raise InvalidInput(f"{where}: the keys or the name are malformed")
    return PeerIdentity(
        pk, name, envelope.b64(signing), envelope.b64(box), envelope.fingerprint(signing, box)
    )


def peer_add(
    *,
    by: Any,
    identity: PeerIdentity,
    role: str,
    fingerprint: str,
    organisations: list[Organisation],
) -> Peer:
    """Register a peer whose fingerprint a person checked out of band (``fingerprint`` must be
    the one computed from its keys)."""
    _require(by)
    if role not in Role.values:
        raise InvalidInput(f"role must be one of {', '.join(Role.values)}")
    if not envelope.same_fingerprint(fingerprint, identity.fingerprint):
        raise InvalidInput(
            f"the fingerprint checked ({fingerprint}) is not this identity's "
            f"({identity.fingerprint}): do not register it"
        )
    own = Identity.objects.first()
    if own is not None and own.pk == identity.id:
        raise InvalidInput("that is this instance's own identity")
    known = Peer.objects.filter(pk=identity.id).first()
    if known is not None:
        state = "revoked" if known.revoked_at else "registered"
        raise InvalidInput(f"instance {identity.id} is already {state} as {known.name!r}")
    if Peer.objects.filter(name=identity.name).exists():
        raise InvalidInput(f"a peer named {identity.name!r} is already registered")
    with transaction.atomic():
        peer = Peer.objects.create(
            id=identity.id,
            name=identity.name,
            role=role,
            signing_public=identity.signing_public,
            box_public=identity.box_public,
            fingerprint=identity.fingerprint,
        )
        peer.organisations.set(organisations)
        audit_record(
            by=by,
            action=Action.PERMISSION_CHANGE,
            obj=peer,
            changes={
                "sync_peer_added": peer.name,
                "role": role,
                "organisations": sorted(str(o.pk) for o in organisations),
            },
        )
    return peer


def peer_revoke(*, by: Any, name: str) -> Peer:
    """Refuse every bundle from this peer from now on, and write none to it."""
    _require(by)
    peer = Peer.objects.filter(name=name).first()
    if peer is None:
        raise InvalidInput(f"no peer named {name!r}")
    if peer.revoked_at is not None:
        return peer
    with transaction.atomic():
        peer.revoked_at = timezone.now()
        peer.revoked_by = by
        peer.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            by=by, action=Action.PERMISSION_CHANGE, obj=peer, changes={"sync_peer_revoked": name}
        )
    return peer


# --- versions -------------------------------------------------------------------------------


def _locked_identity() -> Identity:
    identity = Identity.objects.select_for_update().first()
    if identity is None:
        raise InvalidInput("this instance has no sync identity yet: run `corridor sync identity`")
    return identity


def _next_change(identity: Identity) -> int:
    identity.changes += 1
    return identity.changes


def _stamp(identity: Identity) -> int:
    """Give every record edited here since it was last versioned a new version; returns how
    many. A local edit is found by its content, so the domain apps need not tell us."""
    node = identity.pk.hex
    stamped = 0
    for kind in records.KINDS:
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
        Version.objects.bulk_update(
            changed, ["hlc", "superseded", "digest", "change", "came_from"], batch_size=500
        )
        stamped += len(fresh) + len(changed)
    identity.save(update_fields=["clock", "changes"])
    return stamped


def changes_stamp(*, by: Any) -> int:
    """Version the edits made here since the last export or import (``corridor sync status``
    shows them as pending)."""
    _require(by)
    with transaction.atomic():
        return _stamp(_locked_identity())


# --- bundles out ----------------------------------------------------------------------------


@dataclass
class ExportResult:
    peer: str
    seq: int
    rows: int
    pieces: list[bytes]


def bundle_export(*, by: Any, to: str, chunk_size: int = 0) -> ExportResult:
    """A bundle for the peer ``to``: every record changed since the last bundle it
    acknowledged and that it may receive, with our acknowledgement of its bundles."""
    _require(by)
    with transaction.atomic():
        identity = _locked_identity()
        peer = Peer.objects.select_for_update().filter(name=to).first()
        if peer is None:
            raise InvalidInput(f"no peer named {to!r} (`corridor sync peer add` registers one)")
        if peer.revoked_at is not None:
            raise InvalidInput(f"peer {to!r} is revoked")
        _stamp(identity)
        organisations = set(peer.organisations.values_list("pk", flat=True))
        pending = Version.objects.filter(change__gt=peer.acked_change).exclude(came_from=peer)
        by_kind: dict[str, dict[Any, Version]] = {}
        for version in pending.order_by("change"):
            by_kind.setdefault(version.kind, {})[version.record_id] = version
        # A field peer always gets its own organisations: its first bundle sets it up.
        items, org_ids = [], set(organisations) if peer.role == Role.FIELD else set()
        for kind in records.KINDS:
            versions = by_kind.get(kind.label, {})
            for row in records.rows(kind, versions):
                if not records.peer_may_receive(peer, organisations, kind, row):
                    continue
                version = versions[row.pk]
                items.append(
                    {
                        "kind": kind.label,
                        "id": str(row.pk),
                        "hlc": version.hlc,
                        "superseded": version.superseded,
                        "data": records.serialise(kind, row),
                    }
                )
                if kind.organisation and records.organisation_of(kind, row) is not None:
                    org_ids.add(records.organisation_of(kind, row))
        payload = {
            "rows": items,
            "organisations": [
                records.organisation_document(org)
                for org in Organisation.objects.filter(pk__in=org_ids).order_by("pk")
            ],
        }
        seq = peer.sent_seq + 1
        header = {
            "sender": str(identity.pk),
            "sender_name": identity.name,
            "recipient": str(peer.pk),
            "seq": seq,
            "ack": peer.received_seq,
            "made_at": timezone.now().isoformat(),
        }
        sealed = envelope.seal(
            json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode(),
            header=header,
            signing_key=identity.signing_key,
            recipient_box=envelope.unb64(peer.box_public, "peer key"),
        )
        peer.sent_seq = seq
        peer.save(update_fields=["sent_seq"])
        Bundle.objects.create(
            peer=peer,
            direction=Direction.OUT,
            seq=seq,
            sha256=hashlib.sha256(sealed).hexdigest(),
            rows=len(items),
            changes_upto=identity.changes,
        )
        audit_record(
            by=by,
            action=Action.EXPORT,
            object_type="sync.bundle",
            object_id=f"{peer.name}#{seq}",
            changes={"to": peer.name, "seq": seq, "rows": len(items)},
        )
    return ExportResult(peer.name, seq, len(items), envelope.split(sealed, chunk_size))


# --- bundles in -----------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    applied: int | None = None
    reason: str = ""
    conflicts: int = 0
    sender: str = ""
    seq: int = 0

    @property
    def line(self) -> str:
        if self.applied is None:
            return f"{self.name}: refused: {self.reason}"
        extra = f", {self.conflicts} conflicts to review" if self.conflicts else ""
        return f"{self.name}: applied {self.applied} (bundle {self.seq} from {self.sender}{extra})"


@dataclass
class _Item:
    kind: records.Kind
    id: uuid.UUID
    hlc: str
    superseded: list[str]
    data: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)


def _verified(data: bytes, identity: Identity) -> tuple[Peer, dict[str, Any], dict[str, Any]]:
    """The sender, header and payload of a bundle that passed every check, or Refused.
    Nothing is written before this returns."""
    sealed = envelope.parse(data)
    header = sealed.header
    try:
        sender_id = uuid.UUID(header["sender"])
    except ValueError:
        raise Refused("damaged header (sender)") from None
    peer = Peer.objects.filter(pk=sender_id).first()
    if peer is None:
        raise Refused(f"unknown sender {header.get('sender_name', '')!r} ({sender_id})")
    if header["recipient"] != str(identity.pk):
        raise Refused("addressed to another instance")
    envelope.verify(sealed, envelope.unb64(peer.signing_public, "peer key"))
    if peer.revoked_at is not None:
        raise Refused(f"sender {peer.name!r} is revoked")
    seq, ack = header["seq"], header["ack"]
    if seq < 1:
        raise Refused("damaged header (seq)")
    earlier = Bundle.objects.filter(peer=peer, direction=Direction.IN, seq=seq).first()
    if earlier is not None:
        raise Refused(
            f"replayed: bundle {seq} from {peer.name} was applied {earlier.at:%Y-%m-%d %H:%M}"
        )
    if ack > peer.sent_seq or ack < 0:
        raise Refused(f"acknowledges bundle {ack}, never written to {peer.name}")
    try:
        payload = json.loads(envelope.open_payload(sealed, identity.box_key))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused("damaged payload") from None
    if not isinstance(payload, dict):
        raise Refused("damaged payload")
    return peer, header, payload


def _items(payload: dict[str, Any]) -> tuple[list[_Item], list[dict[str, Any]]]:
    rows, orgs = payload.get("rows"), payload.get("organisations")
    if not isinstance(rows, list) or not isinstance(orgs, list):
        raise Refused("damaged payload")
    items, seen = [], set()
    for number, row in enumerate(rows, start=1):
        where = f"row {number}"
        if not isinstance(row, dict) or row.get("kind") not in records.BY_LABEL:
            raise Refused(f"{where}: not a record of a synced kind")
        kind = records.BY_LABEL[row["kind"]]
        try:
            pk = uuid.UUID(str(row.get("id")))
            hlc.parse(str(row.get("hlc")))
            superseded = [str(s) for s in row.get("superseded", [])]
            for stamp in superseded:
                hlc.parse(stamp)
        except (ValueError, TypeError):
            raise Refused(f"{where}: damaged id or version") from None
        if (kind.label, pk) in seen:
            raise Refused(f"{where}: {kind.label} {pk} twice")
        seen.add((kind.label, pk))
        item = _Item(kind, pk, str(row["hlc"]), superseded, row.get("data"))  # type: ignore[arg-type]
        item.values = records.deserialise(kind, item.data, f"{where} ({kind.label} {pk})")
        items.append(item)
    for org in orgs:
        if not isinstance(org, dict) or set(org) != {"id", *records.ORGANISATION_FIELDS}:
            raise Refused("damaged organisation in payload")
    return items, orgs


def _check_references(items: list[_Item], orgs: list[dict[str, Any]]) -> None:
    """Every place, organisation and source a row names exists here or comes with it."""
    places = {i.values["admin_unit_id"] for i in items if i.values.get("admin_unit_id")}
    known = set(AdminUnit.objects.filter(pk__in=places).values_list("pk", flat=True))
    if places - known:
        raise Refused(f"names places unknown here: {', '.join(sorted(places - known)[:5])}")
    shipped = {uuid.UUID(str(o["id"])) for o in orgs}
    wanted = {
        i.values[i.kind.organisation]
        for i in items
        if i.kind.organisation and i.values[i.kind.organisation]
    }
    here = set(Organisation.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - here - shipped:
        raise Refused("names an organisation it does not carry")
    sources = {s for i in items for s in i.values.get("sources", [])}
    sources |= {i.values["source_id"] for i in items if i.values.get("source_id")}
    coming = {i.id for i in items if i.kind.label == "situation.source"}
    present = set(
        records.BY_LABEL["situation.source"]
        .model._base_manager.filter(pk__in=sources)
        .values_list("pk", flat=True)
    )
    if sources - present - coming:
        raise Refused("cites a source it does not carry")


def _write(item: _Item, exists: bool) -> None:
    model = item.kind.model
    fields = {k: v for k, v in item.values.items() if k not in item.kind.many}
    if exists:
        model._base_manager.filter(pk=item.id).update(updated_at=timezone.now(), **fields)
    else:
        model._base_manager.bulk_create([model(id=item.id, **fields)])
    for name in item.kind.many:
        getattr(model._base_manager.get(pk=item.id), name).set(item.values[name])


def _lost(kind: str, record_id: Any, kept: str, lost: str, data: dict[str, Any]) -> int:
    if Conflict.objects.filter(kind=kind, record_id=record_id, lost_hlc=lost).exists():
        return 0
    Conflict.objects.create(
        kind=kind, record_id=record_id, kept_hlc=kept, lost_hlc=lost, lost=json.dumps(data)
    )
    return 1


def _apply(identity: Identity, peer: Peer, items: list[_Item], orgs: list[dict]) -> tuple[int, int]:
    """Merge the verified rows: the higher version wins, a concurrent loser is kept as a
    Conflict. Returns (rows written, conflicts logged)."""
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
        applied = []
        for item in mine:
            top = max(top, item.hlc)
            version = versions.get(item.id)
            if version is not None and version.hlc == item.hlc:
                continue
            if version is not None and item.hlc < version.hlc:
                if item.hlc not in version.superseded:  # concurrent and lost
                    conflicts += _lost(kind.label, item.id, version.hlc, item.hlc, item.data)
                    version.superseded = [*version.superseded, item.hlc][-ANCESTRY:]
                    version.save(update_fields=["superseded"])
                continue
            superseded = list(item.superseded)
            if version is not None and version.hlc not in item.superseded:  # concurrent, lost
                conflicts += _lost(
                    kind.label, item.id, item.hlc, version.hlc, current.get(item.id, {})
                )
                superseded = [*superseded, version.hlc]
            _write(item, exists=item.id in current)
            if version is None:
                version = Version(kind=kind.label, record_id=item.id)
            version.hlc, version.superseded = item.hlc, superseded[-ANCESTRY:]
            version.change, version.came_from = _next_change(identity), peer
            versions[item.id] = version
            applied.append(version)
            if kind.label == "aid.activity":
                activity_orgs.add(item.values["organisation_id"])
        # The digest of the rows as stored here, so they do not look like local edits.
        stored = {
            row.pk: records.digest(records.serialise(kind, row))
            for row in records.rows(kind, [v.record_id for v in applied])
        }
        for version in applied:
            version.digest = stored[version.record_id]
        Version.objects.bulk_create([v for v in applied if v.pk is None], batch_size=500)
        Version.objects.bulk_update(
            [v for v in applied if v.pk is not None],
            ["hlc", "superseded", "digest", "change", "came_from"],
            batch_size=500,
        )
        written += len(applied)
    rollups_refresh_organisations(activity_orgs)
    identity.clock = top
    identity.save(update_fields=["clock", "changes"])
    return written, conflicts


def _import_one(by: Any, name: str, data: bytes) -> Outcome:
    identity = Identity.objects.first()
    if identity is None:
        return Outcome(name, reason="this instance has no sync identity yet")
    try:
        peer, header, payload = _verified(data, identity)
        items, orgs = _items(payload)
        _check_references(items, orgs)
    except Refused as exc:
        return Outcome(name, reason=str(exc))
    seq = header["seq"]
    with transaction.atomic():
        identity = _locked_identity()
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        if Bundle.objects.filter(peer=peer, direction=Direction.IN, seq=seq).exists():
            return Outcome(name, reason=f"replayed: bundle {seq} from {peer.name}")
        _stamp(identity)  # local edits get their versions before they are compared
        written, conflicts = _apply(identity, peer, items, orgs)
        Bundle.objects.create(
            peer=peer,
            direction=Direction.IN,
            seq=seq,
            sha256=hashlib.sha256(data).hexdigest(),
            rows=written,
        )
        peer.received_seq = max(peer.received_seq, seq)
        ack = header["ack"]
        if ack > peer.acked_seq:
            acked = Bundle.objects.filter(peer=peer, direction=Direction.OUT, seq=ack).first()
            peer.acked_seq = ack
            if acked is not None:
                peer.acked_change = max(peer.acked_change, acked.changes_upto)
        peer.save(update_fields=["received_seq", "acked_seq", "acked_change"])
        kinds = Counter(i.kind.label for i in items)
        audit_record(
            by=by,
            action=Action.IMPORT,
            object_type="sync.bundle",
            object_id=f"{peer.name}#{seq}",
            changes={
                "from": peer.name,
                "seq": seq,
                "rows": dict(sorted(kinds.items())),
                "written": written,
                "conflicts": conflicts,
            },
        )
    return Outcome(name, applied=written, conflicts=conflicts, sender=peer.name, seq=seq)


def bundle_import(*, by: Any, files: list[tuple[str, bytes]]) -> list[Outcome]:
    """Apply bundles (whole or in chunks, in any order): each is verified completely before
    any row of it is written, and applied in one transaction, or refused with a reason."""
    _require(by)
    outcomes = []
    for name, data in envelope.assemble(files):
        if isinstance(data, Refused):
            outcomes.append(Outcome(name, reason=str(data)))
        else:
            outcomes.append(_import_one(by, name, data))
    return outcomes


def conflict_review(*, by: Any, conflict_id: uuid.UUID) -> Conflict:
    """Mark a conflict as reviewed by a person (the kept version stays; to take the lost
    values, edit the record: the edit travels as a new version)."""
    _require(by)
    conflict = Conflict.objects.filter(pk=conflict_id).first()
    if conflict is None:
        raise InvalidInput(f"no conflict {conflict_id}")
    with transaction.atomic():
        conflict.reviewed_at = timezone.now()
        conflict.reviewed_by = by
        conflict.save(update_fields=["reviewed_at", "reviewed_by"])
        audit_record(by=by, action=Action.UPDATE, obj=conflict, changes={"reviewed": True})
    return conflict
