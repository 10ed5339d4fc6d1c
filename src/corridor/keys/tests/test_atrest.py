"""A field instance at rest, through the real `corridor` entry point and a real server.

An encrypted field instance (``CORRIDOR_DATABASE_ENCRYPTED``, a passphrase-sealed keyring) is
filled with marker strings in every protected field and a control marker in an unprotected
one, then locked. The markers must appear nowhere: the database file, its WAL and shared
memory, the instance folder, the temporary folder its processes used, the server's and the
commands' output (their logs), and the backup. After `corridor wipe` nothing is left and the
backup no longer opens, even with its passphrase.

Field laptops run SQLite, so these tests use SQLite whatever the lane; they run in the SQLite
lane only (decision 0391).
"""

import http.client
import shutil
import sqlite3
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from corridor.cli.tests.test_serve_processes import free_port
from corridor.core.crypto.keyring import keyring_read
from corridor.core.tests.test_encryption_at_rest import CONTROL, MARK
from corridor.testing.cli import CORRIDOR

pytestmark = pytest.mark.own_databases("sqlite")

KEY_PASSPHRASE = "field laptop passphrase 2026"
BACKUP_PASSPHRASE = "a long backup passphrase 9"
ADMIN_PASSWORD = "a long admin passphrase 7"
NEEDLES = (MARK.encode(), CONTROL.encode())


@pytest.fixture
def field(cli_instance, tmp_path):
    """An encrypted field instance on SQLite, its processes' temporary files kept apart."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    cli_instance.env.pop("CORRIDOR_DATABASE_URL", None)
    cli_instance.env.update(
        {
            "CORRIDOR_DATABASE_ENCRYPTED": "1",
            "CORRIDOR_KEY_PASSPHRASE": KEY_PASSPHRASE,
            "CORRIDOR_BACKUP_PASSPHRASE": BACKUP_PASSPHRASE,
            "CORRIDOR_LOG_LEVEL": "DEBUG",
            "TMPDIR": str(temp),
        }
    )
    cli_instance.temp = temp
    cli_instance.output = []  # every command's stdout and stderr: what a log would hold

    def run(*args, **kwargs):
        done = cli_instance.run(*args, **kwargs)
        cli_instance.output.append(done.stdout + done.stderr)
        return done

    cli_instance.cmd = run
    made = cli_instance.init_copied(
        "--no-input",
        "--admin-username",
        "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    cli_instance.output.append(made.stdout + made.stderr)
    assert made.returncode == 0, made.stderr
    return cli_instance


def seed(instance) -> None:
    code = (
        f"from corridor.core.tests.test_encryption_at_rest import seed; seed({MARK!r}, {CONTROL!r})"
    )
    seeded = instance.cmd("manage", "shell", "-c", code)
    assert seeded.returncode == 0, seeded.stderr


def database_key(home: Path) -> bytes:
    keyring, _ = keyring_read(home / "keys" / "keyring.json", KEY_PASSPHRASE)
    return keyring.at_rest["database"]


def open_with_key(database: Path, key: bytes):
    conn = sqlcipher.connect(str(database), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()]


def assert_no_marker(raw: bytes, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in raw, f"{needle.decode()} found in {where}"


def request(port: int, method: str, path: str, fields: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urllib.parse.urlencode(fields) if fields is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    result = answer.status, answer.getheader("Location") or "", answer.read().decode()
    conn.close()
    return result


def start_server(instance, port: int, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    server = subprocess.Popen(
        [CORRIDOR, "serve", "--port", str(port), "--threads", "2"],
        env=instance.env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            request(port, "GET", "/accounts/login/")
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise AssertionError(f"corridor serve did not answer on {port}")


def test_locked_field_instance_leaves_no_marker_anywhere(field, tmp_path):
    home = field.home
    database = home / "corridor.sqlite3"
    assert not database.read_bytes().startswith(b"SQLite format 3"), "not encrypted"
    port = free_port()
    server_log = tmp_path / "server.log"
    server = start_server(field, port, server_log)
    key = database_key(home)
    # A reader holding a snapshot keeps the newest writes in the WAL, where we read them raw.
    reader = open_with_key(database, key)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        seed(field)
        backup = tmp_path / "backups" / "field.backup"
        backup.parent.mkdir()
        written = field.cmd("backup", str(backup))
        assert written.returncode == 0, written.stderr

        assert request(port, "GET", "/accounts/login/")[0] == 200
        locked = field.cmd("lock")
        assert locked.returncode == 0, locked.stderr
        status, _, page = request(port, "GET", "/accounts/login/")
        assert status == 423
        assert "This Corridor is locked" in page
        refused = field.cmd("status")
        assert refused.returncode == 1
        assert "the instance is locked" in refused.stderr

        wal = database.with_name(database.name + "-wal")
        assert wal.exists()
        assert wal.stat().st_size > 0, "nothing in the WAL: the scan is blind"
        scanned = [*files_under(home, field.temp), backup, server_log]
        assert wal in scanned
        assert backup in scanned
        for path in scanned:
            assert_no_marker(path.read_bytes(), str(path.relative_to(tmp_path)))
        for number, output in enumerate(field.output):
            assert_no_marker(output.encode(), f"the output of command {number}")
    finally:
        reader.close()
    # The control marker is really there, in an unprotected column, for whoever has the key.
    check = open_with_key(database, key)
    try:
        descriptions = [r[0] for r in check.execute("SELECT description FROM situation_incident")]
    finally:
        check.close()
    assert CONTROL in descriptions
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(database).execute("SELECT count(*) FROM sqlite_master").fetchone()

    # Unlocked on the server's own page: a wrong passphrase first.
    try:
        status, _, page = request(port, "POST", "/unlock/", {"passphrase": "not it at all"})
        assert status == 423
        assert "Wrong passphrase." in page
        status, location, _ = request(
            port, "POST", "/unlock/", {"passphrase": KEY_PASSPHRASE, "next": "/accounts/login/"}
        )
        assert (status, location) == (302, "/accounts/login/")
        assert request(port, "GET", "/accounts/login/")[0] == 200
        assert field.cmd("status").returncode == 0  # the page lifted the lock for commands too
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert_no_marker(server_log.read_bytes(), "the server's log")


def test_unlock_from_the_command_line_needs_the_passphrase(field):
    assert field.cmd("lock").returncode == 0
    wrong = field.cmd("unlock", input="not the passphrase\n", env={"CORRIDOR_KEY_PASSPHRASE": ""})
    assert wrong.returncode == 1
    assert "wrong passphrase" in wrong.stderr
    assert field.cmd("status").returncode == 1
    right = field.cmd("unlock", input=KEY_PASSPHRASE + "\n", env={"CORRIDOR_KEY_PASSPHRASE": ""})
    assert right.returncode == 0, right.stderr
    assert field.cmd("status").returncode == 0


def test_lock_refuses_a_keyring_without_passphrase(cli_instance):
    cli_instance.env.pop("CORRIDOR_DATABASE_URL", None)
    made = cli_instance.init_copied(
        "--no-input",
        "--admin-username",
        "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    assert made.returncode == 0, made.stderr
    refused = cli_instance.run("lock")
    assert refused.returncode == 1
    assert "not sealed with a passphrase" in refused.stderr
    assert "corridor keys protect" in refused.stderr


def test_wipe_destroys_keys_and_data_within_ten_seconds(field, tmp_path):
    home = field.home
    seed(field)
    backup = tmp_path / "field.backup"
    assert field.cmd("backup", str(backup)).returncode == 0
    checked = field.cmd("backup", "--check", str(backup))
    assert checked.returncode == 0, checked.stderr
    seized = tmp_path / "seized-copy.sqlite3"  # what someone copied off the disk before
    shutil.copyfile(home / "corridor.sqlite3", seized)
    keyring_before = (home / "keys" / "keyring.json").read_bytes()

    not_confirmed = field.cmd("wipe")  # no terminal, no --yes
    assert not_confirmed.returncode == 1
    assert "--yes" in not_confirmed.stderr
    assert (home / "keys" / "keyring.json").read_bytes() == keyring_before

    started = time.monotonic()
    wiped = field.cmd("wipe", "--yes")
    took = time.monotonic() - started
    assert wiped.returncode == 0, wiped.stderr
    assert took <= 10, f"corridor wipe took {took:.1f} s"
    assert "SQLCipher-encrypted" in wiped.stdout
    assert home.is_dir()
    assert list(home.iterdir()) == []

    # The old backup does not open any more, passphrase or not, nor from a fresh instance.
    fresh = {"CORRIDOR_HOME": str(tmp_path / "fresh")}
    for args in (("backup", "--check", str(backup)), ("restore", str(backup))):
        refused = field.cmd(*args, env=fresh)
        assert refused.returncode == 1
        assert "bound to the keyring" in refused.stderr
    # The copy taken before the wipe is ciphertext: plain SQLite cannot read it, no marker.
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(seized).execute("SELECT count(*) FROM sqlite_master").fetchone()
    for path in (seized, backup):
        assert_no_marker(path.read_bytes(), path.name)


def test_a_bound_backup_restores_with_its_keyring(field, tmp_path):
    seed(field)
    backup = tmp_path / "field.backup"
    assert field.cmd("backup", str(backup)).returncode == 0
    kept = tmp_path / "keyring-kept-apart.json"
    shutil.copyfile(field.home / "keys" / "keyring.json", kept)
    kept.chmod(0o600)
    fresh = {"CORRIDOR_HOME": str(tmp_path / "fresh")}
    restored = field.cmd("restore", str(backup), "--keyring", str(kept), env=fresh)
    assert restored.returncode == 0, restored.stderr
    assert "adopted" in restored.stdout
    verified = field.cmd("audit", "verify", env=fresh)
    assert verified.returncode == 0, verified.stderr


def test_wipe_refuses_a_folder_that_is_not_an_instance(cli_instance, tmp_path):
    stranger = tmp_path / "not-an-instance"
    stranger.mkdir()
    (stranger / "thesis.txt").write_text("keep me")
    cli_instance.env.pop("CORRIDOR_DATABASE_URL", None)
    refused = cli_instance.run("wipe", "--yes", env={"CORRIDOR_HOME": str(stranger)})
    assert refused.returncode == 1
    assert "does not look like a Corridor instance folder" in refused.stderr
    assert (stranger / "thesis.txt").read_text() == "keep me"


def test_a_plain_instance_moves_to_an_encrypted_one_by_backup_and_restore(cli_instance, tmp_path):
    cli_instance.env.pop("CORRIDOR_DATABASE_URL", None)
    cli_instance.env["CORRIDOR_BACKUP_PASSPHRASE"] = BACKUP_PASSPHRASE
    made = cli_instance.init_copied(
        "--no-input",
        "--admin-username",
        "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    assert made.returncode == 0, made.stderr
    plain = cli_instance.home / "corridor.sqlite3"
    assert plain.read_bytes().startswith(b"SQLite format 3")
    backup = tmp_path / "plain.backup"
    assert cli_instance.run("backup", str(backup)).returncode == 0
    encrypted = {
        "CORRIDOR_HOME": str(tmp_path / "field"),
        "CORRIDOR_DATABASE_ENCRYPTED": "1",
        "CORRIDOR_KEY_PASSPHRASE": KEY_PASSPHRASE,
    }
    restored = cli_instance.run("restore", str(backup), env=encrypted)
    assert restored.returncode == 0, restored.stderr
    database = tmp_path / "field" / "corridor.sqlite3"
    assert not database.read_bytes().startswith(b"SQLite format 3")
    verified = cli_instance.run("audit", "verify", env=encrypted)
    assert verified.returncode == 0, verified.stderr
