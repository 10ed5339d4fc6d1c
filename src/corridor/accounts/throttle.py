"""Slowing down password guessing: per account whatever the address, and per address.

From the 5th failure on one account within 15 minutes, that account refuses every attempt
for a while, doubling each time (30 s, 1 min, 2 min ... at most 15 min), from any address:
spreading guesses over many machines does not help. One address with 20 failures in
15 minutes is refused whatever account it tries. Unknown user names are counted exactly like
real ones, so the answers never tell which accounts exist (docs/decisions/0043-throttling.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from corridor.accounts.models import SignInFailure

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_FREE_FAILURES = 4
ACCOUNT_FIRST_DELAY = dt.timedelta(seconds=30)
ACCOUNT_MAX_DELAY = dt.timedelta(minutes=15)
ADDRESS_LIMIT = 20
KEEP = dt.timedelta(days=1)


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"corridor.accounts.throttle.{kind}", value).hexdigest()


def account_key(username: str) -> str:
    return _key("account", username.strip().lower())


def address_key(address: str) -> str:
    return _key("address", address)


def client_address(request: HttpRequest) -> str:
    """The client's address, from the proxy's header when one is configured."""
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        meta_name = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(meta_name, "")
        if forwarded:
            # The proxy appends the address it saw last; anything before it the client wrote.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def account_delay(failures: int) -> dt.timedelta:
    """How long an account waits after its ``failures``-th failure in the window."""
    if failures <= ACCOUNT_FREE_FAILURES:
        return dt.timedelta(0)
    doubling = min(failures - ACCOUNT_FREE_FAILURES - 1, 10)
    return min(ACCOUNT_FIRST_DELAY * 2**doubling, ACCOUNT_MAX_DELAY)


def wait_seconds(*, username: str, address: str) -> int:
    """Seconds before this account or address may try again; 0 when it may now."""
    now = timezone.now()
    since = now - WINDOW
    waits = [0.0]
    account = SignInFailure.objects.filter(account_key=account_key(username), at__gt=since)
    count = account.count()
    if count > ACCOUNT_FREE_FAILURES:
        last = account.order_by("-at").values_list("at", flat=True).first()
        waits.append((last + account_delay(count) - now).total_seconds())
    by_address = SignInFailure.objects.filter(address_key=address_key(address), at__gt=since)
    if by_address.count() >= ADDRESS_LIMIT:
        oldest = by_address.order_by("at").values_list("at", flat=True)[
            by_address.count() - ADDRESS_LIMIT
        ]
        waits.append((oldest + WINDOW - now).total_seconds())
    return max(0, int(max(waits) + 0.999))


def failure_record(*, username: str, address: str) -> None:
    now = timezone.now()
    SignInFailure.objects.filter(at__lt=now - KEEP).delete()
    SignInFailure.objects.create(
        at=now, account_key=account_key(username), address_key=address_key(address)
    )


def failures_clear(*, username: str) -> int:
    """Forget the account's failures (after a full sign-in, or when an admin unlocks it)."""
    deleted, _ = SignInFailure.objects.filter(account_key=account_key(username)).delete()
    return deleted
