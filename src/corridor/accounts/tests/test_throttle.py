"""Password guessing slows down per account (from any address) and per address."""

import pytest
from django.test import Client

from corridor.accounts import throttle
from corridor.accounts.models import SignInFailure
from corridor.accounts.tests.test_views import code_step, password_step, visible_text
from corridor.audit.models import AuditEntry
from corridor.audit.services import Action
from corridor.testing.factories import UserFactory
from corridor.testing.signin import totp_code, totp_device

pytestmark = pytest.mark.django_db


def test_from_the_fifth_failure_the_account_waits_whatever_the_address(clock):
    user = UserFactory()
    for attempt in range(4):
        response = password_step(Client(), user.username, "wrong guess", f"198.51.100.{attempt}")
        assert response.status_code == 200
    # The 5th failure starts the back-off: answered with a wait, from yet another address.
    assert password_step(Client(), user.username, "wrong", "198.51.100.9").status_code == 429
    # Even the right password is refused during the wait, from a fresh address.
    response = password_step(Client(), user.username, address="203.0.113.7")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()

    clock.advance(seconds=31)
    response = password_step(Client(), user.username, address="203.0.113.7")
    assert response.status_code == 302


def test_the_wait_doubles_with_each_further_failure(clock):
    user = UserFactory()
    for _ in range(5):
        password_step(Client(), user.username, "wrong")
    clock.advance(seconds=31)
    password_step(Client(), user.username, "wrong")  # 6th: now 60 s
    clock.advance(seconds=45)
    assert password_step(Client(), user.username).status_code == 429
    clock.advance(seconds=20)
    assert password_step(Client(), user.username).status_code == 302
    assert [throttle.account_delay(n).total_seconds() for n in (4, 5, 6, 7, 20)] == [
        0,
        30,
        60,
        120,
        900,
    ]


def test_failures_older_than_fifteen_minutes_no_longer_count(clock):
    user = UserFactory()
    for _ in range(4):
        password_step(Client(), user.username, "wrong")
    clock.advance(minutes=16)
    assert password_step(Client(), user.username, "wrong").status_code == 200
    assert password_step(Client(), user.username).status_code == 302


def test_one_address_is_limited_across_accounts(clock):
    for n in range(throttle.ADDRESS_LIMIT):
        password_step(Client(), f"guess{n}", "wrong", address="198.51.100.66")
    user = UserFactory()
    assert password_step(Client(), user.username, address="198.51.100.66").status_code == 429
    assert password_step(Client(), user.username, address="198.51.100.67").status_code == 302
    clock.advance(minutes=15, seconds=1)
    assert password_step(Client(), user.username, address="198.51.100.66").status_code == 302


def test_a_throttled_unknown_name_looks_like_a_throttled_real_one(clock):
    user = UserFactory()
    for name in (user.username, "no-such-person"):
        for _ in range(5):
            password_step(Client(), name, "wrong", address="192.0.2.50")
        clock.advance(minutes=20)  # let the address limit rest between the two
    known = password_step(Client(), user.username, "wrong", address="192.0.2.51")
    unknown = password_step(Client(), "no-such-person", "wrong", address="192.0.2.52")
    assert known.status_code == unknown.status_code == 200
    for _ in range(4):
        known = password_step(Client(), user.username, "wrong", address="192.0.2.51")
        unknown = password_step(Client(), "no-such-person", "wrong", address="192.0.2.52")
    assert known.status_code == unknown.status_code == 429
    assert visible_text(known).replace(user.username, "N") == visible_text(unknown).replace(
        "no-such-person", "N"
    )


def test_wrong_codes_count_against_the_account_too(clock):
    user = UserFactory()
    device = totp_device(user)
    client = Client()
    password_step(client, user.username)
    for _ in range(5):
        clock.advance(seconds=40)  # past django-otp's own per-device delay
        code_step(client, "000000")
    clock.advance(seconds=1)
    response = code_step(client, totp_code(device, at=clock.timestamp()))
    assert response.status_code == 429
    reasons = [e.changes["reason"] for e in AuditEntry.objects.filter(action=Action.SIGN_IN_FAILED)]
    assert reasons == ["wrong"] * 5 + ["throttled"]


def test_a_full_sign_in_clears_the_account_failures(clock):
    user = UserFactory()
    device = totp_device(user)
    for _ in range(4):
        password_step(Client(), user.username, "wrong")
    client = Client()
    password_step(client, user.username)
    assert code_step(client, totp_code(device, at=clock.timestamp())).status_code == 302
    assert password_step(Client(), user.username, "wrong").status_code == 200
    assert password_step(Client(), user.username, "wrong").status_code == 200


def test_the_client_address_comes_from_the_proxy_header_only_when_configured(settings, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert throttle.client_address(request) == "10.0.0.1"
    settings.CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    assert throttle.client_address(request) == "203.0.113.5"


def test_failures_store_no_user_name_or_address(clock):
    password_step(Client(), "someone-typed-this", "wrong", address="198.51.100.200")
    row = SignInFailure.objects.get()
    assert "someone" not in row.account_key
    assert "198.51" not in row.address_key
    assert row.account_key == throttle.account_key("Someone-Typed-This ")
