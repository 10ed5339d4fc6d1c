"""A locked server answers every request with its unlock page, and nothing else.

Before each request: if `corridor lock` left its marker, the keyring file is gone (wiped), or
no request came for ``CORRIDOR_IDLE_LOCK_MINUTES``, the process drops its keys. While locked it
reads nothing from the database (sessions included), so this runs before SessionMiddleware.

The unlock form has no CSRF token (the token would need the session, in the locked database):
a forged unlock needs the passphrase, and whoever has it can unlock anyway. Each try costs a
scrypt derivation (about half a second) and tries are taken one at a time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from corridor.core.crypto import keyring
from corridor.core.errors import CorridorError
from corridor.core.sqlcipher.base import closed_by_lock
from corridor.keys import atrest

UNLOCK_PATH = "/unlock/"
_tries = threading.Lock()


def _release_spent_connections() -> None:
    """Let go of this thread's database connections that the lock closed, or whose SQLite file
    is gone (`corridor wipe`): threads keep their connections between requests (decision 0383),
    and a kept one must not go on reading a deleted file."""
    for conn in connections.all(initialized_only=True):
        if closed_by_lock(conn.connection) or _file_gone(conn):
            conn.close()


def _file_gone(conn: Any) -> bool:
    if conn.vendor != "sqlite" or conn.connection is None or conn.is_in_memory_db():
        return False
    return not os.path.exists(conn.settings_dict["NAME"])


class LockMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.home = Path(settings.HOME)
        self.idle = atrest.idle_clock(settings.IDLE_LOCK_MINUTES)

    def _check(self) -> None:
        if keyring.is_locked():
            return
        if atrest.is_marked_locked(self.home):
            atrest.process_lock("marker left by `corridor lock`")
        elif keyring.held_sealed() and not keyring.keyring_path(self.home).exists():
            atrest.process_lock("the keyring file is gone (wiped?)")
        elif keyring.held_sealed() and self.idle.expired():
            atrest.process_lock(f"idle for {self.idle.minutes} minutes")

    def __call__(self, request: Any) -> Any:
        self._check()
        # Also after an unlock: this thread may still hold a connection the lock closed.
        _release_spent_connections()
        if keyring.is_locked():
            return self._locked(request)
        self.idle.touch()
        return self.get_response(request)

    def _locked(self, request: Any) -> HttpResponse:
        error = ""
        if request.method == "POST" and request.path == UNLOCK_PATH:
            passphrase = request.POST.get("passphrase", "")
            target = request.POST.get("next", "/")
            with _tries:
                try:
                    atrest.instance_unlock(self.home, passphrase)
                except CorridorError as refused:
                    wrong = "wrong passphrase" in str(refused) or "passphrase is empty" in str(
                        refused
                    )
                    error = gettext("Wrong passphrase.") if wrong else str(refused)
                else:
                    self.idle.touch()
                    if not url_has_allowed_host_and_scheme(
                        target, allowed_hosts={request.get_host()}
                    ):
                        target = "/"
                    return HttpResponseRedirect(target)
        next_path = request.get_full_path() if request.path != UNLOCK_PATH else "/"
        body = render_to_string(
            "locked.html",
            {"error": error, "next": next_path, "unlock_path": UNLOCK_PATH},
        )
        return HttpResponse(body, status=423)  # 423 Locked; the page holds no data
