"""The bundle file: encrypted to the recipient, signed by the sender, split into chunks.

Layout of a bundle (all lengths big-endian)::

    MAGIC | 4-byte header length | header (JSON) | 8-byte ciphertext length | ciphertext
          | Ed25519 signature (64 bytes) over everything before it

The header names the sender, the recipient, the bundle's sequence number, the acknowledgement
it carries, the ephemeral X25519 public key and the nonce. The payload (compressed JSON) is
encrypted with ChaCha20-Poly1305 under a key derived (HKDF-SHA256) from an X25519 exchange
between a fresh ephemeral key and the recipient's key; the header is the associated data. So
only the recipient can read it, any change to header or ciphertext fails the signature (checked
first, with the sender's registered key) and the authentication tag. Every primitive is the
``cryptography`` package's; nothing here is hand-made (decision 0275).

A chunk is ``CHUNK_MAGIC | 4-byte header length | header (JSON: bundle sha256, index, count)
| bytes``; chunks reassemble in any order and the whole is checked against the sha256 before
the bundle itself is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from corridor.core.errors import CorridorError

MAGIC = b"CORRIDOR-SYNC-BUNDLE-1\n"
CHUNK_MAGIC = b"CORRIDOR-SYNC-CHUNK-1\n"
FORMAT = "corridor-sync-bundle"
VERSION = 1
SIGNATURE_BYTES = 64
_INFO = b"corridor-sync-bundle-v1"
_FIELD_INFO = b"corridor-sync-field-v1"
_MAX_HEADER = 64 * 1024


class Refused(CorridorError):
    """A bundle (or chunk) that is not applied; the message is the one-line reason."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(text).encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise Refused(f"{what} is not valid base64") from None


def _raw(key: Any) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _private_raw(key: Any) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class KeyPair:
    signing_key: bytes  # Ed25519 private, raw
    box_key: bytes  # X25519 private, raw
    signing_public: bytes
    box_public: bytes


def new_keys() -> KeyPair:
    signing, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    return KeyPair(
        _private_raw(signing), _private_raw(box), _raw(signing.public_key()), _raw(box.public_key())
    )


def fingerprint(signing_public: bytes, box_public: bytes) -> str:
    """What two people read to each other: 20 bytes of SHA-256 over both public keys."""
    digest = hashlib.sha256(b"corridor-sync-identity\n" + signing_public + box_public).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


def fingerprint_b64(signing_public: str, box_public: str) -> str:
    """The fingerprint of keys stored as base64 text."""
    return fingerprint(unb64(signing_public, "signing key"), unb64(box_public, "encryption key"))


def same_fingerprint(given: str, expected: str) -> bool:
    return "".join(given.lower().split()) == "".join(expected.lower().split())


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_INFO
    ).derive(shared)


def seal(
    payload: bytes, *, header: dict[str, Any], signing_key: bytes, recipient_box: bytes
) -> bytes:
    """A signed bundle carrying ``payload`` (compressed here) to the holder of ``recipient_box``."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_box))
    nonce = os.urandom(12)
    full = {
        **header,
        "format": FORMAT,
        "version": VERSION,
        "ephemeral": b64(ephemeral_public),
        "nonce": b64(nonce),
    }
    header_bytes = json.dumps(full, sort_keys=True, separators=(",", ":")).encode()
    cipher = ChaCha20Poly1305(_key(shared, ephemeral_public, recipient_box))
    ciphertext = cipher.encrypt(nonce, zlib.compress(payload, 6), MAGIC + header_bytes)
    signed = (
        MAGIC
        + len(header_bytes).to_bytes(4, "big")
        + header_bytes
        + len(ciphertext).to_bytes(8, "big")
        + ciphertext
    )
    return signed + Ed25519PrivateKey.from_private_bytes(signing_key).sign(signed)


@dataclass(frozen=True)
class Envelope:
    header: dict[str, Any]
    header_bytes: bytes
    ciphertext: bytes
    signed: bytes
    signature: bytes


def parse(data: bytes) -> Envelope:
    """The parts of a bundle, or Refused when it is not one or is cut short. Nothing here is
    trusted yet: the signature is checked next (``verify``)."""
    if not data.startswith(MAGIC):
        if data.startswith(CHUNK_MAGIC):
            raise Refused("a chunk without the rest of its bundle")
        raise Refused("not a Corridor sync bundle")
    at = len(MAGIC)
    if len(data) < at + 4:
        raise Refused("truncated (no header)")
    header_length = int.from_bytes(data[at : at + 4], "big")
    at += 4
    if header_length > _MAX_HEADER or len(data) < at + header_length + 8:
        raise Refused("truncated or damaged header")
    header_bytes = data[at : at + header_length]
    at += header_length
    body_length = int.from_bytes(data[at : at + 8], "big")
    at += 8
    if len(data) != at + body_length + SIGNATURE_BYTES:
        raise Refused("truncated or padded: its length does not match its header")
    try:
        header = json.loads(header_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused("damaged header") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise Refused("damaged header")
    if header.get("version") != VERSION:
        raise Refused(f"bundle format version {header.get('version')!r} is not supported")
    for name, kind in (("sender", str), ("recipient", str), ("seq", int), ("ack", int)):
        if not isinstance(header.get(name), kind) or isinstance(header.get(name), bool):
            raise Refused(f"damaged header ({name})")
    return Envelope(
        header=header,
        header_bytes=header_bytes,
        ciphertext=data[at : at + body_length],
        signed=data[: at + body_length],
        signature=data[at + body_length :],
    )


def verify(envelope: Envelope, signing_public: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(signing_public).verify(
            envelope.signature, envelope.signed
        )
    except InvalidSignature:
        raise Refused("bad signature: not signed by the registered sender or altered") from None


def open_payload(envelope: Envelope, box_key: bytes) -> bytes:
    """The decrypted, decompressed payload (call after ``verify``)."""
    private = X25519PrivateKey.from_private_bytes(box_key)
    ephemeral = unb64(envelope.header.get("ephemeral", ""), "ephemeral key")
    nonce = unb64(envelope.header.get("nonce", ""), "nonce")
    if len(ephemeral) != 32 or len(nonce) != 12:
        raise Refused("damaged header (keys)")
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    recipient = _raw(private.public_key())
    try:
        compressed = ChaCha20Poly1305(_key(shared, ephemeral, recipient)).decrypt(
            nonce, envelope.ciphertext, MAGIC + envelope.header_bytes
        )
    except InvalidTag:
        raise Refused("cannot decrypt: not encrypted to this instance or altered") from None
    try:
        return zlib.decompress(compressed)
    except zlib.error:
        raise Refused("damaged payload") from None


# --- sealed fields: encrypted again inside the bundle ---------------------------------------


def box(value: bytes, *, recipient_box: bytes, context: bytes) -> bytes:
    """``value`` encrypted on its own to the holder of ``recipient_box`` (an evidence file
    stays encrypted inside the decrypted payload until its row is written): ephemeral public
    key | nonce | ChaCha20-Poly1305 ciphertext, bound to ``context`` (the record it belongs to)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_box))
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + recipient_box,
        info=_FIELD_INFO,
    ).derive(shared)
    nonce = os.urandom(12)
    return ephemeral_public + nonce + ChaCha20Poly1305(key).encrypt(nonce, value, context)


def unbox(sealed: bytes, *, box_key: bytes, context: bytes) -> bytes:
    """The value ``box`` sealed to this instance for ``context``, or Refused."""
    if len(sealed) < 32 + 12 + 16:
        raise Refused("cannot decrypt a sealed field: cut short")
    private = X25519PrivateKey.from_private_bytes(box_key)
    ephemeral, nonce, ciphertext = sealed[:32], sealed[32:44], sealed[44:]
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    recipient = _raw(private.public_key())
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_FIELD_INFO
    ).derive(shared)
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, ciphertext, context)
    except InvalidTag:
        raise Refused("cannot decrypt a sealed field: not for this instance or record") from None


# --- chunks ---------------------------------------------------------------------------------


def split(bundle: bytes, chunk_size: int) -> list[bytes]:
    """The bundle as one piece (``chunk_size`` 0 or a bundle that fits) or as chunks."""
    if chunk_size <= 0 or len(bundle) <= chunk_size:
        return [bundle]
    digest = hashlib.sha256(bundle).hexdigest()
    body = max(1, chunk_size - 256)  # room for the chunk's own header
    pieces = [bundle[i : i + body] for i in range(0, len(bundle), body)]
    out = []
    for index, piece in enumerate(pieces, start=1):
        head = json.dumps({"bundle": digest, "index": index, "count": len(pieces)}).encode()
        out.append(CHUNK_MAGIC + len(head).to_bytes(4, "big") + head + piece)
    return out


def _chunk(data: bytes, name: str) -> tuple[str, int, int, bytes]:
    at = len(CHUNK_MAGIC)
    length = int.from_bytes(data[at : at + 4], "big")
    try:
        head = json.loads(data[at + 4 : at + 4 + length])
        digest, index, count = str(head["bundle"]), int(head["index"]), int(head["count"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise Refused(f"{name}: damaged chunk header") from None
    if not 1 <= index <= count:
        raise Refused(f"{name}: damaged chunk header")
    return digest, index, count, data[at + 4 + length :]


def assemble(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes | Refused]]:
    """Whole bundles from the given files (name, bytes): bundles pass through, chunks are
    grouped by the bundle they belong to and joined in index order. Each result is (a name
    to report, the bundle's bytes or the reason it cannot be put together)."""
    results: list[tuple[str, bytes | Refused]] = []
    groups: dict[str, dict[int, bytes]] = {}
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for name, data in files:
        if not data.startswith(CHUNK_MAGIC):
            results.append((name, data))
            continue
        try:
            digest, index, count, piece = _chunk(data, name)
        except Refused as exc:
            results.append((name, exc))
            continue
        if counts.setdefault(digest, count) != count:
            results.append((name, Refused(f"{name}: chunk count differs from its siblings")))
            continue
        groups.setdefault(digest, {})[index] = piece
        names.setdefault(digest, name)
    for digest, pieces in groups.items():
        label = f"{names[digest]} (+{len(pieces) - 1} chunks)" if len(pieces) > 1 else names[digest]
        missing = [i for i in range(1, counts[digest] + 1) if i not in pieces]
        if missing:
            shown = ", ".join(str(i) for i in missing[:5])
            results.append((label, Refused(f"chunks missing: {shown} of {counts[digest]}")))
            continue
        whole = b"".join(pieces[i] for i in range(1, counts[digest] + 1))
        if hashlib.sha256(whole).hexdigest() != digest:
            results.append((label, Refused("chunks do not make up their bundle (altered)")))
            continue
        results.append((label, whole))
    return results
