"""`--as USERNAME`: the person a command acts as, for the commands that take it (import, held,
orgs import). None is the instance operator, who may do everything."""

from __future__ import annotations

from typing import Any


def acting_user(username: str | None) -> Any:
    """The active user named ``username``, or None when no name is given."""
    if not username:
        return None
    from corridor.accounts.queries import user_named
    from corridor.core.errors import InvalidInput

    user = user_named(username, active_only=True)
    if user is None:
        raise InvalidInput(f"no active user named {username!r}")
    return user
