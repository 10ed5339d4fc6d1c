"""The lock middleware in one process: the idle lock, the lock marker, protected reads refused."""

import time

import pytest
from django.test import Client

from corridor.core.crypto import fields, keyring
from corridor.keys import atrest

PASSPHRASE = "field laptop passphrase 2026"


@pytest.fixture
def sealed(settings, tmp_path):
    """This process holds keys from a passphrase-sealed keyring in its own instance folder."""
    settings.HOME = tmp_path
    keyring.forget()
    made = keyring.keyring_new(keyring.keyring_path(tmp_path), passphrase=PASSPHRASE)
    keyring.unlock(PASSPHRASE)
    clock = atrest.idle_clock()
    minutes = clock.minutes
    yield made
    keyring.forget()
    clock.minutes = minutes


@pytest.mark.django_db
def test_idle_server_locks_and_refuses_protected_reads_until_unlocked(sealed, settings):
    settings.IDLE_LOCK_MINUTES = 5
    client = Client()  # its middleware reads the settings above
    clock = atrest.idle_clock()
    # The clock is the process's: in a test process, the last request may be minutes ago.
    clock.touch()
    assert client.get("/accounts/login/").status_code == 200
    clock.touch(time.monotonic() - 4 * 60)
    assert client.get("/accounts/login/").status_code == 200, "locked before its time"
    clock.touch(time.monotonic() - 5 * 60 - 1)

    page = client.get("/accounts/login/")
    assert page.status_code == 423
    assert b"This Corridor is locked" in page.content
    assert keyring.is_locked()
    with pytest.raises(keyring.InstanceLocked):
        keyring.active()
    with pytest.raises(keyring.InstanceLocked):
        fields.seal("situation.incident.witnesses", b"a witness's name")
    # Every address answers with the unlock page, the API and the admin included.
    for path in ("/", "/api/aid/activities/", "/admin/"):
        assert client.get(path).status_code == 423, path

    wrong = client.post("/unlock/", {"passphrase": "not it", "next": "/accounts/login/"})
    assert wrong.status_code == 423
    assert b"Wrong passphrase." in wrong.content
    assert keyring.is_locked()
    right = client.post("/unlock/", {"passphrase": PASSPHRASE, "next": "https://evil.test/"})
    assert (right.status_code, right["Location"]) == (302, "/")
    assert not keyring.is_locked()
    assert keyring.active().current == sealed.current
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_no_idle_lock_when_it_is_off(sealed, settings):
    settings.IDLE_LOCK_MINUTES = 0
    client = Client()
    atrest.idle_clock().touch(time.monotonic() - 24 * 3600)
    assert client.get("/accounts/login/").status_code == 200
    assert not keyring.is_locked()


@pytest.mark.django_db
def test_the_lock_marker_locks_a_running_server(sealed, settings, tmp_path):
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    atrest.lock_marker(tmp_path).write_text("locked\n")  # what `corridor lock` leaves
    assert client.get("/accounts/login/").status_code == 423
    assert client.post("/unlock/", {"passphrase": PASSPHRASE}).status_code == 302
    assert not atrest.lock_marker(tmp_path).exists()
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_a_wiped_keyring_locks_a_running_server(sealed, settings, tmp_path):
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    keyring.keyring_path(tmp_path).unlink()
    page = client.get("/accounts/login/")
    assert page.status_code == 423
    again = client.post("/unlock/", {"passphrase": PASSPHRASE})
    assert again.status_code == 423
    assert b"does not exist" in again.content


def test_an_unsealed_keyring_is_never_idle_locked(settings, tmp_path):
    settings.HOME = tmp_path
    keyring.forget()
    try:
        keyring.keyring_new(keyring.keyring_path(tmp_path), passphrase=None)
        keyring.unlock()
        assert not keyring.held_sealed()
        with pytest.raises(atrest.AtRestError, match="not sealed with a passphrase"):
            atrest.instance_lock(tmp_path)
    finally:
        keyring.forget()


def test_the_servers_idle_thread_locks_without_any_request(sealed, settings, monkeypatch):
    import threading

    from corridor.cli import serve

    settings.IDLE_LOCK_MINUTES = 1
    monkeypatch.setattr(serve, "IDLE_CHECK_EVERY", 0.05)
    atrest.idle_clock(1).touch(time.monotonic() - 61)
    stop = threading.Event()
    watcher = threading.Thread(target=serve._lock_when_idle, args=(stop,), daemon=True)
    watcher.start()
    try:
        deadline = time.monotonic() + 10
        while not keyring.is_locked() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        watcher.join(timeout=5)
    assert keyring.is_locked()


def test_a_kept_connection_to_a_deleted_sqlite_file_is_let_go(
    tmp_path, monkeypatch, django_db_blocker
):
    """Threads keep their SQLite connections (decision 0383): one whose file a wipe deleted
    is closed before the next request, so the server never reads the deleted file."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from corridor.keys import middleware

    path = tmp_path / "corridor.sqlite3"
    kept = DatabaseWrapper({**_sqlite_settings(), "NAME": str(path)}, alias="kept")
    memory = DatabaseWrapper({**_sqlite_settings(), "NAME": ":memory:"}, alias="memory")
    with django_db_blocker.unblock():  # these two databases are the test's own, not the lane's
        for conn in (kept, memory):
            conn.ensure_connection()
    monkeypatch.setattr(middleware.connections, "all", lambda **_: [kept, memory])
    try:
        middleware._release_spent_connections()
        assert kept.connection is not None, "a connection to a file still there was closed"
        path.unlink()
        middleware._release_spent_connections()
        assert kept.connection is None
        assert memory.connection is not None, "an in-memory database has no file to lose"
    finally:
        kept.close()
        memory.close()


def _sqlite_settings() -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "OPTIONS": {},
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
