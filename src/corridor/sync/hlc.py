"""Hybrid logical clocks: a version stamp that orders edits across instances.

A stamp is wall-clock milliseconds, a counter and the instance id, written so that comparing
the strings compares the stamps: ``000001764776400123-00000-<32 hex>``. The clock never goes
back: a new stamp is above the instance's last stamp and above every stamp it has received,
even when the laptop's clock is behind (Kulkarni et al., "Logical Physical Clocks", 2014).
The instance id breaks ties, so two instances never make equal stamps and "the higher stamp
wins" is one total order every instance agrees on.
"""

from __future__ import annotations

import re
import time
from typing import NamedTuple

_STAMP = re.compile(r"^(\d{18})-(\d{5})-([0-9a-f]{32})$")
COUNTER_MAX = 99_999


class Stamp(NamedTuple):
    wall: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall:018d}-{self.counter:05d}-{self.node}"


def parse(text: str) -> Stamp:
    found = _STAMP.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a version stamp")
    return Stamp(int(found[1]), int(found[2]), found[3])


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def tick(last: str, node: str, wall_ms: int | None = None, seen: str = "") -> str:
    """The next stamp of ``node`` after its ``last`` stamp (empty: none yet) and after
    ``seen``, the highest stamp received from elsewhere (empty: none)."""
    wall = now_ms() if wall_ms is None else wall_ms
    before = [parse(s) for s in (last, seen) if s]
    top = max(before, default=Stamp(0, 0, node))
    if wall > top.wall:
        return str(Stamp(wall, 0, node))
    if top.counter >= COUNTER_MAX:
        return str(Stamp(top.wall + 1, 0, node))
    return str(Stamp(top.wall, top.counter + 1, node))
