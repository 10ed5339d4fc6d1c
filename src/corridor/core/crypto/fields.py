"""Model fields whose values are stored encrypted (AES-256-GCM) and read back decrypted.

A stored value reads ``c1:<key id>:<base64 of nonce + ciphertext + tag>``. The associated data
binds it to its field (``app.model.field``) and key id, so a value copied into another column
or relabelled with another key id is refused, as is any altered byte. Plaintext is padded to a
multiple of 16 bytes so the stored length says little about the value.

Encrypted values cannot be searched, ordered or range-checked by the database: the only lookup
is ``isnull``, and models check ranges in ``clean()``.
"""

from __future__ import annotations

import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models

from corridor.core.crypto import keyring as keys
from corridor.core.errors import CorridorError

VERSION = "c1"
_BLOCK = 16


class DecryptionError(CorridorError):
    """A stored value cannot be decrypted: wrong key, altered value or moved value."""


def _pad(data: bytes) -> bytes:
    # ISO/IEC 7816-4: a 0x80 marker then zeros, so any byte string pads unambiguously.
    return data + b"\x80" + b"\x00" * ((-len(data) - 1) % _BLOCK)


def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad padding")
    return stripped[:-1]


def _aad(label: str, key_id: str) -> bytes:
    return f"corridor-field:{VERSION}:{label}:{key_id}".encode()


def seal(label: str, plaintext: bytes) -> str:
    """Encrypt ``plaintext`` for the field ``label`` under the current key."""
    keyring = keys.active(fresh=True)
    key_id = keyring.current
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(keyring.key(key_id)).encrypt(nonce, _pad(plaintext), _aad(label, key_id))
    return f"{VERSION}:{key_id}:{keys.b64(nonce + sealed)}"


def key_id_of(stored: str) -> str:
    """The key id a stored value was written under ('' when it is not a sealed value)."""
    version, _, rest = stored.partition(":")
    return rest.partition(":")[0] if version == VERSION else ""


def open_sealed(label: str, stored: str) -> bytes:
    """Decrypt a value written by ``seal`` for the same field, or raise DecryptionError."""
    version, _, rest = stored.partition(":")
    key_id, _, payload = rest.partition(":")
    if version != VERSION or not key_id or not payload:
        raise DecryptionError(f"{label}: the stored value is not an encrypted value")
    keyring = keys.active()
    if key_id not in keyring.keys:
        # Another process (``corridor keys rotate``) may have added a key since we loaded.
        keyring = keys.active(fresh=True)
    key = keyring.key(key_id)
    try:
        blob = keys.unb64(payload, label)
        padded = AESGCM(key).decrypt(blob[:12], blob[12:], _aad(label, key_id))
        return _unpad(padded)
    except (InvalidTag, ValueError, keys.KeyringError):
        raise DecryptionError(
            f"{label}: the stored value does not decrypt with key {key_id!r}: it was altered, "
            f"copied from another field, or this instance holds a different key under that id"
        ) from None


class EncryptedField(models.TextField):
    """Base of the encrypted fields: subclasses say how a value becomes bytes and back."""

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        self.label = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def is_stored_plain(self, value: Any) -> bool:
        """Values kept as they are: only NULL here; text fields keep '' as ''."""
        return value is None

    def get_lookup(self, lookup_name):
        # Ciphertext is random: any comparison but IS NULL would silently match nothing.
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_prep_value(self, value: Any) -> Any:
        value = self.to_python(value)
        if self.is_stored_plain(value):
            return value
        return seal(self.label, self.encode(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self.to_python(value)
        return self.decode(open_sealed(self.label, value))

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else str(value)


class EncryptedTextField(EncryptedField):
    """Encrypted text. ``max_length`` limits the plaintext (the column itself is TEXT)."""

    description = "Text stored encrypted"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def is_stored_plain(self, value: Any) -> bool:
        return value is None or value == ""

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def encode(self, value: Any) -> bytes:
        return value.encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return data.decode("utf-8")

    def formfield(self, **kwargs: Any):
        if self.max_length is not None:
            kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class EncryptedFloatField(EncryptedField):
    """An encrypted number, e.g. an exact coordinate."""

    description = "Floating point number stored encrypted"
    empty_strings_allowed = False
    # What django-stubs' mypy plugin takes as the attribute's type: a float, not the text its
    # TextField base is stored as.
    _pyi_private_set_type: float | str | None
    _pyi_private_get_type: float | None

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{value!r} is not a number", code="invalid") from None

    def encode(self, value: Any) -> bytes:
        return repr(float(value)).encode("ascii")

    def decode(self, data: bytes) -> Any:
        return float(data.decode("ascii"))

    def formfield(self, **kwargs: Any):
        return models.Field.formfield(self, **{"form_class": forms.FloatField, **kwargs})


class EncryptedBinaryField(EncryptedField):
    """Encrypted bytes, e.g. an evidence file. Not editable in forms."""

    description = "Bytes stored encrypted"
    empty_strings_allowed = False
    # What django-stubs' plugin types the model attribute as (the base class says text).
    _pyi_private_set_type: bytes
    _pyi_private_get_type: bytes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        else:
            kwargs["editable"] = True
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, memoryview):
            return value.tobytes()
        if isinstance(value, bytes):
            return value
        raise ValidationError("expected bytes", code="invalid")

    def encode(self, value: Any) -> bytes:
        return value

    def decode(self, data: bytes) -> Any:
        return data

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else keys.b64(value)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedField]]:
    """Every (model, field) pair of the installed apps that is stored encrypted."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedField)
    ]
