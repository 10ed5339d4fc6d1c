"""Which values the audit trail may not hold in clear, and what it holds instead.

One rule, consulted by every snapshot (docs/decisions/0115-audit-keyed-hashes.md):

* **Keyed**: every field stored encrypted (``EncryptedField``), and the plain fields a model
  names in ``audit_redacted`` (a tuple, or a property when it depends on the record, like an
  organisation's names while it is not public). The trail holds an HMAC-SHA256 of the value
  under a key derived from the instance keyring, written ``hmac:<key id>:<hex>``: equal values
  give equal hashes (so a change shows), but the value cannot be read back, and once the key
  is retired nobody can even test a guess against it.
* **Secret**: a user's password hash, the fields a model names in ``audit_secret`` and those
  of other packages' models listed in ``OTHER_SECRETS`` (an authenticator's seed). Never
  written, not even hashed again: the trail says ``set`` or ``changed``.

Empty values stay as they are, so the trail still shows a value being set or cleared.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from corridor.core.crypto import keyring as keys
from corridor.core.crypto.fields import EncryptedField

KEYED = "keyed"
SECRET = "secret"  # noqa: S105 — a rule name, not a password
SET = "set"
CHANGED = "changed"
PREFIX = "hmac"
_INFO = b"corridor-audit-keyed-hash-v1"
# Models from other packages, which cannot declare ``audit_secret`` themselves.
OTHER_SECRETS: dict[str, tuple[str, ...]] = {"otp_totp.totpdevice": ("key",)}
_derived: dict[tuple[str, bytes], bytes] = {}
_lock = threading.Lock()


def protected_fields(obj: models.Model) -> dict[str, str]:
    """{field name: KEYED or SECRET} for the fields of ``obj`` the trail may not hold in clear."""
    rules = {
        field.name: KEYED
        for field in obj._meta.concrete_fields
        if isinstance(field, EncryptedField)
    }
    rules.update(dict.fromkeys(getattr(obj, "audit_redacted", ()), KEYED))
    secret = tuple(getattr(obj, "audit_secret", ())) + OTHER_SECRETS.get(obj._meta.label_lower, ())
    if isinstance(obj, AbstractBaseUser):
        secret += ("password",)
    rules.update(dict.fromkeys(secret, SECRET))
    return rules


def _audit_key(key_id: str, key: bytes) -> bytes:
    # A key of its own, derived from the field key: one key never serves two algorithms.
    with _lock:
        derived = _derived.get((key_id, key))
        if derived is None:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
            derived = _derived[(key_id, key)] = hkdf.derive(key)
        return derived


def _message(label: str, value: Any) -> bytes:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        data = b"b:" + value
    elif isinstance(value, str):
        data = b"s:" + value.encode("utf-8")
    else:
        data = b"j:" + json.dumps(value, default=str, sort_keys=True).encode("utf-8")
    return label.encode("utf-8") + b"\x00" + data


def keyed_hash(label: str, value: Any, *, key_id: str | None = None) -> str:
    """``hmac:<key id>:<hex>`` for ``value`` in the field ``label`` (``app.model.field``).

    The field's label is part of the message, so one value in two fields (a latitude and a
    longitude, say) gives two unrelated hashes. ``key_id`` picks an older key, to test a
    guess against an old entry; by default the current key.
    """
    keyring = keys.active()
    key_id = key_id or keyring.current
    digest = hmac.new(
        _audit_key(key_id, keyring.key(key_id)), _message(label, value), hashlib.sha256
    )
    return f"{PREFIX}:{key_id}:{digest.hexdigest()}"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == b""


def protected_value(obj: models.Model, name: str, rule: str, value: Any) -> Any:
    """What the trail holds for ``value`` of the protected field ``name``."""
    if is_empty(value):
        return value
    if rule == SECRET:
        return SET
    return keyed_hash(f"{obj._meta.label_lower}.{name}", value)
