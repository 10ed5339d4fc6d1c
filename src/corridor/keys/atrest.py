"""Protection at rest of a field instance: lock, unlock and idle lock (decision 0290).

*Locked* means no process holds the keys: the keyring file is sealed with the passphrase, the
database file is SQLCipher (``CORRIDOR_DATABASE_ENCRYPTED``), and a running server has dropped
its copy of the keys and answers every request with its unlock page.

``corridor lock`` cannot reach into the server's memory, so it leaves a marker file,
``keys/locked``, which the server checks before every request; the server also locks itself
after ``CORRIDOR_IDLE_LOCK_MINUTES`` without a request. Commands refuse to run while the marker
is there, until ``corridor unlock`` proves the passphrase.

``corridor wipe`` is ``wipe.py``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from corridor.core import instance
from corridor.core.crypto import keyring
from corridor.core.errors import CorridorError
from corridor.core.sqlcipher.base import close_all_raw

log = logging.getLogger("corridor.atrest")


class AtRestError(CorridorError):
    """Lock, unlock or wipe cannot be done; the message says why."""


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
