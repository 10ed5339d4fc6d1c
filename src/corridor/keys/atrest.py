"""Protection at rest of a field instance: lock, unlock, idle lock and wipe (decision 0290).

*Locked* means no process holds the keys: the keyring file is sealed with the passphrase, the
database file is SQLCipher (``CORRIDOR_DATABASE_ENCRYPTED``), and a running server has dropped
its copy of the keys and answers every request with its unlock page.

``corridor lock`` cannot reach into the server's memory, so it leaves a marker file,
``keys/locked``, which the server checks before every request; the server also locks itself
after ``CORRIDOR_IDLE_LOCK_MINUTES`` without a request. Commands refuse to run while the marker
is there, until ``corridor unlock`` proves the passphrase.

``corridor wipe`` destroys the keyring first — from then on the database file, its WAL and
every backup bound to the keyring are ciphertext nobody can open — and then deletes the
instance folder's files.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from corridor.core import instance
from corridor.core.crypto import keyring
from corridor.core.errors import CorridorError
from corridor.core.sqlcipher.base import close_all_raw

log = logging.getLogger("corridor.atrest")

# What only an instance that was used holds: wipe refuses a folder with neither, so a mistyped
# CORRIDOR_HOME is never emptied (the secret key proves nothing: settings make it on start).
_INSTANCE_SIGNS = (f"{keyring.KEYS_DIR}/{keyring.KEYRING_FILE}", instance.SQLITE_FILE)
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class AtRestError(CorridorError):
    """Lock, unlock or wipe cannot be done; the message says why."""


def database_encrypted() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "corridor.core.sqlcipher"


def lock_marker(home: Path) -> Path:
    return home / keyring.KEYS_DIR / keyring.LOCK_FILE


def is_marked_locked(home: Path) -> bool:
    return lock_marker(home).exists()


def _require_sealed(home: Path) -> None:
    path = keyring.keyring_path(home)
    if os.environ.get("CORRIDOR_ENCRYPTION_KEYS"):
        raise AtRestError(
            "the keys come from CORRIDOR_ENCRYPTION_KEYS: locking needs a keyring file sealed "
            "with a passphrase (`corridor keys protect`)"
        )
    if not path.exists():
        raise AtRestError(f"{path} does not exist: run `corridor init` first")
    if not keyring.is_sealed(path):
        raise AtRestError(
            f"{path} is not sealed with a passphrase, so a lock would protect nothing: "
            f"run `corridor keys protect` first"
        )


def process_lock(reason: str) -> None:
    """Drop this process's keys and close its encrypted database connections."""
    if keyring.is_locked():
        return
    keyring.lock()
    closed = close_all_raw()
    log.info("locked: %s (%d database connections closed)", reason, closed)


def instance_lock(home: Path) -> None:
    """Mark the instance locked; a running server drops its keys at its next request."""
    _require_sealed(home)
    marker = lock_marker(home)
    if not marker.exists():
        instance.write_private(marker, b"locked\n")
    process_lock("corridor lock")


def instance_unlock(home: Path, passphrase: str) -> keyring.Keyring:
    """Check the passphrase against the sealed keyring, then lift the lock in this process
    and remove the marker (a running server then asks for the passphrase on its page)."""
    _require_sealed(home)
    if not keyring.is_locked():
        keyring.lock()  # so that unlock() checks the passphrase against the file
    found = keyring.unlock(passphrase)
    lock_marker(home).unlink(missing_ok=True)
    return found


# --- idle lock ------------------------------------------------------------------------------


@dataclass
class IdleClock:
    """When the server last answered a request; locks it after ``minutes`` without one."""

    minutes: int
    last: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def touch(self, now: float | None = None) -> None:
        with self._lock:
            self.last = time.monotonic() if now is None else now

    def expired(self, now: float | None = None) -> bool:
        if self.minutes <= 0:
            return False
        now = time.monotonic() if now is None else now
        with self._lock:
            return now - self.last >= self.minutes * 60


_idle = IdleClock(0)


def idle_clock(minutes: int | None = None) -> IdleClock:
    """The process's idle clock (one per server); ``minutes`` sets its limit."""
    if minutes is not None:
        _idle.minutes = minutes
    return _idle


# --- wipe -----------------------------------------------------------------------------------


def _shred(path: Path) -> None:
    """Overwrite a small file with random bytes, flush it to disk, then delete it."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(secrets.token_bytes(max(size, 1)))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def instance_wipe(home: Path, *, database: Path | None) -> dict:
    """Destroy the keys, then every file of the instance folder; say what went and how fast.

    ``database`` is the SQLite file (None on PostgreSQL, which wipe refuses: a field laptop
    runs SQLite, and dropping a server's database is a job for its administrator).
    """
    started = time.monotonic()
    home = home.resolve()
    if database is None:
        raise AtRestError(
            "wipe is for a field instance on SQLite; this instance uses PostgreSQL "
            "(drop its database with the database server's own tools)"
        )
    if home in {Path("/").resolve(), Path.home().resolve()} or not any(
        (home / sign).exists() for sign in _INSTANCE_SIGNS
    ):
        raise AtRestError(
            f"{home} does not look like a Corridor instance folder (no keyring, no database): "
            f"refusing to delete anything in it"
        )
    encrypted = database_encrypted()
    keys_dir = home / keyring.KEYS_DIR
    shredded = 0
    # 1. The keys: without them the SQLCipher file, its WAL and bound backups are noise.
    if keys_dir.is_dir():
        for path in sorted(keys_dir.iterdir()):
            if path.is_file():
                _shred(path)
                shredded += 1
    keyring.lock()
    # 2. The database and its companions, then everything else in the folder.
    removed = 0
    for suffix in _SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            companion.unlink()
            removed += 1
    for path in sorted(home.iterdir()):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed += 1
    return {
        "keys_shredded": shredded,
        "removed": removed,
        "database_encrypted": encrypted,
        "seconds": time.monotonic() - started,
    }
