"""Signing in from tests, through the same session state the real sign-in pages leave.

Every page and API route outside /accounts/ treats a session without a passed second factor
as signed out, so ``client.force_login(user)`` alone is no longer enough. Use::

    client = signed_in_client(user)           # a fresh django.test.Client, fully signed in
    sign_in(client, user)                     # or sign in an existing client
    code = totp_code(totp_device(user))       # a code the sign-in page will accept now

For a browser test, either type the user name, password and ``totp_code(...)`` into
/accounts/login/, or copy ``signed_in_client(user).cookies`` into the browser context.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import User
from corridor.accounts.services import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, created if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    return device


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """A code the device accepts at time ``at`` (default now), skipping codes already used.

    django-otp refuses a code whose time step is not after the last one accepted, so two
    sign-ins within 30 seconds need the next step's code; the device's tolerance of one step
    accepts it. Raises if no unused code is acceptable at that time.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    step = max(totp.t(), device.last_t + 1)
    if step > totp.t() + device.tolerance:
        raise RuntimeError("no unused code is valid yet: move the clock one step on")
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user`` with a passed second factor, as the sign-in pages do."""
    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
    device = totp_device(user)
    session = client.session
    now = int(timezone.now().timestamp())
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_SIGNED_IN_AT] = now
    session[SESSION_LAST_SEEN] = now
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def signed_in_client(user: User, **client_kwargs: object) -> Client:
    """A new test client signed in as ``user`` (with a passed second factor)."""
    return sign_in(Client(**client_kwargs), user)
