"""Reads of the sync state: what `corridor sync status` shows (administrators only: the
callers are the instance's own command line)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from corridor.sync import envelope, records
from corridor.sync.models import Conflict, Identity, Peer, Version


def local_edits() -> int:
    """Records edited here and not yet versioned (the next export or import versions them)."""
    edited = 0
    for kind in records.KINDS:
        known = dict(Version.objects.filter(kind=kind.label).values_list("record_id", "digest"))
        for row in records.rows(kind):
            if known.get(row.pk) != records.digest(records.serialise(kind, row)):
                edited += 1
    return edited


def conflict_found(pk: Any) -> Conflict | None:
    """One conflict, reviewed or not (administrators only: the callers check)."""
    return Conflict.objects.filter(pk=pk).first()


def conflicts_open() -> list[Conflict]:
    """The conflicts nobody reviewed yet, oldest first."""
    return list(Conflict.objects.filter(reviewed_at__isnull=True).order_by("found_at"))


def sync_status() -> dict[str, Any]:
    identity = Identity.objects.first()
    peers = []
    for peer in Peer.objects.all():
        pending = (
            Version.objects.filter(change__gt=peer.acked_change).exclude(came_from=peer).count()
        )
        last_in = peer.bundles.filter(direction="in").order_by("-at").first()
        last_out = peer.bundles.filter(direction="out").order_by("-at").first()
        peers.append(
            {
                "name": peer.name,
                "id": str(peer.pk),
                "role": peer.role,
                "fingerprint": peer.fingerprint,
                "added_at": peer.added_at.isoformat(),
                "revoked": peer.revoked_at is not None,
                "organisations": sorted(
                    str(pk) for pk in peer.organisations.values_list("pk", flat=True)
                ),
                "last_bundle_out": peer.sent_seq,
                "last_bundle_acknowledged": peer.acked_seq,
                "last_bundle_in": peer.received_seq,
                "last_out_at": last_out.at.isoformat() if last_out else None,
                "last_in_at": last_in.at.isoformat() if last_in else None,
                "pending_versions": pending,
            }
        )
    return {
        "instance": None
        if identity is None
        else {
            "id": str(identity.pk),
            "name": identity.name,
            "fingerprint": envelope.fingerprint_b64(identity.signing_public, identity.box_public),
        },
        "peers": peers,
        "unversioned_edits": local_edits() if identity is not None else 0,
        "conflicts_to_review": Conflict.objects.filter(reviewed_at__isnull=True).count(),
    }


@dataclass(frozen=True)
class Side:
    """One field of a conflicted record: its value now (the version kept) and in the version
    that lost."""

    name: str
    label: str
    now: Any
    lost: Any

    @property
    def differs(self) -> bool:
        return self.now != self.lost


def conflict_sides(conflict: Conflict) -> tuple[Any, list[Side]]:
    """The record as it is here (None if it is gone) and its fields beside the lost version's,
    the fields that differ first."""
    kind = records.BY_LABEL.get(conflict.kind)
    lost = json.loads(conflict.lost)
    if kind is None:
        return None, [Side(name, name, None, value) for name, value in sorted(lost.items())]
    row = kind.model._base_manager.filter(pk=conflict.record_id).first()
    now = records.serialise(kind, row) if row is not None else {}
    labels = {f.attname: str(f.verbose_name) for f in kind.fields} | {m: m for m in kind.many}
    order = list(labels)
    names = sorted(set(now) | set(lost), key=lambda n: order.index(n) if n in order else len(order))
    sides = [Side(name, labels.get(name, name), now.get(name), lost.get(name)) for name in names]
    return row, sorted(sides, key=lambda side: not side.differs)
