"""A checked upload, held between the dry run and "Import now" so nobody sends it twice.

On a slow connection the file should cross once. After a clean dry run the bytes are kept,
encrypted with a fresh key that lives only in the uploader's session, in a private folder of
the instance; "Import now" takes them back out and deletes them. A hold nobody uses is
deleted after HOLD_MINUTES, and once the session ends (sign-out, expiry) its key is gone and
the held bytes are unreadable (decision 0077).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from corridor.core.instance import write_private

HOLD_MINUTES = 30
SESSION_KEY = "upload_holds"


def _folder() -> Path:
    folder = Path(settings.HOME) / "held-uploads"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def holds_sweep(now: float | None = None) -> int:
    """Delete held files older than HOLD_MINUTES; returns how many went."""
    cutoff = (now or time.time()) - HOLD_MINUTES * 60
    gone = 0
    for held in _folder().iterdir():
        if held.stat().st_mtime < cutoff:
            held.unlink(missing_ok=True)
            gone += 1
    return gone


def hold_put(session: Any, run_id: Any, path: Path, meta: dict[str, str]) -> None:
    key = Fernet.generate_key()
    write_private(_folder() / str(run_id), Fernet(key).encrypt(path.read_bytes()))
    holds = dict(session.get(SESSION_KEY, {}))
    holds[str(run_id)] = {**meta, "key": key.decode(), "at": time.time()}
    session[SESSION_KEY] = holds


@contextmanager
def hold_take(session: Any, run_id: str) -> Iterator[tuple[Path, dict[str, str]] | None]:
    """The held file decrypted into a private temporary folder, with what was chosen for it;
    None when this session holds no such file (any more). The hold is gone afterwards."""
    holds = dict(session.get(SESSION_KEY, {}))
    meta = holds.pop(run_id, None)
    session[SESSION_KEY] = holds
    held = _folder() / run_id if meta else None
    try:
        if (
            meta is None
            or held is None
            or not held.exists()
            or time.time() - meta["at"] > HOLD_MINUTES * 60
        ):
            yield None
            return
        try:
            data = Fernet(meta["key"].encode()).decrypt(held.read_bytes())
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
