"""Which records travel in bundles, how a record is written into a bundle and read back, and
which records a peer may receive (decision 0275).

A record travels as its fields by attribute name (foreign keys as ids), in JSON: dates and
times as ISO text, decimals as text, encrypted fields decrypted (the bundle itself is
encrypted to its recipient). Authors (``created_by``, ``updated_by``, ``removed_by``) and the
``created_at``/``updated_at`` times are an instance's own and stay home: users are not synced.
A removal travels as ``removed_at`` and ``removal_reason``: a tombstone (decision 0180).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from corridor.aid.models import Activity
from corridor.core.crypto.fields import EncryptedBinaryField
from corridor.funds.access import evidence_parties, grant_chain
from corridor.funds.models import Dispute, Evidence, ExchangeRate, Grant, Spending, Transfer
from corridor.orgs.models import Organisation
from corridor.situation.models import DisplacementFigure, Incident, Source
from corridor.sync import envelope
from corridor.sync.envelope import Refused
from corridor.sync.models import Peer, Role

LOCAL_FIELDS = ("id", "created_at", "updated_at", "created_by", "updated_by", "removed_by")
# What a bundle tells a recipient about an organisation it does not know yet: never its
# protected name or contacts.
ORGANISATION_FIELDS = ("name", "name_my", "acronym", "kind", "base_country", "visibility", "alias")


@dataclass(frozen=True)
class Kind:
    label: str
    model: type[models.Model]
    # The organisations whose row it is (none for shared reference rows: sources); a transfer
    # and a grant belong to both their sides.
    organisations: tuple[str, ...]
    many: tuple[str, ...] = ()
    # The rows it names, by attribute and kind: a bundle carries them with it, and a bundle
    # that names one neither present nor carried is refused.
    parents: tuple[tuple[str, str], ...] = ()
    # Whose row it is when that is its parents' say, not a column's (a dispute is its
    # transfer's sides'); decides what a field peer receives instead of ``organisations``.
    parties: Callable[[Any], set[Any]] | None = None
    # Loaded with each row, for ``parties``.
    related: tuple[str, ...] = ()
    # Fields encrypted again, on their own, to the recipient inside the (encrypted) bundle
    # (``seal_fields``): an evidence file and its name.
    sealed: tuple[str, ...] = ()

    @property
    def fields(self) -> list[models.Field]:
        return [f for f in self.model._meta.concrete_fields if f.name not in LOCAL_FIELDS]


def _dispute_parties(dispute: Any) -> set[Any]:
    """A dispute goes where its transfer goes: to the transfer's two sides."""
    return {dispute.transfer.from_organisation_id, dispute.transfer.to_organisation_id}


def _spending_parties(spending: Any) -> set[Any]:
    """A spending goes where the activity it names goes: to the organisation that spent
    (decision 0277: an activity travels to its own organisation's instances only)."""
    return {spending.activity.organisation_id}


def _evidence_parties(evidence: Any) -> set[Any]:
    """A file goes to the grant's parties (``funds.access.evidence_parties``, the policy's
    rule) that also receive the record it backs, and nowhere else."""
    if evidence.spending_id is not None:
        holders = _spending_parties(evidence.spending)
    else:
        holders = {evidence.transfer.from_organisation_id, evidence.transfer.to_organisation_id}
    return evidence_parties(evidence) & holders


# In the order a bundle applies them: sources before the figures and incidents that cite them,
# grants before the transfers that name them, every row after the rows it names.
KINDS: tuple[Kind, ...] = (
    Kind("situation.source", Source, ()),
    Kind("situation.displacementfigure", DisplacementFigure, ("reporting_organisation_id",)),
    Kind("situation.incident", Incident, ("reporting_organisation_id",), many=("sources",)),
    Kind("aid.activity", Activity, ("organisation_id",)),
    Kind("funds.grant", Grant, ("donor_id", "recipient_id")),
    Kind(
        "funds.transfer",
        Transfer,
        ("from_organisation_id", "to_organisation_id"),
        parents=(("grant_id", "funds.grant"),),
    ),
    Kind(
        "funds.dispute",
        Dispute,
        ("opened_by_id",),
        parents=(("transfer_id", "funds.transfer"),),
        parties=_dispute_parties,
        related=("transfer",),
    ),
    Kind("funds.exchangerate", ExchangeRate, ()),
    Kind(
        "funds.spending",
        Spending,
        (),
        parents=(("grant_id", "funds.grant"), ("activity_id", "aid.activity")),
        parties=_spending_parties,
        related=("activity",),
    ),
    Kind(
        "funds.evidence",
        Evidence,
        (),
        parents=(("transfer_id", "funds.transfer"), ("spending_id", "funds.spending")),
        parties=_evidence_parties,
        related=("transfer__grant", "spending__activity", "spending__grant"),
        sealed=("filename", "content"),
    ),
)
BY_LABEL = {kind.label: kind for kind in KINDS}


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def rows(kind: Kind, ids: Iterable[Any] | None = None, batch: int = 500) -> Iterable[models.Model]:
    """Every row of ``kind`` (removed ones too), or those with these ids."""
    manager = kind.model._base_manager.all()
    if kind.related:  # select_related() without names would follow every foreign key
        manager = manager.select_related(*kind.related)
    prefetch = list(kind.many)
    if ids is None:
        yield from manager.order_by("pk").prefetch_related(*prefetch).iterator(chunk_size=batch)
        return
    wanted = list(ids)
    for start in range(0, len(wanted), batch):
        yield from manager.filter(pk__in=wanted[start : start + batch]).prefetch_related(*prefetch)


def serialise(kind: Kind, row: models.Model) -> dict[str, Any]:
    data = {f.attname: _plain(f.value_from_object(row)) for f in kind.fields}
    for name in kind.many:
        data[name] = sorted(str(pk) for pk in getattr(row, name).values_list("pk", flat=True))
    return data


def digest(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def deserialise(kind: Kind, data: Any, where: str) -> dict[str, Any]:
    """Field values (by attribute name) from a bundle's row, or Refused naming the field."""
    if not isinstance(data, dict):
        raise Refused(f"{where}: not a record")
    expected = {f.attname for f in kind.fields} | set(kind.many)
    if set(data) != expected:
        odd = sorted(set(data) ^ expected)
        raise Refused(f"{where}: fields {', '.join(odd[:5])} do not match {kind.label}")
    values: dict[str, Any] = {}
    for field in kind.fields:
        target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
        raw = data[field.attname]
        try:
            if raw is not None and isinstance(target, EncryptedBinaryField | models.BinaryField):
                raw = base64.b64decode(str(raw).encode("ascii"), validate=True)
            values[field.attname] = None if raw is None else target.to_python(raw)
        except (ValidationError, TypeError, ValueError, binascii.Error):
            # The value itself stays out of the reason: refusals are written to the audit trail.
            raise Refused(
                f"{where}: {field.name}: not a valid value ({type(raw).__name__})"
            ) from None
    for name in kind.many:
        items = data[name]
        if not isinstance(items, list):
            raise Refused(f"{where}: {name}: not a list")
        try:
            values[name] = [uuid.UUID(str(item)) for item in items]
        except ValueError:
            raise Refused(f"{where}: {name}: not a list of ids") from None
    return values


def _context(kind: Kind, record_id: Any, name: str) -> bytes:
    return f"{kind.label} {record_id} {name}".encode()


def seal_fields(kind: Kind, record_id: Any, data: dict[str, Any], recipient_box: bytes) -> None:
    """Encrypt ``kind.sealed`` fields of a serialised row, each on its own, to the recipient
    (in place): they stay encrypted in the decrypted payload until the row is written."""
    if not kind.sealed:
        return
    for name in (f.attname for f in kind.fields if f.name in kind.sealed):
        value = json.dumps(data[name]).encode()
        data[name] = envelope.b64(
            envelope.box(
                value, recipient_box=recipient_box, context=_context(kind, record_id, name)
            )
        )


def open_fields(kind: Kind, record_id: Any, data: Any, box_key: bytes, where: str) -> None:
    """Undo ``seal_fields`` (in place), or Refused naming the field."""
    if not kind.sealed or not isinstance(data, dict):
        return  # ``deserialise`` refuses it
    for name in (f.attname for f in kind.fields if f.name in kind.sealed):
        if name not in data:
            continue  # ``deserialise`` names the missing field
        try:
            sealed = base64.b64decode(str(data[name]).encode("ascii"), validate=True)
        except (binascii.Error, ValueError):
            raise Refused(f"{where}: {name}: not a sealed value") from None
        try:
            plain = envelope.unbox(sealed, box_key=box_key, context=_context(kind, record_id, name))
        except Refused as exc:
            raise Refused(f"{where}: {name}: {exc}") from None
        try:
            data[name] = json.loads(plain)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Refused(f"{where}: {name}: damaged sealed value") from None


def organisations_of(kind: Kind, row: models.Model) -> set[Any]:
    """The organisations whose row it is (both sides of a transfer or grant)."""
    found = {getattr(row, name) for name in kind.organisations}
    return found - {None}


def peer_may_receive(peer: Peer, organisations: set[Any], kind: Kind, row: models.Model) -> bool:
    """May this record go to ``peer``? The policy's rules for members, applied to the
    organisations the peer is registered for (``organisations``):

    - the hub receives every record: it is where the network's administrators work;
    - a field instance receives its organisations' activities (members see their own
      organisation's rows, protected fields included: village, village tract), the incidents
      and displacement figures its organisations reported (members see those with their exact
      sites) and the sources (shared reading). Other organisations' rows stay at the hub,
      so no protected value reaches a peer whose organisations may not see it;
    - transfers whose sender or receiver is one of its organisations (the two sides see a
      transfer at once, claimed legs, reference and intermediary included; others only once
      both legs are confirmed, and never its intermediary), and the grants its organisations
      gave, received or passed on (``funds.access.grant_rule``). Transfers between two other
      organisations stay at the hub, settled or not;
    - the disputes (with their notes and resolutions) of those transfers, the spending its
      organisations recorded (on their own activities), every exchange rate (reference data
      every member reads), and the evidence files of those transfers and spending whose
      grant's parties include its organisations (``funds.access.evidence_parties``):
      a photo never reaches a peer of an organisation that is not a party.
    """
    if peer.role == Role.HUB:
        return True
    if kind.parties is not None:
        return bool(kind.parties(row) & organisations)
    if not kind.organisations:
        return True
    if organisations_of(kind, row) & organisations:
        return True
    return isinstance(row, Grant) and bool(grant_chain(row) & organisations)


def organisation_document(org: Organisation) -> dict[str, Any]:
    return {"id": str(org.pk), **{name: getattr(org, name) for name in ORGANISATION_FIELDS}}
