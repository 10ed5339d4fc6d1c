"""Which gate steps an output being built has passed (read by ``outputs.shared_output``).

Kept apart, with no imports of its own, so that the gate functions in ``tables`` and ``records``
can note their use without importing the register.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The gate steps taken inside the innermost shared output being built (None: not inside one).
_steps: ContextVar[list[str] | None] = ContextVar("corridor_disclosure_steps", default=None)


def gate_passed(step: str) -> None:
    """Note that the output being built passed through a gate step (called by the gate itself)."""
    steps = _steps.get()
    if steps is not None:
        steps.append(step)


@contextmanager
def tracking() -> Iterator[list[str]]:
    """Collect the gate steps taken while the block runs."""
    steps: list[str] = []
    token = _steps.set(steps)
    try:
        yield steps
    finally:
        _steps.reset(token)
