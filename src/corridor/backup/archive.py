"""The backup file: a compressed stream sealed in AES-256-GCM chunks under a passphrase key.

Layout: a magic line, a length-prefixed JSON header (scrypt parameters, salt, nonce prefix),
then chunks, each a 4-byte length and a sealed piece of at most ``CHUNK`` bytes. Each chunk's
nonce holds its number and whether it is the last one, and the header is the associated data
of every chunk, so a changed, dropped, reordered or cut-off chunk and a changed header are
all refused (the "STREAM" construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015).
Nothing in the file is readable without the passphrase.

A field instance's backup is also *bound* to its keyring (decision 0290): the sealing key mixes
the passphrase's scrypt key with the keyring's ``backup`` key (HKDF-SHA256), and the header names
only a fingerprint of that key. Once `corridor wipe` has destroyed the keyring, such a backup
cannot be opened, passphrase or not.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from corridor.core.crypto.keyring import (
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    b64,
    derive_key,
    unb64,
)
from corridor.core.errors import CorridorError

MAGIC = b"CORRIDOR-BACKUP1\n"
CHUNK = 1 << 20
_LEN = struct.Struct(">I")
_MAX_HEADER = 64 * 1024


class BackupError(CorridorError):
    """The backup cannot be read: wrong passphrase, damaged, altered or not a backup."""


def binding_fingerprint(bound_key: bytes) -> str:
    """Names a keyring's backup key in a header without revealing it."""
    return hashlib.sha256(b"corridor-backup-binding\0" + bound_key).hexdigest()[:16]


def _sealing_key(passphrase_key: bytes, bound_key: bytes | None) -> bytes:
    if bound_key is None:
        return passphrase_key
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"corridor-backup-bound-v1"
    ).derive(passphrase_key + bound_key)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


class SealedWriter:
    """Write-only file object: compresses, then seals chunk by chunk."""

    def __init__(
        self,
        out: BinaryIO,
        passphrase: str,
        *,
        note: dict | None = None,
        bound_key: bytes | None = None,
    ) -> None:
        salt = secrets.token_bytes(16)
        self._prefix = secrets.token_bytes(7)
        header = {
            "format": 1,
            "kdf": {
                "name": "scrypt",
                "n": SCRYPT_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": b64(salt),
            },
            "nonce_prefix": b64(self._prefix),
            "note": note or {},
        }
        if bound_key is not None:
            header["bound"] = {"keyring": binding_fingerprint(bound_key)}
        header_bytes = json.dumps(header, sort_keys=True).encode()
        self._aad = MAGIC + header_bytes
        passphrase_key = derive_key(passphrase, salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
        self._aead = AESGCM(_sealing_key(passphrase_key, bound_key))
        self._out = out
        self._zip = zlib.compressobj(6)
        self._buffer = bytearray()
        self._number = 0
        out.write(MAGIC + _LEN.pack(len(header_bytes)) + header_bytes)

    def _emit(self, piece: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), piece, self._aad)
        self._out.write(_LEN.pack(len(sealed)) + sealed)
        self._number += 1

    def write(self, data: bytes) -> None:
        self._buffer += self._zip.compress(data)
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def close(self) -> None:
        self._buffer += self._zip.flush()
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()


def read_header(source: BinaryIO, name: str) -> tuple[dict, bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError(f"{name} is not a Corridor backup")
    raw_len = source.read(_LEN.size)
    if len(raw_len) != _LEN.size or _LEN.unpack(raw_len)[0] > _MAX_HEADER:
        raise BackupError(f"{name}: the backup header is damaged")
    header_bytes = source.read(_LEN.unpack(raw_len)[0])
    try:
        header = json.loads(header_bytes)
        if not (header["kdf"]["salt"] and header["nonce_prefix"]):
            raise ValueError("empty salt or nonce prefix")
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{name}: the backup header is damaged") from None
    return header, MAGIC + header_bytes


def open_sealed(
    source: BinaryIO,
    passphrase: str,
    name: str,
    *,
    bound_key: Callable[[], bytes | None] | None = None,
) -> Iterator[bytes]:
    """Yield the decompressed plaintext of a backup, refusing any damage as it goes.

    ``bound_key`` gives this instance's keyring backup key (None if it has none); it is asked
    only for a bound backup, which opens only with the key it was bound to.
    """
    header, aad = read_header(source, name)
    bound = header.get("bound")
    binding = None
    if bound is not None:
        wanted = bound.get("keyring") if isinstance(bound, dict) else None
        binding = bound_key() if bound_key is not None else None
        if binding is None or binding_fingerprint(binding) != wanted:
            raise BackupError(
                f"{name} is bound to the keyring of the field instance that wrote it "
                f"(binding {wanted}), which is not this instance's: restore with that keyring "
                f"(`corridor restore --keyring FILE`); if it was wiped, the backup is gone too"
            )
    kdf = header["kdf"]
    if kdf.get("name") != "scrypt":
        raise BackupError(f"{name}: unknown key derivation {kdf.get('name')!r}")
    key = derive_key(
        passphrase, unb64(kdf["salt"], "salt"), n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])
    )
    aead = AESGCM(_sealing_key(key, binding))
    prefix = unb64(header["nonce_prefix"], "nonce prefix")
    unzip = zlib.decompressobj()
    number = 0
    while True:
        raw_len = source.read(_LEN.size)
        if len(raw_len) < _LEN.size:
            raise BackupError(f"{name} is cut short: its last part is missing")
        (length,) = _LEN.unpack(raw_len)
        if length > CHUNK + 16:
            raise BackupError(f"{name}: part {number} is damaged")
        sealed = source.read(length)
        if len(sealed) != length:
            raise BackupError(f"{name} is cut short in part {number}")
        piece = None
        for last in (False, True):
            try:
                piece = aead.decrypt(_nonce(prefix, number, last), sealed, aad)
            except InvalidTag:
                continue
            break
        if piece is None:
            if number == 0:
                raise BackupError(f"wrong passphrase for {name}, or the file was altered")
            raise BackupError(f"{name}: part {number} was altered or moved")
        try:
            yield unzip.decompress(piece)
        except zlib.error:
            raise BackupError(f"{name}: part {number} does not decompress") from None
        number += 1
        if last:
            if source.read(1):
                raise BackupError(f"{name} has data after its last part")
            yield unzip.flush()
            return


def lines(chunks: Iterator[bytes]) -> Iterator[dict]:
    """Split a plaintext stream into its JSON records, one per line."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            if line:
                yield json.loads(line)
    if pending.strip():
        yield json.loads(pending)
