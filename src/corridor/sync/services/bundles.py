"""Writes: bundles out to a peer and in from one (decision 0275, docs/sync.md).

An incoming bundle is verified completely (format, sender, recipient, signature, revocation,
sequence, decryption, every row's fields and references) before one row is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.accounts import policy
from corridor.audit.services import Action, audit_record
from corridor.core.errors import InvalidInput
from corridor.disclosure.outputs import internal_output
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation
from corridor.sync import envelope, hlc, records
from corridor.sync.envelope import Refused
from corridor.sync.models import Bundle, Direction, Identity, Peer, Role, Version
from corridor.sync.progress import SILENT, Progress
from corridor.sync.services.merge import Incoming, locked_identity, merge_rows, stamp_edits
from corridor.sync.services.peers import require_admin

# --- bundles out ----------------------------------------------------------------------------


@dataclass
class ExportResult:
    peer: str
    seq: int
    rows: int
    pieces: list[bytes]


@internal_output(
    "sync.bundle",
    role=policy.ADMINISTER,
    what="records with their protected fields, encrypted to one registered peer instance",
)
def bundle_export(
    *, by: Any, to: str, chunk_size: int = 0, progress: Progress = SILENT
) -> ExportResult:
    """A bundle for the peer ``to``: every record changed since the last bundle it
    acknowledged and that it may receive, with our acknowledgement of its bundles."""
    require_admin(by)
    with transaction.atomic():
        identity = locked_identity()
        peer = Peer.objects.select_for_update().filter(name=to).first()
        if peer is None:
            raise InvalidInput(f"no peer named {to!r} (`corridor sync peer add` registers one)")
        if peer.revoked_at is not None:
            raise InvalidInput(f"peer {to!r} is revoked")
        stamp_edits(identity, progress)
        organisations = set(peer.organisations.values_list("pk", flat=True))
        pending = Version.objects.filter(change__gt=peer.acked_change).exclude(came_from=peer)
        by_kind: dict[str, dict[Any, Version]] = {}
        for version in pending.order_by("change"):
            by_kind.setdefault(version.kind, {})[version.record_id] = version
        # A field peer always gets its own organisations: its first bundle sets it up.
        items: list[dict[str, Any]] = []
        org_ids = set(organisations) if peer.role == Role.FIELD else set()
        shipped: set[tuple[str, Any]] = set()

        recipient_box = envelope.unb64(peer.box_public, "peer key")

        def add(kind: records.Kind, row: Any, version: Version) -> None:
            data = records.serialise(kind, row)
            records.seal_fields(kind, row.pk, data, recipient_box)
            items.append(
                {
                    "kind": kind.label,
                    "id": str(row.pk),
                    "hlc": version.hlc,
                    "superseded": version.superseded,
                    "data": data,
                }
            )
            shipped.add((kind.label, row.pk))
            org_ids.update(records.organisations_of(kind, row))

        progress.start(sum(len(v) for v in by_kind.values()), "Collecting changes")
        for kind in records.KINDS:
            versions = by_kind.get(kind.label, {})
            for row in records.rows(kind, versions):
                if records.peer_may_receive(peer, organisations, kind, row):
                    add(kind, row, versions[row.pk])
            progress.advance(len(versions))
        # A row travels with the rows it names (a transfer with its grant, a spending with its
        # grant and activity, a file with what it backs), even one the peer acknowledged before
        # it was the peer's to receive (a grant's chain grows with its transfers). Children come
        # later in KINDS than their parents, so walking back brings a parent's parents too.
        for kind in reversed(records.KINDS):
            for attname, label in kind.parents:
                named = {
                    uuid.UUID(item["data"][attname])
                    for item in items
                    if item["kind"] == kind.label and item["data"][attname]
                } - {pk for shipped_label, pk in shipped if shipped_label == label}
                if not named:
                    continue
                parent = records.BY_LABEL[label]
                versions = {
                    v.record_id: v for v in Version.objects.filter(kind=label, record_id__in=named)
                }
                for row in records.rows(parent, named):
                    add(parent, row, versions[row.pk])
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
            signing_key=cast(bytes, identity.signing_key),
            recipient_box=recipient_box,
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
        payload = json.loads(envelope.open_payload(sealed, cast(bytes, identity.box_key)))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused("damaged payload") from None
    if not isinstance(payload, dict):
        raise Refused("damaged payload")
    return peer, header, payload


def _items(payload: dict[str, Any], box_key: bytes) -> tuple[list[Incoming], list[dict[str, Any]]]:
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
        records.open_fields(kind, pk, row.get("data"), box_key, f"{where} ({kind.label} {pk})")
        item = Incoming(kind, pk, str(row["hlc"]), superseded, row.get("data"))  # type: ignore[arg-type]
        item.values = records.deserialise(kind, item.data, f"{where} ({kind.label} {pk})")
        items.append(item)
    for org in orgs:
        if not isinstance(org, dict) or set(org) != {"id", *records.ORGANISATION_FIELDS}:
            raise Refused("damaged organisation in payload")
    return items, orgs


def _check_references(items: list[Incoming], orgs: list[dict[str, Any]]) -> None:
    """Every place, organisation and source a row names exists here or comes with it."""
    places = {i.values["admin_unit_id"] for i in items if i.values.get("admin_unit_id")}
    known = set(AdminUnit.objects.filter(pk__in=places).values_list("pk", flat=True))
    if places - known:
        raise Refused(f"names places unknown here: {', '.join(sorted(places - known)[:5])}")
    shipped = {uuid.UUID(str(o["id"])) for o in orgs}
    wanted = {i.values[name] for i in items for name in i.kind.organisations} - {None}
    here = set(Organisation.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - here - shipped:
        raise Refused("names an organisation it does not carry")
    for kind in records.KINDS:
        for attname, label in kind.parents:
            named = {i.values[attname] for i in items if i.kind is kind and i.values[attname]}
            if not named:
                continue
            coming = {i.id for i in items if i.kind.label == label}
            model = records.BY_LABEL[label].model
            present = set(model._base_manager.filter(pk__in=named).values_list("pk", flat=True))
            if named - present - coming:
                noun = label.split(".")[1]
                raise Refused(f"names a {noun} it does not carry ({kind.label} {attname})")
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


def _claimed(data: bytes) -> dict[str, Any]:
    """What a refused bundle says of itself (unverified: the audit entry says "claimed")."""
    try:
        header = envelope.parse(data).header
    except Refused:
        return {}
    return {
        "claimed_sender": str(header.get("sender_name", ""))[:100],
        "claimed_sender_id": str(header.get("sender", ""))[:40],
        "claimed_seq": header.get("seq") if isinstance(header.get("seq"), int) else None,
    }


def _refusal_audited(by: Any, outcome: Outcome, data: bytes | None) -> Outcome:
    """One audit entry per refused bundle: who tried to import what and why, never a row of
    its content (the reasons name rows, fields and ids, not values)."""
    changes: dict[str, Any] = {"file": outcome.name[:200], "refused": outcome.reason[:300]}
    if data is not None:
        changes |= {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        changes |= _claimed(data)
    with transaction.atomic():
        audit_record(
            by=by,
            action=Action.DENIED,
            object_type="sync.bundle",
            object_id=str(changes.get("sha256", ""))[:16],
            changes=changes,
        )
    return outcome


def _import_one(by: Any, name: str, data: bytes, progress: Progress) -> Outcome:
    identity = Identity.objects.first()
    if identity is None:
        return Outcome(name, reason="this instance has no sync identity yet")
    try:
        peer, header, payload = _verified(data, identity)
        items, orgs = _items(payload, cast(bytes, identity.box_key))
        _check_references(items, orgs)
    except Refused as exc:
        return _refusal_audited(by, Outcome(name, reason=str(exc)), data)
    try:
        return _apply(by, name, data, peer, header, items, orgs, progress)
    except IntegrityError as exc:
        # A row the database's rules refuse (a negative amount, a transfer to its sender):
        # the transaction rolled back. The first line names the rule, never the row's values.
        rule = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "a constraint"
        return _refusal_audited(by, Outcome(name, reason=f"breaks a rule: {rule}"), data)


def _apply(
    by: Any,
    name: str,
    data: bytes,
    peer: Peer,
    header: dict[str, Any],
    items: list[Incoming],
    orgs: list[dict[str, Any]],
    progress: Progress,
) -> Outcome:
    seq = header["seq"]
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        identity = locked_identity()
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        if Bundle.objects.filter(peer=peer, direction=Direction.IN, seq=seq).exists():
            return Outcome(name, reason=f"replayed: bundle {seq} from {peer.name}")
        stamp_edits(identity, progress)  # local edits get their versions before they are compared
        written, conflicts = merge_rows(identity, peer, items, orgs, progress)
        Bundle.objects.create(
            peer=peer,
            direction=Direction.IN,
            seq=seq,
            sha256=digest,
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
                "from_id": str(peer.pk),
                "seq": seq,
                "file": name[:200],
                "sha256": digest,
                "made_at": str(header.get("made_at", ""))[:40],
                "rows": dict(sorted(kinds.items())),
                "written": written,
                "conflicts": conflicts,
            },
        )
    return Outcome(name, applied=written, conflicts=conflicts, sender=peer.name, seq=seq)


def bundle_import(
    *, by: Any, files: list[tuple[str, bytes]], progress: Progress = SILENT
) -> list[Outcome]:
    """Apply bundles (whole or in chunks, in any order): each is verified completely before
    any row of it is written, and applied in one transaction, or refused with a reason."""
    require_admin(by)
    outcomes = []
    for name, data in envelope.assemble(files):
        if isinstance(data, Refused):
            outcomes.append(_refusal_audited(by, Outcome(name, reason=str(data)), None))
        else:
            outcomes.append(_import_one(by, name, data, progress))
    return outcomes
