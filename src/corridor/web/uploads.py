"""A checked upload, held between the dry run and "Import now" so nobody sends it twice.

On a slow connection the file should cross once. After a clean dry run the bytes are kept in a
private folder of the instance, encrypted with a key that no copy of the instance folder holds
(decision 0120): the key is derived from two random halves, one kept in the uploader's session
(in the database) and one only in the uploader's browser, in an HttpOnly cookie limited to the
upload pages. Neither the database nor the folder alone decrypts a held file; together they
still lack the browser's half. "Import now" takes the bytes back out and deletes them. A hold
nobody uses is deleted after HOLD_MINUTES, and once the session ends (sign-out, expiry) its
half of the key is gone and the held bytes are unreadable even with the cookie (decision 0077).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import reverse

from corridor.core.instance import write_private

HOLD_MINUTES = 30
SESSION_KEY = "upload_holds"
# The browser's half of every held file's key; sent only to the upload pages.
COOKIE = "corridor_hold"
HALF_BYTES = 32


def _folder() -> Path:
    folder = Path(settings.HOME) / "held-uploads"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def holds_sweep(now: float | None = None) -> int:
    """Delete held files older than HOLD_MINUTES; returns how many went."""
    cutoff = (now or time.time()) - HOLD_MINUTES * 60
    gone = 0
    for held in _folder().iterdir():
        # Another `corridor serve` on the same instance folder may sweep at the same time, or an
        # import take the file: one already gone is not an error, and is counted once.
        try:
            if held.stat().st_mtime < cutoff:
                held.unlink()
                gone += 1
        except FileNotFoundError:
            continue
    return gone


def _half(text: str | None) -> bytes | None:
    try:
        half = base64.urlsafe_b64decode((text or "").encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return half if len(half) == HALF_BYTES else None


def _key(browser: bytes, server: bytes, run_id: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"corridor held upload " + run_id.encode(),
    ).derive(browser + server)
    return Fernet(base64.urlsafe_b64encode(derived))


def hold_put(request: Any, run_id: Any, path: Path, meta: dict[str, str]) -> str:
    """Hold the checked file; returns the browser's half, for ``hold_cookie`` on the response."""
    browser = _half(request.COOKIES.get(COOKIE)) or secrets.token_bytes(HALF_BYTES)
    server = secrets.token_bytes(HALF_BYTES)
    run = str(run_id)
    write_private(_folder() / run, _key(browser, server, run).encrypt(path.read_bytes()))
    holds = dict(request.session.get(SESSION_KEY, {}))
    holds[run] = {**meta, "half": base64.urlsafe_b64encode(server).decode(), "at": time.time()}
    request.session[SESSION_KEY] = holds
    return base64.urlsafe_b64encode(browser).decode()


def hold_cookie(response: Any, browser: str) -> None:
    """Give the browser its half of the key, for as long as a hold lives."""
    response.set_cookie(
        COOKIE,
        browser,
        max_age=HOLD_MINUTES * 60,
        path=reverse("web:upload"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


@contextmanager
def hold_take(request: Any, run_id: str) -> Iterator[tuple[Path, dict[str, str]] | None]:
    """The held file decrypted into a private temporary folder, with what was chosen for it;
    None when this session and browser hold no such file (any more). The hold is gone
    afterwards."""
    holds = dict(request.session.get(SESSION_KEY, {}))
    meta = holds.pop(run_id, None)
    request.session[SESSION_KEY] = holds
    held = _folder() / run_id if meta else None
    try:
        browser = _half(request.COOKIES.get(COOKIE))
        server = _half(meta.get("half")) if meta else None
        if (
            meta is None
            or held is None
            or browser is None
            or server is None
            or not held.exists()
            or time.time() - meta["at"] > HOLD_MINUTES * 60
        ):
            yield None
            return
        try:
            data = _key(browser, server, run_id).decrypt(held.read_bytes())
        except InvalidToken:
            yield None
            return
        with tempfile.TemporaryDirectory(prefix="corridor-upload-") as folder:
            path = Path(folder) / "upload"
            path.write_bytes(data)
            yield path, meta
    finally:
        if held is not None:
            held.unlink(missing_ok=True)
