"""Which records travel in bundles, how a record is written into a bundle and read back, and
which records a peer may receive (decision 0275).

A record travels as its fields by attribute name (foreign keys as ids), in JSON: dates and
times as ISO text, decimals as text, encrypted fields decrypted (the bundle itself is
encrypted to its recipient). Authors (``created_by``, ``updated_by``, ``removed_by``) and the
``created_at``/``updated_at`` times are an instance's own and stay home: users are not synced.
A removal travels as ``removed_at`` and ``removal_reason``: a tombstone (decision 0180).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from corridor.aid.models import Activity
from corridor.funds.access import grant_chain
from corridor.funds.models import Grant, Transfer
from corridor.orgs.models import Organisation
from corridor.situation.models import DisplacementFigure, Incident, Source
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

    @property
    def fields(self) -> list[models.Field]:
        return [f for f in self.model._meta.concrete_fields if f.name not in LOCAL_FIELDS]


# In the order a bundle applies them: sources before the figures and incidents that cite them,
# grants before the transfers that name them.
KINDS: tuple[Kind, ...] = (
    Kind("situation.source", Source, ()),
    Kind("situation.displacementfigure", DisplacementFigure, ("reporting_organisation_id",)),
    Kind("situation.incident", Incident, ("reporting_organisation_id",), many=("sources",)),
    Kind("aid.activity", Activity, ("organisation_id",)),
    Kind("funds.grant", Grant, ("donor_id", "recipient_id")),
    Kind("funds.transfer", Transfer, ("from_organisation_id", "to_organisation_id")),
)
BY_LABEL = {kind.label: kind for kind in KINDS}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def rows(kind: Kind, ids: Iterable[Any] | None = None, batch: int = 500) -> Iterable[models.Model]:
    """Every row of ``kind`` (removed ones too), or those with these ids."""
    manager = kind.model._base_manager
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
            values[field.attname] = None if raw is None else target.to_python(raw)
        except (ValidationError, TypeError, ValueError):
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
      organisations stay at the hub, settled or not.
    """
    if peer.role == Role.HUB or not kind.organisations:
        return True
    if organisations_of(kind, row) & organisations:
        return True
    return isinstance(row, Grant) and bool(grant_chain(row) & organisations)


def organisation_document(org: Organisation) -> dict[str, Any]:
    return {"id": str(org.pk), **{name: getattr(org, name) for name in ORGANISATION_FIELDS}}
