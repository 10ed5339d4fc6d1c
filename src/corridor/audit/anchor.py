"""The anchor: the audit trail's newest entry, recorded outside the database.

The hash chain shows an edited, removed or reordered entry, but not entries cut off the end:
a shorter chain is still a valid chain. After each commit that added entries, the newest
entry's number and hash are written to a small file (``CORRIDOR_AUDIT_ANCHOR``, by default in
the instance folder); ``corridor audit verify`` then checks that the chain still reaches it.
The file also names the trail (its first entry's hash) and the database, so ``verify`` tells a
missing, foreign or moved anchor from a good one. Someone who can change both the database and
this file can still cut the end unnoticed, which is why ``verify`` also accepts a head written
down elsewhere (``--head N:HASH``).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from corridor.audit.models import AuditEntry

log = logging.getLogger("corridor.audit")
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


def chain_id() -> str:
    """Which trail this is: the hash of its first entry ('' while it has none).

    A moved instance folder or a renamed database keeps its trail, and so its chain id; a
    database swapped for another, or a trail emptied and started again, does not.
    """
    return AuditEntry.objects.filter(seq=1).values_list("hash", flat=True).first() or ""


def _same_trail(anchor: dict[str, Any], chain: str) -> bool:
    if "chain" in anchor:
        return anchor["chain"] == chain
    # An anchor from before chain ids: it named its database only.
    return anchor.get("database") == database_identity()


def anchor_write(seq: int, digest: str, *, replace: bool = False) -> bool:
    """Record ``seq``/``digest`` as the newest entry of this trail; True when the file says so.

    Never moves backwards, and never on its own replaces an anchor of another trail, a damaged
    one, or a missing one for a trail this process did not start: each of those is what an
    attacker cutting the trail would want, so they wait for ``corridor audit anchor``
    (``replace=True``), run by a person after ``verify`` named the problem. A moved instance
    keeps the database the anchor names until then, so ``verify`` keeps saying it moved.
    """
    path = anchor_path()
    chain = digest if seq == 1 else chain_id()
    identity = database_identity()
    current = anchor_read()
    if not replace:
        # Only the commit that wrote entry #1 may create the anchor: later, a missing file
        # means someone removed it.
        started, _latest.started = getattr(_latest, "started", None), None
        if current is None and started != chain:
            log.warning("audit anchor %s is missing: not writing a new one on its own", path)
            return False
        if current is not None and (current.get("damaged") or not _same_trail(current, chain)):
            log.warning("audit anchor %s is damaged or names another trail: left as it is", path)
            return False
        if current is not None:
            if int(current.get("seq", 0)) >= seq:
                return True
            identity = current.get("database", identity)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    body = {"database": identity, "chain": chain, "seq": seq, "hash": digest}
    tmp.write_text(json.dumps(body))
    os.replace(tmp, path)
    return True


def anchor_after_commit(seq: int, digest: str) -> None:
    """Write the anchor when the current transaction commits, once per transaction.

    Every entry registers a callback, but only the newest registered one writes: an import
    that adds ten thousand entries writes the file once.
    """
    _latest.head = (seq, digest)
    if seq == 1:
        # This process starts the trail, so it may create the anchor that goes with it.
        _latest.started = digest

    def write() -> None:
        if getattr(_latest, "head", None) == (seq, digest):
            anchor_write(seq, digest)

    transaction.on_commit(write)


def anchor_replace_after_commit(seq: int, digest: str) -> None:
    """Replace the anchor with ``seq``/``digest`` when the transaction commits, whatever it
    holds now (``corridor audit anchor``, after a person judged the problem)."""
    _latest.head = ("replace", seq, digest)  # the entry's own callback stands down
    transaction.on_commit(lambda: anchor_write(seq, digest, replace=True))


def head_problem(seq: int, digest: str, where: str) -> str:
    """Why the trail does not reach the head recorded in ``where`` ('' when it does)."""
    last = AuditEntry.objects.order_by("-seq").only("seq").first()
    last_seq = last.seq if last else 0
    if seq > last_seq:
        if last_seq == 0:
            return f"the trail is empty but {where} records entry #{seq}: every entry was removed"
        return (
            f"the trail ends at entry #{last_seq} but {where} records entry #{seq}: "
            f"entries were removed from the end"
        )
    entry = AuditEntry.objects.filter(seq=seq).only("hash").first()
    if entry is None or entry.hash != digest:
        return f"entry #{seq} differs from the one {where} records"
    return ""


def anchor_problem() -> str:
    """Why the anchor file does not vouch for the trail as it is ('' when it does).

    Run after the chain itself verified. A missing anchor is a problem once the instance has
    written anything: entries, or user accounts (every account is created with an entry, so
    accounts beside an empty trail mean its entries went). Only a brand-new instance, with
    neither, has no anchor yet legitimately.
    """
    path = anchor_path()
    anchor = anchor_read()
    entries = AuditEntry.objects.exists()
    if anchor is None:
        if entries:
            return (
                f"the anchor file {path} is missing: entries cut off the end would not show "
                f"(if it was lost or moved on purpose, see `corridor audit anchor --help`)"
            )
        users = get_user_model()._default_manager.count()
        if users:
            return (
                f"the trail is empty and the anchor file {path} is missing, but the database "
                f"holds {users} user account(s): the entries and the anchor were removed"
            )
        return ""
    if anchor.get("damaged") or not {"seq", "hash"} <= anchor.keys():
        return f"the anchor file {path} is damaged"
    if entries and not _same_trail(anchor, chain_id()):
        return (
            f"the anchor file {path} belongs to another trail (database "
            f"{anchor.get('database', '?')}): the database was replaced or started again"
        )
    problem = head_problem(int(anchor["seq"]), str(anchor["hash"]), "the anchor file")
    if problem:
        return problem
    if anchor.get("database") != database_identity():
        return (
            f"the anchor file was written for database {anchor.get('database')}, this is "
            f"{database_identity()}: the instance folder moved or the database was renamed "
            f"(if you did that, run `corridor audit anchor`)"
        )
    return ""
