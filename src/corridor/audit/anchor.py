"""The anchor: the audit trail's newest entry, recorded outside the database.

The hash chain shows an edited, removed or reordered entry, but not entries cut off the end:
a shorter chain is still a valid chain. After each commit that added entries, the newest
entry's number and hash are written to a small file (``CORRIDOR_AUDIT_ANCHOR``, by default in
the instance folder); ``corridor audit verify`` then checks that the chain still reaches it.
Someone who can change both the database and this file can still cut the end unnoticed,
which is why ``verify`` also accepts a head written down elsewhere (``--head N:HASH``).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from corridor.audit.models import AuditEntry

_latest = threading.local()


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR)


def database_identity() -> str:
    """Which database the anchor speaks about (engine and name, never a password)."""
    db = connection.settings_dict
    where = (
        f"{db.get('HOST') or ''}:{db.get('PORT') or ''}" if connection.vendor != "sqlite" else ""
    )
    return f"{connection.vendor}:{where}/{db['NAME']}"


def anchor_read() -> dict[str, Any] | None:
    path = anchor_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError):
        return {"damaged": True}
    return data if isinstance(data, dict) else {"damaged": True}


def anchor_write(seq: int, digest: str) -> None:
    """Record ``seq``/``digest`` as the newest entry unless the file already names a later one."""
    path = anchor_path()
    identity = database_identity()
    current = anchor_read()
    if current and current.get("database") == identity and int(current.get("seq", 0)) >= seq:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps({"database": identity, "seq": seq, "hash": digest}))
    os.replace(tmp, path)


def anchor_after_commit(seq: int, digest: str) -> None:
    """Write the anchor when the current transaction commits, once per transaction.

    Every entry registers a callback, but only the newest registered one writes: an import
    that adds ten thousand entries writes the file once.
    """
    _latest.head = (seq, digest)

    def write() -> None:
        if getattr(_latest, "head", None) == (seq, digest):
            anchor_write(seq, digest)

    transaction.on_commit(write)


def head_problem(seq: int, digest: str, where: str) -> str:
    """Why the trail does not reach the head recorded in ``where`` ('' when it does)."""
    last = AuditEntry.objects.order_by("-seq").only("seq").first()
    last_seq = last.seq if last else 0
    if seq > last_seq:
        return (
            f"the trail ends at entry #{last_seq} but {where} records entry #{seq}: "
            f"entries were removed from the end"
        )
    entry = AuditEntry.objects.filter(seq=seq).only("hash").first()
    if entry is None or entry.hash != digest:
        return f"entry #{seq} differs from the one {where} records"
    return ""
