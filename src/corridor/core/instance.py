"""The instance folder: where one Corridor installation keeps its database and keys.

Nothing secret lives in the repository; the secret key is generated on first run and written
with mode 0600 so that other accounts on a shared laptop cannot read it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

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
