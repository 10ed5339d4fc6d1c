"""Time-ordered record ids: UUID version 7 (RFC 9562), made here (Python 3.11 has no uuid7).

A random version 4 key lands anywhere in the primary key's B-tree, so every insert into a
large table touches a page of its own; a version 7 key starts with the time in milliseconds,
so new rows append at the right edge of the index (decision 0220). The ids stay ordinary
UUIDs (version 7, RFC variant): every database column, export and API that takes a UUID takes
them, and rows made before keep their version 4 ids.

Layout: 48 bits of Unix time in milliseconds, the version (7), 12 bits of counter, the
variant (10), 62 random bits. Within one millisecond the 12-bit counter (RFC 9562 §6.2,
method 1) keeps ids of one process strictly increasing; it starts at a random value below
2048 each millisecond, and when it runs out the time is moved on by one millisecond.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_COUNTER_BITS = 12
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1
_lock = threading.Lock()
_last_ms = 0
_counter = 0


def _next(now_ms: int) -> tuple[int, int]:
    """(milliseconds, counter) for the next id, never going back."""
    global _last_ms, _counter
    with _lock:
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = int.from_bytes(os.urandom(2), "big") >> 5  # 0..2047: room to count
        else:
            _counter += 1
            if _counter > _COUNTER_MAX:
                _last_ms += 1
                _counter = 0
        return _last_ms, _counter


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """A new version 7 UUID; ``now_ms`` (milliseconds since 1970) for tests."""
    ms, counter = _next(time.time_ns() // 1_000_000 if now_ms is None else now_ms)
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


def uuid7_time_ms(value: uuid.UUID) -> int:
    """The milliseconds since 1970 a version 7 UUID was made at."""
    return value.int >> 80


def dashed(hex_id: str) -> str:
    """``str(uuid.UUID(hex_id))`` for 32 lowercase hex digits (as SQLite stores a UUID), cut
    rather than parsed."""
    h = hex_id
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
