"""Key rotation: move every encrypted value to the current key, then retire old keys.

``keys_rotate`` first writes the new key to the keyring (so nothing is ever encrypted under a
key that is not safely stored), then re-encrypts in small batches, each in its own
transaction. Interrupted, it resumes: a value already under the current key is skipped, and a
second run without ``new_key`` only finishes the work.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models.functions import Cast

from corridor.audit.services import Action, audit_record
from corridor.core.crypto import keyring as keys
from corridor.core.crypto.fields import VERSION, encrypted_fields, key_id_of

BATCH = 500
_RAW = "_stored_value"


def _raw(queryset: models.QuerySet, field_name: str) -> models.QuerySet:
    # Cast to plain text: the annotation bypasses the field's decryption and shows the
    # stored value, whose prefix names its key.
    return queryset.annotate(**{_RAW: Cast(field_name, models.TextField())})


def _stored(model: type[models.Model], field_name: str) -> models.QuerySet:
    return (
        # The base manager: rows a default manager hides (removed records) hold keys too.
        _raw(model._base_manager.all(), field_name)
        .exclude(**{f"{_RAW}__isnull": True})
        .exclude(**{_RAW: ""})
    )


def key_usage() -> dict[str, Counter]:
    """{'app.model.field': Counter({key id: number of values})} over the whole database."""
    usage: dict[str, Counter] = {}
    for model, fld in encrypted_fields():
        counts: Counter = Counter()
        for stored in _stored(model, fld.name).values_list(_RAW, flat=True).iterator():
            counts[key_id_of(stored) or "(not encrypted)"] += 1
        usage[fld.label] = counts
    return usage


@dataclass
class RotationResult:
    current: str
    new_key: bool
    reencrypted: dict[str, int] = field(default_factory=dict)
    old_keys: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())


def key_add(keyring: keys.Keyring) -> str:
    """Add a fresh key to a file keyring, make it current and save it; return its id."""
    key_id = keys.new_key_id()
    while key_id in keyring.keys:
        key_id = keys.new_key_id()
    keyring.keys[key_id] = secrets.token_bytes(keys.KEY_BYTES)
    keyring.created[key_id] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    keyring.current = key_id
    keys.keyring_save(keyring)
    return key_id


def _reencrypt(model: type[models.Model], fld, current: str, progress) -> int:
    prefix = f"{VERSION}:{current}:"
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                _stored(model, fld.name)
                .exclude(**{f"{_RAW}__startswith": prefix})
                .select_for_update()
                .only("pk", fld.name)[:BATCH]
            )
            if not batch:
                return done
            # Saving the decrypted value encrypts it again, under the current key;
            # updated_at stays as it was: the data did not change.
            model._base_manager.bulk_update(batch, [fld.name])
        done += len(batch)
        if progress:
            progress(fld.label, done)


def keys_rotate(
    *, by, new_key: bool, progress: Callable[[str, int], None] | None = None
) -> RotationResult:
    """Re-encrypt every protected value under the current key (a new one if ``new_key``)."""
    keyring = keys.active(fresh=True)
    if new_key:
        key_add(keyring)
        with transaction.atomic():
            audit_record(
                by=by,
                action=Action.KEY_CHANGE,
                object_type="encryption_key",
                object_id=keyring.current,
                changes={"event": "key added and made current"},
            )
    result = RotationResult(current=keyring.current, new_key=new_key)
    for model, fld in encrypted_fields():
        result.reencrypted[fld.label] = _reencrypt(model, fld, keyring.current, progress)
    result.old_keys = sorted(k for k in keyring.keys if k != keyring.current)
    with transaction.atomic():
        audit_record(
            by=by,
            action=Action.KEY_CHANGE,
            object_type="encryption_key",
            object_id=keyring.current,
            changes={"event": "values re-encrypted", "count": result.total},
        )
    return result


def key_retire(*, by, key_id: str) -> None:
    """Remove an old key from the keyring file once no stored value needs it."""
    keyring = keys.active(fresh=True)
    if keyring.source != "file":
        raise keys.KeyringError(
            "the keys come from CORRIDOR_ENCRYPTION_KEYS: remove the key from that variable"
        )
    if key_id not in keyring.keys:
        raise keys.KeyringError(f"there is no key {key_id!r} in the keyring")
    if key_id == keyring.current:
        raise keys.KeyringError(f"key {key_id!r} is the current key: rotate first")
    still = sum(counts[key_id] for counts in key_usage().values())
    if still:
        raise keys.KeyringError(
            f"{still} values are still encrypted under key {key_id!r}: run "
            f"`corridor keys rotate --resume` first"
        )
    del keyring.keys[key_id]
    keyring.created.pop(key_id, None)
    keys.keyring_save(keyring)
    with transaction.atomic():
        audit_record(
            by=by,
            action=Action.KEY_CHANGE,
            object_type="encryption_key",
            object_id=key_id,
            changes={"event": "key retired"},
        )
