"""Reads of people for the command line, where the instance operator names them (``--as``,
``corridor panic``, ``corridor signin``, ``corridor tokens``): one lookup for them all."""

from __future__ import annotations

from corridor.accounts.models import User


def user_named(username: str, *, active_only: bool = False) -> User | None:
    """The user with this username (only an active one with ``active_only``), or None."""
    users = User.objects.filter(username=username)
    if active_only:
        users = users.filter(is_active=True)
    return users.first()
