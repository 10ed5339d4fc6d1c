"""Stable record ids: the same row always gets the same id, so re-importing changes nothing.

An id is the file's own record id when it is one of ours (a UUID from our exports), else a
uuid5 under ``NAMESPACE`` of the file's identifier or of the row's natural key; identical rows
in one file are numbered by occurrence. ``uuid5_hex`` computes exactly ``uuid.uuid5(...).hex``
without building UUID objects, which is a noticeable share of a million-row import.
"""

from __future__ import annotations

import hashlib
import uuid

from corridor.exchange import values

NAMESPACE = uuid.UUID("6f1e2b8a-3c0d-5e7f-9a41-c0441d0e7a11")
_NAMESPACE_BYTES = NAMESPACE.bytes
# A UUID needs 32 hex digits: anything shorter is not one (uuid.UUID would refuse it).
_UUID_DIGITS = 32


def uuid5_hex(name: str, namespace: bytes = _NAMESPACE_BYTES) -> str:
    """``uuid.uuid5(namespace, name).hex``: SHA-1, first 16 bytes, version and variant bits."""
    digest = bytearray(
        hashlib.sha1(namespace + name.encode("utf-8"), usedforsecurity=False).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    return digest.hex()


def dashed(hex_id: str) -> str:
    """``str(uuid.UUID(hex_id))`` for 32 lowercase hex digits."""
    h = hex_id
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class StableKeys:
    """Record ids for the rows of one file, as 32 hex digits."""

    def __init__(self, kind: str, id_prefix: str = "") -> None:
        self.kind = kind
        self.id_prefix = id_prefix
        self.occurrences: dict[str, int] = {}

    def __call__(self, given: str, natural: str, scope: str = "") -> str:
        """``given``: the row's id cell, stripped ("" when none); ``natural``: its natural key."""
        if given:
            if len(given) >= _UUID_DIGITS and not self.id_prefix:
                found = values.record_id(given)
                if found is not None:
                    return found.hex
            return uuid5_hex(f"{self.kind}:{self.id_prefix}{scope}:{given}")
        # Identical rows in one file are different records: number them by occurrence.
        base = uuid5_hex(f"{self.kind}:{scope}:{natural}")
        seen = self.occurrences.get(base, 0)
        self.occurrences[base] = seen + 1
        return base if seen == 0 else uuid5_hex(f"{dashed(base)}:{seen}")
