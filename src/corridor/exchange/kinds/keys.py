"""Record identity: which stored record a file's row is (decision 0150).

A row is one of three things, in this order:
- the file's own record id (``#meta+id`` from our exports, ACLED's event id, KoBo's ``_uuid``):
  a UUID of ours is taken as it is, any other id becomes a uuid5 of it;
- a declared key (``--key COLUMN[,COLUMN]``): a uuid5 of those cells, within the row's
  organisation; two rows of one file with the same key are an error (the pipeline says so);
- by default its whole content: a uuid5 of every value the row stores, so rows that differ
  anywhere are different records and only literally identical rows share a base and are
  numbered by occurrence. Re-sorting a file therefore changes nothing, and a row edited in
  place is a new record (with ``--replace`` the old one goes).

``uuid5_hex`` computes exactly ``uuid.uuid5(...).hex`` without building UUID objects, which is a
noticeable share of a million-row import.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from corridor.core.ids import dashed
from corridor.exchange import values

NAMESPACE = uuid.UUID("6f1e2b8a-3c0d-5e7f-9a41-c0441d0e7a11")
_NAMESPACE_BYTES = NAMESPACE.bytes
# A UUID needs 32 hex digits: anything shorter is not one (uuid.UUID would refuse it).
_UUID_DIGITS = 32


def uuid5_hex(name: str, namespace: bytes = _NAMESPACE_BYTES) -> str:
    """``uuid.uuid5(namespace, name).hex``: SHA-1, first 16 bytes, version and variant bits."""
    return _marked(hashlib.sha1(namespace + name.encode("utf-8"), usedforsecurity=False).digest())


def _marked(digest: bytes) -> str:
    # The first 16 bytes of the SHA-1, with uuid5's version and variant bits, as hex.
    found = bytearray(digest[:16])
    found[6] = (found[6] & 0x0F) | 0x50
    found[8] = (found[8] & 0x3F) | 0x80
    return found.hex()


def content_of(stored: Sequence[object]) -> str:
    """The text a row's content key is made of: every stored value but the id, in order
    (both row builders give the same values, so the same text; decision 0091)."""
    return "|".join(map(str, stored))


class StableKeys:
    """Record ids for the rows of one file, as 32 hex digits.

    ``key_at``: positions of the declared key's columns in the file's rows (None: no key).
    """

    def __init__(self, kind: str, id_prefix: str = "", key_at: Sequence[int] | None = None) -> None:
        self.kind = kind
        self.id_prefix = id_prefix
        self.key_at = tuple(key_at) if key_at else ()
        self.occurrences: dict[str, int] = {}
        # Per scope (the row's organisation), the SHA-1 that has read the namespace and the
        # text before the id cell: each row's id hashes only its own cell (a file's every
        # row goes through here).
        self._given: dict[str, Any] = {}

    def __call__(self, given: str, content: str, scope: str = "", cells: Sequence[str] = ()) -> str:
        """``given``: the row's id cell, stripped ("" when none); ``content``: its stored
        values (``content_of``); ``cells``: the row's cells, read when a key is declared."""
        if given:
            if len(given) >= _UUID_DIGITS and not self.id_prefix:
                found = values.record_id(given)
                if found is not None:
                    return found.hex
            started = self._given.get(scope)
            if started is None:
                text = f"{self.kind}:{self.id_prefix}{scope}:".encode()
                started = hashlib.sha1(_NAMESPACE_BYTES + text, usedforsecurity=False)
                self._given[scope] = started
            digest = started.copy()
            digest.update(given.encode("utf-8"))
            return _marked(digest.digest())
        if self.key_at:
            width = len(cells)
            key = "\x1f".join(cells[at].strip() if at < width else "" for at in self.key_at)
            return uuid5_hex(f"{self.kind}:key:{scope}:{key}")
        # Identical rows in one file are different records: number them by occurrence.
        base = uuid5_hex(f"{self.kind}:{scope}:{content}")
        seen = self.occurrences.get(base, 0)
        self.occurrences[base] = seen + 1
        return base if seen == 0 else uuid5_hex(f"{dashed(base)}:{seen}")
