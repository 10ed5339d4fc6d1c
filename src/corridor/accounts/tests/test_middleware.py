"""Session rules on every request: idle and absolute timeouts, disabled users signed out."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from corridor.accounts.services import user_disable
from corridor.accounts.tests.test_views import code_step, password_step
from corridor.testing.factories import UserFactory
from corridor.testing.signin import signed_in_client, totp_code, totp_device

pytestmark = pytest.mark.django_db


def admin_user():
    return UserFactory(is_staff=True, is_superuser=True)


def signed_in_over_http(clock, user):
    client = Client()
    password_step(client, user.username)
    code_step(client, totp_code(totp_device(user), at=clock.timestamp()))
    assert client.get("/admin/").status_code == 200
    return client


def test_a_session_idle_for_thirty_minutes_ends(clock):
    client = signed_in_over_http(clock, admin_user())
    clock.advance(minutes=29)
    assert client.get("/admin/").status_code == 200
    clock.advance(minutes=29)  # active 29 minutes ago: still fine
    assert client.get("/admin/").status_code == 200
    clock.advance(minutes=30, seconds=30)
    assert client.get("/admin/").status_code == 302
    assert SESSION_KEY not in client.session


def test_a_session_ends_after_twelve_hours_however_active(clock):
    client = signed_in_over_http(clock, admin_user())
    for _ in range(35):  # 35 x 20 min = 11 h 40 min
        clock.advance(minutes=20)
        assert client.get("/admin/").status_code == 200
    clock.advance(minutes=20, seconds=1)
    assert client.get("/admin/").status_code == 302


def test_disabling_a_user_ends_their_open_sessions(clock):
    target = admin_user()
    phone, laptop = signed_in_over_http(clock, target), signed_in_client(target)
    admin = signed_in_client(admin_user())

    user_disable(by=None, user=target)

    assert phone.get("/admin/").status_code == 302
    assert laptop.get("/admin/").status_code == 302
    assert admin.get("/admin/").status_code == 200


def test_an_inactive_user_is_signed_out_at_the_next_request(clock):
    target = admin_user()
    client = signed_in_client(target)
    # Set directly, as a database edit would: no session is deleted.
    type(target).objects.filter(pk=target.pk).update(is_active=False)
    key = client.session.session_key
    assert client.get("/admin/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_made_without_the_sign_in_pages_is_not_trusted(clock):
    client = Client()
    client.force_login(admin_user())
    assert client.get("/admin/").status_code == 302
    assert SESSION_KEY not in client.session
