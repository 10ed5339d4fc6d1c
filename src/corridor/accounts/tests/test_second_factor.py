"""Moving the second factor to a new phone (/accounts/second-factor/), over HTTP."""

import base64
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import OrgRole, RecoveryCode
from corridor.audit.models import AuditEntry
from corridor.audit.services import Action
from corridor.testing.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from corridor.testing.signin import signed_in_client, totp_code, totp_device

pytestmark = pytest.mark.django_db

URL = "/accounts/second-factor/"


@pytest.fixture
def member():
    user = UserFactory()
    MembershipFactory(user=user, role=OrgRole.EDITOR)
    return user


def _start(client, user, password=TEST_PASSWORD, code=None):
    code = code if code is not None else totp_code(totp_device(user))
    return client.post(URL, {"step": "check", "password": password, "code": code})


def _new_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_a_member_moves_their_authenticator_to_a_new_phone(member):
    here = signed_in_client(member)
    elsewhere = signed_in_client(member)  # the old phone, say
    old = totp_device(member)
    assert 'href="/accounts/second-factor/"' in here.get("/accounts/password/").content.decode()

    page = _start(here, member)
    assert page.status_code == 200
    key = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    new = _new_device(member)
    assert key.replace(" ", "") == base64.b32encode(new.bin_key).decode()
    # Until the new one is confirmed, the old one still counts.
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()

    done = here.post(URL, {"step": "confirm", "code": totp_code(new)})
    assert done.status_code == 200
    html = done.content.decode()
    assert "Your new authenticator is set up" in html
    assert len(re.findall(r"<li><code>", html)) >= 8

    assert list(TOTPDevice.objects.filter(user=member).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]
    # This session goes on, bound to the new authenticator; the other one has ended.
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")
    entry = AuditEntry.objects.filter(action=Action.KEY_CHANGE, changes__totp="replaced").get()
    assert entry.changes["sessions_ended"] == 1


def test_the_old_recovery_codes_stop_working(member):
    here = signed_in_client(member)
    before = set(RecoveryCode.objects.filter(device__user=member).values_list("pk", flat=True))
    _start(here, member)
    here.post(URL, {"step": "confirm", "code": totp_code(_new_device(member))})
    after = set(RecoveryCode.objects.filter(device__user=member).values_list("pk", flat=True))
    assert after
    assert not before & after


def test_a_wrong_password_or_code_opens_nothing(member):
    client = signed_in_client(member)
    wrong_password = _start(client, member, password="not my password at all")
    assert wrong_password.status_code == 400
    assert "that password is not yours" in wrong_password.content.decode()
    wrong_code = _start(client, member, code="000000")
    assert wrong_code.status_code == 400
    assert "that code did not match" in wrong_code.content.decode()
    assert not TOTPDevice.objects.filter(user=member, confirmed=False).exists()


def test_a_wrong_code_from_the_new_phone_keeps_the_old_one(member):
    client = signed_in_client(member)
    old = totp_device(member)
    _start(client, member)
    answer = client.post(URL, {"step": "confirm", "code": "123456"})
    assert answer.status_code == 400
    assert "that code did not match" in answer.content.decode()
    assert 'id="totp-secret"' in answer.content.decode()  # the key is still there to retry
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    assert client.get("/").status_code == 200


def test_confirming_without_starting_is_refused(member):
    client = signed_in_client(member)
    answer = client.post(URL, {"step": "confirm", "code": "123456"})
    assert answer.status_code == 400
    assert "Start again" in answer.content.decode()


def test_the_page_needs_a_full_sign_in(member):
    assert Client().get(URL)["Location"].startswith("/accounts/login/")
