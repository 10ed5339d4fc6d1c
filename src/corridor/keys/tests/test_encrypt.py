"""`corridor encrypt` through the real entry point: a plain SQLite field database becomes a
SQLCipher one in place, refuses to run beside a server or another open connection, leaves no
marker string in plain anywhere, and a failure part-way leaves the plain database as it was.

Field laptops run SQLite, so these tests use SQLite whatever the lane; they run in the SQLite
lane only (decision 0391).
"""

import resource
import sqlite3
import subprocess
from pathlib import Path

import pytest

from corridor.cli.tests.test_serve_processes import free_port
from corridor.core.tests.test_encryption_at_rest import CONTROL, MARK
from corridor.keys.encrypt import row_counts
from corridor.keys.tests.test_atrest import (
    ADMIN_PASSWORD,
    KEY_PASSPHRASE,
    assert_no_marker,
    database_key,
    files_under,
    open_with_key,
    start_server,
)
from corridor.testing.cli import CORRIDOR

pytestmark = pytest.mark.own_databases("sqlite")

ENCRYPTED = {"CORRIDOR_DATABASE_ENCRYPTED": "1"}


@pytest.fixture
def plain(cli_instance, tmp_path):
    """A plain (unencrypted) field instance on SQLite with a sealed keyring and markers in it."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    cli_instance.env.pop("CORRIDOR_DATABASE_URL", None)
    cli_instance.env.update(
        {
            "CORRIDOR_KEY_PASSPHRASE": KEY_PASSPHRASE,
            "CORRIDOR_LOG_LEVEL": "DEBUG",
            "TMPDIR": str(temp),
        }
    )
    cli_instance.temp = temp
    cli_instance.output = []

    def run(*args, **kwargs):
        done = cli_instance.run(*args, **kwargs)
        cli_instance.output.append(done.stdout + done.stderr)
        return done

    cli_instance.cmd = run
    made = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": ADMIN_PASSWORD}
    )
    cli_instance.output.append(made.stdout + made.stderr)
    assert made.returncode == 0, made.stderr
    sealed = run("keys", "protect", input=KEY_PASSPHRASE + "\n")
    assert sealed.returncode == 0, sealed.stderr
    code = (
        f"from corridor.core.tests.test_encryption_at_rest import seed; seed({MARK!r}, {CONTROL!r})"
    )
    seeded = run("manage", "shell", "-c", code)
    assert seeded.returncode == 0, seeded.stderr
    cli_instance.database = cli_instance.home / "corridor.sqlite3"
    return cli_instance


def plain_counts(database: Path) -> dict[str, int]:
    conn = sqlite3.connect(database)
    try:
        return row_counts(conn)
    finally:
        conn.close()


def test_a_plain_database_is_encrypted_in_place(plain, tmp_path):
    database = plain.database
    assert database.read_bytes().startswith(b"SQLite format 3")
    # The check below can fail: the unprotected control marker is readable in the plain files.
    raw = b"".join(p.read_bytes() for p in database.parent.glob("corridor.sqlite3*"))
    assert CONTROL.encode() in raw
    before = plain_counts(database)

    # Not beside a running server.
    port = free_port()
    server = start_server(plain, port, tmp_path / "server.log")
    try:
        refused = plain.cmd("encrypt")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert refused.returncode == 1
    assert "a Corridor server is running" in refused.stderr, refused.stderr
    # Not while another process has the database open.
    reader = sqlite3.connect(database)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        refused = plain.cmd("encrypt")
    finally:
        reader.close()
    assert refused.returncode == 1
    assert "is in use by another process" in refused.stderr, refused.stderr
    assert database.read_bytes().startswith(b"SQLite format 3")

    done = plain.cmd("encrypt")
    assert done.returncode == 0, done.stderr
    assert f"{len(before)} tables, {sum(before.values())} rows" in done.stdout
    assert "set CORRIDOR_DATABASE_ENCRYPTED=1" in done.stdout
    assert not database.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(database).execute("SELECT count(*) FROM sqlite_master").fetchone()
    leftovers = sorted(p.name for p in database.parent.glob("corridor.sqlite3?*"))
    assert leftovers == [], leftovers
    for path in files_under(plain.home, plain.temp):
        assert_no_marker(path.read_bytes(), str(path.relative_to(tmp_path)))

    # The encrypted instance works, holds every row, and its audit chain is whole.
    verified = plain.cmd("audit", "verify", env=ENCRYPTED)
    assert verified.returncode == 0, verified.stderr
    check = open_with_key(database, database_key(plain.home))
    try:
        assert row_counts(check) == before
        descriptions = [r[0] for r in check.execute("SELECT description FROM situation_incident")]
    finally:
        check.close()
    assert CONTROL in descriptions
    # After it ran on the encrypted file (WAL, temp files and all), still no marker anywhere.
    for path in files_under(plain.home, plain.temp):
        assert_no_marker(path.read_bytes(), str(path.relative_to(tmp_path)))
    for number, output in enumerate(plain.output):
        assert_no_marker(output.encode(), f"the output of command {number}")

    again = plain.cmd("encrypt", env=ENCRYPTED)
    assert again.returncode == 1
    assert "already encrypted" in again.stderr


def _file_size_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_failure_midway_leaves_the_plain_database_intact(plain):
    database = plain.database
    before = plain_counts(database)
    size = database.stat().st_size
    # The disk "fills up" half-way through writing the encrypted copy.
    failed = subprocess.run(  # our own entry point
        [CORRIDOR, "encrypt"],
        env=plain.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=_file_size_limit(size // 2),
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "the plain database is unchanged" in failed.stderr, failed.stderr
    assert sorted(p.name for p in database.parent.glob("corridor.sqlite3?*")) == []
    assert database.read_bytes().startswith(b"SQLite format 3")
    assert plain_counts(database) == before
    assert CONTROL.encode() in database.read_bytes()
    verified = plain.cmd("audit", "verify")  # still a plain instance, whole
    assert verified.returncode == 0, verified.stderr

    done = plain.cmd("encrypt")  # with room on the disk, it goes through
    assert done.returncode == 0, done.stderr
    assert plain.cmd("audit", "verify", env=ENCRYPTED).returncode == 0
