"""The instance's field-encryption keys, kept out of the database.

Keys come from ``CORRIDOR_ENCRYPTION_KEYS`` (``id:base64key,...``, the first one current) or
from the keyring file ``CORRIDOR_HOME/keys/keyring.json`` (mode 0600). The file may be sealed
with a passphrase (scrypt, then AES-256-GCM), so that no usable key sits on disk; the process
then unlocks it at start from ``CORRIDOR_KEY_PASSPHRASE`` or a prompt, and holds the keys only
in memory.

Old keys stay in the keyring after a rotation until ``corridor keys retire`` removes them, so
values written under them stay readable until they are re-encrypted.

The keyring also holds the at-rest keys of a field instance (``AT_REST``): the SQLCipher key of
the whole database file and the key that binds its backups to this keyring (decision 0290).
A process can be *locked*: its keys are dropped from memory and every use of them raises
``InstanceLocked`` until ``unlock`` is given the passphrase again.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import getpass
import json
import logging
import os
import secrets
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from corridor import config
from corridor.core.errors import CorridorError

log = logging.getLogger("corridor.crypto")

KEYS_DIR = "keys"
KEYRING_FILE = "keyring.json"
LOCK_FILE = "locked"  # left by `corridor lock` beside the keyring (keys/atrest.py)
FORMAT = "corridor-keyring"
KEY_BYTES = 32
# OWASP's scrypt recommendation (N=2^17, r=8, p=1): about half a second and 128 MiB per unlock.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_SEAL_AAD = b"corridor-keyring-v1"


# The at-rest keys every new keyring gets: the database file's SQLCipher key and the key that
# binds backups to this keyring. Neither is rotated by `corridor keys rotate`.
AT_REST = ("database", "backup")


class KeyringError(CorridorError):
    """The keys cannot be found, unlocked or used; the message says what to do."""


class InstanceLocked(KeyringError):
    """The instance is locked: its keys are not in memory until the passphrase is given."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise KeyringError(f"{what} is not valid base64") from None


def derive_key(passphrase: str, salt: bytes, *, n: int, r: int, p: int) -> bytes:
    """A 256-bit key from a passphrase (scrypt)."""
    if not passphrase:
        raise KeyringError("the passphrase is empty")
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def new_key_id() -> str:
    return secrets.token_hex(4)


@dataclass
class Keyring:
    current: str
    keys: dict[str, bytes]
    created: dict[str, str] = field(default_factory=dict)
    source: str = "file"  # "file" or "environment"
    protected: bool = False
    path: Path | None = None
    at_rest: dict[str, bytes] = field(default_factory=dict)

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            known = ", ".join(sorted(self.keys)) or "none"
            raise KeyringError(
                f"key {key_id!r} is not in this instance's keyring (keys here: {known}); "
                f"restore the keyring file or CORRIDOR_ENCRYPTION_KEYS that holds it"
            ) from None

    def at_rest_key(self, name: str) -> bytes:
        """The at-rest key ``name`` (see AT_REST); only a keyring file holds them."""
        try:
            return self.at_rest[name]
        except KeyError:
            where = self.path or "CORRIDOR_ENCRYPTION_KEYS"
            raise KeyringError(
                f"{where} holds no {name} key: an encrypted field instance needs a keyring "
                f"file made by this version of Corridor (see docs/security/at-rest.md)"
            ) from None


# --- the environment ------------------------------------------------------------------------


def keyring_from_text(text: str) -> Keyring:
    """Parse ``id:base64key[,id:base64key...]``; the first key is the current one."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for number, item in enumerate(text.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise KeyringError(
                f"CORRIDOR_ENCRYPTION_KEYS entry {number} is not id:base64key "
                f"(make one with `corridor keys new`)"
            )
        key = unb64(encoded, f"CORRIDOR_ENCRYPTION_KEYS entry {number} ({key_id})")
        if len(key) != KEY_BYTES:
            raise KeyringError(
                f"CORRIDOR_ENCRYPTION_KEYS entry {number} ({key_id}) is {len(key)} bytes, "
                f"not {KEY_BYTES}"
            )
        keys[key_id] = key
        order.append(key_id)
    if not order:
        raise KeyringError("CORRIDOR_ENCRYPTION_KEYS holds no key")
    return Keyring(current=order[0], keys=keys, source="environment")


def key_as_text(key_id: str, key: bytes) -> str:
    return f"{key_id}:{b64(key)}"


# --- the keyring file -----------------------------------------------------------------------


def keyring_path(home: Path) -> Path:
    return home / KEYS_DIR / KEYRING_FILE


def _body(keyring: Keyring) -> dict:
    return {
        "current": keyring.current,
        "keys": {
            key_id: {"key": b64(key), "created": keyring.created.get(key_id, "")}
            for key_id, key in keyring.keys.items()
        },
        "at_rest": {name: b64(key) for name, key in keyring.at_rest.items()},
    }


def _from_body(body: dict, path: Path) -> Keyring:
    try:
        keys = {k: unb64(v["key"], f"{path} key {k}") for k, v in body["keys"].items()}
        created = {k: v.get("created", "") for k, v in body["keys"].items()}
        current = body["current"]
        at_rest = {k: unb64(v, f"{path} {k} key") for k, v in body.get("at_rest", {}).items()}
    except (KeyError, TypeError, AttributeError):
        raise KeyringError(f"{path} is not a Corridor keyring") from None
    if current not in keys or any(len(k) != KEY_BYTES for k in keys.values()):
        raise KeyringError(f"{path} is damaged: its current key is missing or malformed")
    if any(len(k) != KEY_BYTES for k in at_rest.values()):
        raise KeyringError(f"{path} is damaged: an at-rest key is malformed")
    return Keyring(current=current, keys=keys, created=created, path=path, at_rest=at_rest)


@dataclass
class _Seal:
    """What unlocks a sealed keyring: the scrypt parameters and the key they gave."""

    salt: bytes
    n: int
    r: int
    p: int
    kek: bytes


def _write_atomically(path: Path, data: bytes, *, replace: bool) -> None:
    """Write a 0600 file next to ``path`` and move it into place in one step."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            # link() fails if the target exists: two processes creating a keyring at once
            # cannot overwrite each other's key.
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def keyring_write(keyring: Keyring, path: Path, *, seal: _Seal | None, replace: bool) -> None:
    body = _body(keyring)
    if seal is None:
        document = {"format": FORMAT, "version": 1, **body}
    else:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(seal.kek).encrypt(nonce, json.dumps(body).encode(), _SEAL_AAD)
        document = {
            "format": FORMAT,
            "version": 1,
            "protection": {
                "kdf": "scrypt",
                "n": seal.n,
                "r": seal.r,
                "p": seal.p,
                "salt": b64(seal.salt),
            },
            "sealed": b64(nonce + sealed),
        }
    _write_atomically(path, json.dumps(document, indent=1).encode(), replace=replace)


def new_seal(passphrase: str) -> _Seal:
    salt = secrets.token_bytes(16)
    kek = derive_key(passphrase, salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return _Seal(salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, kek=kek)


def _read_document(path: Path) -> dict:
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise KeyringError(
            f"{path} can be read by other accounts on this machine: run `chmod 600 {path}`"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise KeyringError(f"{path} is not a Corridor keyring (not JSON)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KeyringError(f"{path} is not a Corridor keyring")
    return document


def is_sealed(path: Path) -> bool:
    """Whether the keyring file is sealed with a passphrase."""
    return bool(_read_document(path).get("protection"))


def keyring_read(path: Path, passphrase: str | None, seal: _Seal | None = None) -> tuple:
    """(keyring, seal or None). ``seal`` is a cached unlock, reused when the salt matches."""
    document = _read_document(path)
    protection = document.get("protection")
    if not protection:
        return _from_body(document, path), None
    salt = unb64(protection["salt"], f"{path} salt")
    if seal is None or seal.salt != salt:
        if not passphrase:
            raise KeyringError(
                f"{path} is protected by a passphrase: set CORRIDOR_KEY_PASSPHRASE or run "
                f"the command in a terminal to be asked for it"
            )
        params = {k: int(protection[k]) for k in ("n", "r", "p")}
        seal = _Seal(salt=salt, kek=derive_key(passphrase, salt, **params), **params)
    sealed = unb64(document["sealed"], f"{path} sealed keys")
    try:
        body = json.loads(AESGCM(seal.kek).decrypt(sealed[:12], sealed[12:], _SEAL_AAD))
    except InvalidTag:
        raise KeyringError(f"wrong passphrase for {path} (or the file was altered)") from None
    keyring = _from_body(body, path)
    keyring.protected = True
    return keyring, seal


def keyring_adopt(source: Path, home: Path) -> Path:
    """Copy another instance's keyring file into this fresh instance (restoring a field
    laptop's bound backup); it stays sealed as it was. Refuses to replace a keyring."""
    target = keyring_path(home)
    if target.exists():
        raise KeyringError(
            f"{target} exists: adopt a keyring only into a new CORRIDOR_HOME, before anything "
            f"else runs there"
        )
    _read_document(source)  # a Corridor keyring, readable by this account only
    _write_atomically(target, source.read_bytes(), replace=False)
    return target


def keyring_new(path: Path, *, passphrase: str | None) -> Keyring:
    """Create a keyring file with one fresh key; refuse if one exists."""
    key_id = new_key_id()
    keyring = Keyring(
        current=key_id,
        keys={key_id: secrets.token_bytes(KEY_BYTES)},
        created={key_id: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        path=path,
        protected=bool(passphrase),
        at_rest={name: secrets.token_bytes(KEY_BYTES) for name in AT_REST},
    )
    keyring_write(keyring, path, seal=new_seal(passphrase) if passphrase else None, replace=False)
    return keyring


# --- the process's keyring ------------------------------------------------------------------


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.keyring: Keyring | None = None
        self.stamp: tuple | None = None
        self.seal: _Seal | None = None
        self.passphrase: str | None = None
        self.locked = False


_state = _State()


def _home() -> Path:
    from django.conf import settings

    return Path(settings.HOME)


def _passphrase(prompt: bool) -> str | None:
    if _state.passphrase:
        return _state.passphrase
    from_env = config.value("CORRIDOR_KEY_PASSPHRASE")
    if from_env:
        return from_env
    if prompt and sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Passphrase of the encryption keys: ")
    return None


def _stamp(path: Path) -> tuple:
    info = path.stat()
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _load(*, prompt: bool) -> Keyring:
    env_keys = config.value("CORRIDOR_ENCRYPTION_KEYS")
    if env_keys:
        if _state.keyring is None or _state.keyring.source != "environment":
            _state.keyring = keyring_from_text(env_keys)
        return _state.keyring
    path = keyring_path(_home())
    if (path.parent / LOCK_FILE).exists():
        raise InstanceLocked(
            "the instance is locked (`corridor lock`): run `corridor unlock` first"
        )
    if not path.exists():
        passphrase = config.value("CORRIDOR_KEY_PASSPHRASE") or None
        try:
            keyring_new(path, passphrase=passphrase)
            # Info, not warning: a command's error must stay its only line on stderr.
            log.info("created a new encryption keyring at %s", path)
        except FileExistsError:
            pass  # another process created it first: use theirs
    stamp = _stamp(path)
    if _state.keyring is not None and _state.stamp == stamp:
        return _state.keyring
    # Ask for a passphrase only when the file is sealed: an open keyring needs none.
    sealed = bool(_read_document(path).get("protection"))
    keyring, seal = keyring_read(path, _passphrase(prompt) if sealed else None, _state.seal)
    _state.keyring, _state.stamp, _state.seal = keyring, stamp, seal
    return keyring


def active(*, fresh: bool = False) -> Keyring:
    """This process's keyring. ``fresh`` re-reads the file if another process changed it."""
    with _state.lock:
        if _state.locked:
            raise InstanceLocked(
                "the instance is locked: unlock it with its passphrase (`corridor unlock`, "
                "or the page the server shows)"
            )
        if _state.keyring is not None and not fresh:
            return _state.keyring
        return _load(prompt=True)


def unlock(passphrase: str | None = None) -> Keyring:
    """Load (and if sealed, unlock) the keyring now, e.g. before a server starts.

    A locked process stays locked unless the passphrase is right: the keyring is read and
    unsealed with it first, and only then is the lock lifted.
    """
    with _state.lock:
        if _state.locked:
            if not passphrase:
                raise InstanceLocked("the instance is locked: give its passphrase to unlock it")
            # Check against the file itself, never against a cached seal.
            keyring, seal = keyring_read(keyring_path(_home()), passphrase)
            _state.keyring, _state.seal = keyring, seal
            _state.stamp = _stamp(keyring_path(_home()))
            _state.passphrase, _state.locked = passphrase, False
            return keyring
        if passphrase:
            _state.passphrase = passphrase
        return _load(prompt=True)


def forget() -> None:
    """Drop the keys from this process's memory (tests, and after changing the keyring)."""
    with _state.lock:
        _state.keyring = _state.stamp = _state.seal = _state.passphrase = None
        _state.locked = False


def lock() -> None:
    """Drop the keys and refuse every use of them until ``unlock(passphrase)``.

    Python cannot promise to erase the bytes from memory (copies may linger until the memory
    is reused); what it ends is every path in this process to the keys.
    """
    with _state.lock:
        _state.keyring = _state.stamp = _state.seal = _state.passphrase = None
        _state.locked = True


def is_locked() -> bool:
    return _state.locked


def held_sealed() -> bool:
    """Whether this process holds keys from a passphrase-sealed keyring file (so can lock)."""
    held = _state.keyring
    return held is not None and held.source == "file" and held.protected


def keyring_save(keyring: Keyring) -> None:
    """Write a changed keyring back to its file, sealed the way it was."""
    if keyring.source != "file" or keyring.path is None:
        raise KeyringError(
            "the keys come from CORRIDOR_ENCRYPTION_KEYS: change that variable instead"
        )
    with _state.lock:
        seal = _state.seal if keyring.protected else None
        if keyring.protected and seal is None:
            raise KeyringError("the keyring is sealed but not unlocked in this process")
        keyring_write(keyring, keyring.path, seal=seal, replace=True)
        _state.keyring, _state.stamp = keyring, _stamp(keyring.path)


def keyring_reseal(passphrase: str | None) -> Keyring:
    """Seal the keyring file with a new passphrase, or store it unsealed (None)."""
    with _state.lock:
        keyring = active(fresh=True)
        if keyring.source != "file" or keyring.path is None:
            raise KeyringError("the keys come from CORRIDOR_ENCRYPTION_KEYS, not a keyring file")
        seal = new_seal(passphrase) if passphrase else None
        keyring_write(keyring, keyring.path, seal=seal, replace=True)
        keyring.protected = seal is not None
        _state.keyring, _state.stamp, _state.seal = keyring, _stamp(keyring.path), seal
        _state.passphrase = passphrase
        return keyring
