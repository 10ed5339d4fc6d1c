"""`corridor encrypt`: turn a plain SQLite field database into a SQLCipher one, in place.

The steps (docs/security/at-rest.md, decision 0348):

1. Refuse when a server runs on the instance (it holds ``server.lock``, ``core/instance.py``),
   when the instance is locked, or when another process has the database open: the plain
   file is switched out of WAL (which folds the WAL into it and removes it) and then held with
   an exclusive lock, each without waiting, so any reader or writer makes it stop.
2. ``sqlcipher_export`` copies schema and rows into a new file beside it,
   ``corridor.sqlite3.encrypting``, under the keyring's ``database`` key; temporary tables and
   sorts stay in memory.
3. The lock is taken again (refused if anyone wrote in between) and the new file, opened on
   its own connection with the key, must pass SQLite's integrity check and hold as many rows
   per table as the plain one. Until then the plain file is untouched in content; any failure
   deletes the new file and leaves the plain database as it was.
4. The new file takes the database's name in one ``rename`` (atomic on one file system); the
   plain file, reached through a second name made just before, and any journal beside it are
   overwritten with random bytes, flushed and deleted.

What overwriting can and cannot do on an SSD or a copy-on-write file system is in the docs.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from corridor.core import instance
from corridor.core.errors import CorridorError

NEW_SUFFIX = ".encrypting"
OLD_SUFFIX = ".plain-old"
_COMPANIONS = ("-wal", "-shm", "-journal")
_PLAIN_HEADER = b"SQLite format 3\x00"
_CHUNK = 1 << 20


class EncryptError(CorridorError):
    """The database cannot be encrypted now; the message says why and nothing was changed."""


@dataclass
class Encrypted:
    tables: int
    rows: int
    overwritten: list[str]
    seconds: float


def is_plain_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_PLAIN_HEADER)) == _PLAIN_HEADER


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(conn: Any, schema: str = "main") -> dict[str, int]:
    """Rows per table of one schema of ``conn`` (SQLite's own tables included)."""
    names = [
        row[0]
        for row in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name"  # noqa: S608 — schema is ours, not input
        )
    ]
    return {
        # Table names from the file's own schema, quoted; the schema name is ours.
        name: conn.execute(f"SELECT count(*) FROM {schema}.{_quote(name)}").fetchone()[0]  # noqa: S608
        for name in names
    }


def _shred(path: Path) -> None:
    """Overwrite a file with random bytes, flush it to the device, then delete it."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        left = size
        while left > 0:
            step = min(left, _CHUNK)
            handle.write(secrets.token_bytes(step))
            left -= step
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _busy(error: Exception) -> bool:
    return bool(re.search(r"locked|busy", str(error)))


def _in_use(database: Path) -> EncryptError:
    return EncryptError(
        f"{database} is in use by another process (a server, an import, a shell): stop it "
        f"and run `corridor encrypt` again; nothing was changed"
    )


def database_encrypt(home: Path, database: Path, key: bytes) -> Encrypted:
    """Encrypt ``database`` (plain SQLite) in place under ``key``; see the module's steps."""
    started = time.monotonic()
    new = database.with_name(database.name + NEW_SUFFIX)
    old = database.with_name(database.name + OLD_SUFFIX)
    _clear_leftovers(database, new, old)
    if not database.exists():
        raise EncryptError(f"{database} does not exist: nothing to encrypt")
    if not is_plain_sqlite(database):
        raise EncryptError(
            f"{database} is not a plain SQLite file: it is already encrypted (or not a "
            f"database); nothing was changed"
        )
    if instance.server_running(home):
        raise EncryptError(
            f"a Corridor server is running on {home}: stop it (Ctrl+C), then run "
            f"`corridor encrypt` again; nothing was changed"
        )
    conn = sqlcipher.connect(str(database), isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("PRAGMA temp_store = MEMORY")
        try:
            # Out of WAL: the WAL's pages go into the file and the WAL is removed. It needs
            # every other connection closed, so it is also the first in-use check.
            if conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] != "delete":
                raise _in_use(database)
            conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(new),))
            conn.execute("BEGIN EXCLUSIVE")
        except sqlcipher.OperationalError as error:
            if _busy(error):
                raise _in_use(database) from None
            raise
        before = conn.execute("PRAGMA main.data_version").fetchone()[0]
        try:
            conn.execute("PRAGMA encrypted.journal_mode = DELETE")
            conn.execute("SELECT sqlcipher_export('encrypted')")
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE encrypted")
            try:
                conn.execute("BEGIN EXCLUSIVE")
            except sqlcipher.OperationalError as error:
                if _busy(error):
                    raise _in_use(database) from None
                raise
            if conn.execute("PRAGMA main.data_version").fetchone()[0] != before:
                raise EncryptError(
                    f"{database} changed while it was being encrypted: another process wrote "
                    f"to it; stop it and run `corridor encrypt` again"
                )
            expected = row_counts(conn)
            _verify(new, key, expected)
            # The swap, still holding the plain file's lock: a second name keeps the plain
            # file reachable for overwriting, then the new file takes the database's name.
            os.link(database, old)
            os.replace(new, database)
            _fsync_folder(database.parent)
        except BaseException as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if old.exists() and old.samefile(database):  # linked, not yet swapped
                old.unlink()
            _clear_leftovers(database, new, old)
            if isinstance(error, sqlcipher.Error | OSError):
                raise EncryptError(
                    f"encrypting {database.name} failed ({error}); the half-written copy is "
                    f"deleted and the plain database is unchanged"
                ) from error
            raise
        overwritten = [old.name]
        _shred(old)
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    # No companion of the plain file may stay: a leftover WAL would be read as the new file's.
    for suffix in _COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            _shred(companion)
            overwritten.append(companion.name)
    _fsync_folder(database.parent)
    return Encrypted(
        tables=len(expected),
        rows=sum(expected.values()),
        overwritten=overwritten,
        seconds=time.monotonic() - started,
    )


def _clear_leftovers(database: Path, new: Path, old: Path) -> None:
    """What a run that died part-way left: the half-written encrypted copy (deleted), and
    after the swap the plain file's second name (overwritten: it is the plain data)."""
    for suffix in ("", "-journal"):
        new.with_name(new.name + suffix).unlink(missing_ok=True)
    if old.exists():
        if database.exists() and old.samefile(database):  # died between link and swap
            old.unlink()
        else:
            _shred(old)


def _verify(new: Path, key: bytes, expected: dict[str, int]) -> None:
    """The new file opens with the key, passes the integrity check, and has every row."""
    check = sqlcipher.connect(str(new), isolation_level=None)
    try:
        check.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        check.execute("PRAGMA temp_store = MEMORY")
        integrity = [row[0] for row in check.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            raise EncryptError(
                f"the encrypted copy {new.name} fails SQLite's integrity check "
                f"({'; '.join(integrity[:3])}); the plain database is unchanged"
            )
        found = row_counts(check)
    finally:
        check.close()
    differ = sorted(
        name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name)
    )
    if differ:
        listed = ", ".join(f"{n} ({expected.get(n)} vs {found.get(n)})" for n in differ[:5])
        raise EncryptError(
            f"the encrypted copy does not hold the same rows: {listed}; the plain database is "
            f"unchanged"
        )
