"""Writes: this instance's identity and its peers (decision 0275).

``by`` None is the operator at the instance's own command line; anyone else must be an
administrator (``sync.access``).
"""

from __future__ import annotations

import json
import socket
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from corridor.accounts import policy
from corridor.audit.services import Action, audit_record
from corridor.core.errors import InvalidInput
from corridor.orgs.models import Organisation
from corridor.sync import envelope
from corridor.sync.envelope import Refused
from corridor.sync.models import Identity, Peer, Role

IDENTITY_FORMAT = "corridor-sync-identity"


def require_admin(by: Any) -> None:
    if by is not None:
        policy.require(by, policy.ADMINISTER)


# --- identity and peers ---------------------------------------------------------------------


def identity_ensure(*, by: Any, name: str = "") -> Identity:
    """This instance's identity, made (new key pairs) on first use."""
    require_admin(by)
    found = Identity.objects.first()
    if found is not None:
        return found
    keys = envelope.new_keys()
    with transaction.atomic():
        identity = Identity.objects.create(
            name=(name or socket.gethostname() or "corridor").strip()[:100],
            # Encrypted bytes fields; the stubs type every TextField subclass as text.
            signing_key=cast(Any, keys.signing_key),
            box_key=cast(Any, keys.box_key),
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
    require_admin(by)
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
    require_admin(by)
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
