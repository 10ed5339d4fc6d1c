"""Reads of people for the command line, where the instance operator names them (``--as``,
``corridor panic``, ``corridor signin``, ``corridor tokens``): one lookup for them all; and the
second-factor device a session names."""

from __future__ import annotations

from django.apps import apps
from django_otp.models import Device

from corridor.accounts.models import User
from corridor.core.fixed_reads import row_where


def user_named(username: str, *, active_only: bool = False) -> User | None:
    """The user with this username (only an active one with ``active_only``), or None."""
    users = User.objects.filter(username=username)
    if active_only:
        users = users.filter(is_active=True)
    return users.first()


def device_by_persistent_id(persistent_id: str) -> Device | None:
    """The second-factor device a session names (``"otp_totp.totpdevice/5"``), or None: the
    device django-otp's ``Device.from_persistent_id`` finds, read by a fixed statement
    (decision 0388): every signed-in request asks for it. Whether it is the user's and
    confirmed is for the caller to check, as there."""
    try:
        label, number = persistent_id.rsplit("/", 1)
        model = apps.get_model(label)
        device_id = int(number)
    except (ValueError, LookupError):
        return None
    if not issubclass(model, Device):
        return None
    return row_where(model, (("id", "="),), (device_id,))
