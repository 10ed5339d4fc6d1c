"""Sessions that are over are purged: by `corridor sessions purge` and when `corridor serve`
starts, through the real entry point (docs/security/sign-in.md)."""

from __future__ import annotations

import json
import subprocess

from corridor.cli.tests.test_cli import PASSWORD, free_port
from corridor.testing.cli import CORRIDOR

# Four sessions: over by Django's date, idle 31 minutes, live, and a visitor's (no sign-in).
MAKE_SESSIONS = """
import datetime as dt, json, time
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
now = int(time.time())
def make(data, expiry=None):
    store = SessionStore()
    store.update(data)
    if expiry is not None:
        store.set_expiry(expiry)
    store.create()
    return store.session_key
signed = {"_auth_user_id": "1", "corridor_signed_in_at": now - 3600}
print(json.dumps({
    "expired": make(dict(signed, corridor_last_seen=now), timezone.now() - dt.timedelta(hours=1)),
    "idle": make(dict(signed, corridor_last_seen=now - 31 * 60)),
    "live": make(dict(signed, corridor_last_seen=now - 60)),
    "visitor": make({"_language": "my"}),
}))
"""
LIVE_SESSIONS = """
import json
from django.contrib.sessions.models import Session
print(json.dumps(sorted(Session.objects.values_list("session_key", flat=True))))
"""


def init(instance):
    return instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    )


def _shell(instance, code):
    done = instance.run("manage", "shell", "-c", code)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sessions_purge_deletes_expired_and_idle_sessions(cli_instance):
    assert init(cli_instance).returncode == 0
    made = _shell(cli_instance, MAKE_SESSIONS)

    purged = cli_instance.run("sessions", "purge")

    assert purged.returncode == 0, purged.stderr
    assert purged.stdout.strip() == "2 sessions that were over deleted"
    assert _shell(cli_instance, LIVE_SESSIONS) == sorted([made["live"], made["visitor"]])
    again = cli_instance.run("sessions", "purge")
    assert again.stdout.strip() == "0 sessions that were over deleted"


def test_serve_purges_on_start(cli_instance):
    assert init(cli_instance).returncode == 0
    made = _shell(cli_instance, MAKE_SESSIONS)
    server = subprocess.Popen(
        [CORRIDOR, "serve", "--port", str(free_port())],
        env=cli_instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline()
        second = server.stdout.readline()
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert first.strip() == "tidied: 2 sessions that were over, 0 held uploads past their time"
    assert second.startswith("Corridor is at http://127.0.0.1:")
    assert _shell(cli_instance, LIVE_SESSIONS) == sorted([made["live"], made["visitor"]])
