import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone


class Clock:
    """A fixed clock the tests move by hand: Django's now() and django-otp's TOTP time."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    def timestamp(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock(dt.datetime(2025, 3, 1, 8, 0, 0, tzinfo=dt.UTC))
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    monkeypatch.setattr(
        "django_otp.plugins.otp_totp.models.time", SimpleNamespace(time=fixed.timestamp)
    )
    return fixed
