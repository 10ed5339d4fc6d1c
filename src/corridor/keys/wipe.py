"""`corridor wipe`: destroy a field instance's keys, then its files (decision 0290).

The keyring goes first: from then on the SQLCipher database, its WAL and every backup bound to
the keyring are ciphertext nobody can open. Then every entry of the instance folder is deleted.
The database is not overwritten (slow for a large file, and useless on flash storage that
remaps blocks): the destroyed key is what makes it unreadable.

This module starts no Django and touches no database, so a wipe is quick on a loaded laptop and
works even when the instance cannot start.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from pathlib import Path

from corridor.core import instance
from corridor.core.crypto import keyring
from corridor.core.errors import CorridorError

# What only an instance that was used holds: wipe refuses a folder with neither, so a mistyped
# CORRIDOR_HOME is never emptied (the secret key proves nothing: settings make it on start).
_INSTANCE_SIGNS = (f"{keyring.KEYS_DIR}/{keyring.KEYRING_FILE}", instance.SQLITE_FILE)
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class WipeError(CorridorError):
    """The folder is not one wipe may empty; the message says why."""


def _shred(path: Path) -> None:
    """Overwrite a small file with random bytes, flush it to disk, then delete it."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(secrets.token_bytes(max(size, 1)))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def instance_wipe(home: Path, *, database: Path | None, encrypted: bool) -> dict:
    """Destroy the keys, then every file of the instance folder; say what went and how fast.

    ``database`` is the SQLite file (None on PostgreSQL, which wipe refuses: a field laptop
    runs SQLite, and dropping a server's database is a job for its administrator).
    """
    started = time.monotonic()
    home = home.resolve()
    if database is None:
        raise WipeError(
            "wipe is for a field instance on SQLite; this instance uses PostgreSQL "
            "(drop its database with the database server's own tools)"
        )
    if home in {Path("/").resolve(), Path.home().resolve()} or not any(
        (home / sign).exists() for sign in _INSTANCE_SIGNS
    ):
        raise WipeError(
            f"{home} does not look like a Corridor instance folder (no keyring, no database): "
            f"refusing to delete anything in it"
        )
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
