"""The instance folder: where one Corridor installation keeps its database and keys.

Nothing secret lives in the repository; the secret key is generated on first run and written
with mode 0600 so that other accounts on a shared laptop cannot read it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

SECRET_KEY_FILE = "secret_key"  # noqa: S105 — a file name, not a key
SQLITE_FILE = "corridor.sqlite3"


def ensure_home(home: Path) -> Path:
    """Create the instance folder (mode 0700) if missing and return its absolute path."""
    home = home.expanduser().resolve()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable only by its owner; never overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def secret_key(home: Path) -> str:
    """Read the instance's secret key, generating it on first use."""
    path = ensure_home(home) / SECRET_KEY_FILE
    if not path.exists():
        # Another process may create it between our check and our write: theirs wins.
        with contextlib.suppress(FileExistsError):
            write_private(path, secrets.token_urlsafe(50).encode())
    return path.read_text().strip()


SERVER_LOCK_FILE = "server.lock"

try:
    import fcntl
except ImportError:  # pragma: no cover — Windows
    fcntl = None  # type: ignore[assignment]


def server_lock(home: Path) -> Any:
    """Mark the instance as served for as long as the returned file stays open.

    ``corridor serve`` holds an advisory lock on ``server.lock``; the kernel lets it go when
    the process ends, however it ends, so a killed server leaves no stale mark. Commands that
    must not run beside a server (``corridor encrypt``) ask ``server_running``.
    """
    handle = (ensure_home(home) / SERVER_LOCK_FILE).open("a")
    if fcntl is None:  # Windows: no advisory locks; SQLite's own locks still guard the file
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise
    return handle


def server_running(home: Path) -> bool:
    """Whether a `corridor serve` process holds this instance's server lock now."""
    path = home / SERVER_LOCK_FILE
    if fcntl is None or not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False
