"""Session rules that hold on every request (docs/security/sign-in.md).

- A session idle for 30 minutes, or older than 12 hours, ends.
- A session whose user was disabled or deleted ends.
- Until the second factor is passed, the user counts as signed out everywhere except the
  sign-in pages under /accounts/: the admin, pages and API see an anonymous visitor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from corridor.accounts.queries import device_by_persistent_id
from corridor.accounts.services import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT, session_verified

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
# Writing the session on every request costs a database write; a minute's slack does not matter.
LAST_SEEN_RESOLUTION = 60
SIGN_IN_PREFIX = "/accounts/"


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


async def _anonymous_async() -> AnonymousUser:
    return AnonymousUser()


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's ``OTPMiddleware`` (``user.otp_device``, ``user.is_verified()``), with the
    session's device read by a fixed statement (decision 0388). Whether the device is the
    user's and confirmed is still checked by ``OTPMiddleware._finalize_device``."""

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        return device_by_persistent_id(self._normalize_persistent_id(persistent_id))


class SignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self._apply(request)
        return self.get_response(request)

    def _apply(self, request: HttpRequest) -> None:
        user = request.user
        if not user.is_authenticated:
            if SESSION_KEY in request.session:
                # Disabled or deleted since signing in: drop what the session still holds.
                request.session.flush()
            return
        now = int(timezone.now().timestamp())
        signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
        last_seen = request.session.get(SESSION_LAST_SEEN)
        if (
            signed_in_at is None
            or last_seen is None
            or now - signed_in_at > ABSOLUTE_TIMEOUT.total_seconds()
            or now - last_seen > IDLE_TIMEOUT.total_seconds()
        ):
            logout(request)
            return
        if now - last_seen >= LAST_SEEN_RESOLUTION:
            request.session[SESSION_LAST_SEEN] = now
        if not request.path.startswith(SIGN_IN_PREFIX) and not session_verified(request):
            request.user = _anonymous()
            request.auser = _anonymous_async
