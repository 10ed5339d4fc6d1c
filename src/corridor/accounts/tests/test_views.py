"""The sign-in pages over HTTP, as a browser without JavaScript uses them."""

import re

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import OrgRole, RecoveryCode
from corridor.accounts.services import recovery_codes_issue
from corridor.audit.models import AuditEntry
from corridor.audit.services import Action
from corridor.testing.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from corridor.testing.signin import signed_in_client, totp_code, totp_device

pytestmark = pytest.mark.django_db

LOGIN, VERIFY, ENROL = "/accounts/login/", "/accounts/verify/", "/accounts/enrol/"


def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def password_step(client, username, password=TEST_PASSWORD, address="192.0.2.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def code_step(client, code, address="192.0.2.1"):
    return client.post(VERIFY, {"code": code}, REMOTE_ADDR=address)


def visible_text(response):
    """The page without its per-request CSRF token, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_password_then_code_signs_in_and_audits(clock):
    user = staff()
    device = totp_device(user)
    client = Client()

    response = password_step(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    # Half signed in: the admin still sees an anonymous visitor.
    assert client.get("/admin/").status_code == 302

    response = code_step(client, totp_code(device, at=clock.timestamp()))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    entry = AuditEntry.objects.filter(action=Action.SIGN_IN).get()
    assert entry.object_id == str(user.pk)
    assert entry.changes == {"method": "totp"}
    everything = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    assert TEST_PASSWORD not in everything


def test_next_parameter_brings_the_user_back_but_never_off_site(clock):
    user = staff()
    device = totp_device(user)
    client = Client()
    client.get(LOGIN + "?next=/admin/accounts/user/")
    password_step(client, user.username)
    response = code_step(client, totp_code(device, at=clock.timestamp()))
    assert response["Location"] == "/admin/accounts/user/"

    other = Client()
    other.get(LOGIN + "?next=https://evil.example/")
    password_step(other, user.username)
    clock.advance(seconds=60)
    response = code_step(other, totp_code(device, at=clock.timestamp()))
    assert response["Location"] == "/"


@pytest.mark.real_hasher
def test_wrong_password_and_unknown_user_get_the_same_answer_and_work(clock, monkeypatch):
    user = UserFactory()
    hashed = []
    real_verify, real_encode = Argon2PasswordHasher.verify, Argon2PasswordHasher.encode

    def spy_verify(self, password, encoded):
        hashed.append("verify")
        return real_verify(self, password, encoded)

    def spy_encode(self, password, salt):
        hashed.append("encode")
        return real_encode(self, password, salt)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", spy_verify)
    monkeypatch.setattr(Argon2PasswordHasher, "encode", spy_encode)

    known = password_step(Client(), user.username, "not the password at all")
    known_hashes = len(hashed)
    unknown = password_step(Client(), "nobody-by-this-name", "not the password at all")

    assert known.status_code == unknown.status_code == 200
    assert visible_text(known).replace(user.username, "NAME") == visible_text(unknown).replace(
        "nobody-by-this-name", "NAME"
    )
    assert "do not match" in visible_text(known)
    # The password hasher ran for both, so the time taken does not tell them apart.
    assert known_hashes >= 1
    assert len(hashed) - known_hashes >= 1
    failures = AuditEntry.objects.filter(action=Action.SIGN_IN_FAILED).order_by("seq")
    assert [e.object_id for e in failures] == [str(user.pk), ""]


def test_disabled_user_with_the_right_password_gets_the_same_refusal(clock):
    user = UserFactory(is_active=False)
    response = password_step(Client(), user.username)
    assert response.status_code == 200
    assert "do not match" in visible_text(response)


def test_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes_once(clock):
    user = staff()
    client = Client()
    response = password_step(client, user.username)
    assert response["Location"] == ENROL

    page = client.get(ENROL)
    text = page.content.decode()
    assert page.status_code == 200
    uri = re.search(r'id="totp-uri">(otpauth://totp/[^<]+)<', text).group(1)
    assert "issuer=Corridor" in uri
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', text).group(1).replace(" ", "")
    assert f"secret={secret}" in uri
    # A reload shows the same secret, not a new one the app does not know.
    assert secret in client.get(ENROL).content.decode()

    assert client.post(ENROL, {"code": "000000"}).status_code == 400
    assert client.get("/admin/").status_code == 302
    # django-otp makes the device wait a second after a wrong code.
    clock.advance(seconds=2)

    response = client.post(ENROL, {"code": totp_code(device, at=clock.timestamp())})
    assert response.status_code == 200
    codes = re.findall(
        r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", response.content.decode()
    )
    assert len(codes) == 10
    stored = list(RecoveryCode.objects.filter(device__user=user).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200

    # Enrolled: the enrolment page no longer offers a new secret to whoever has the password.
    intruder = Client()
    password_step(intruder, user.username)
    assert intruder.get(ENROL)["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_replayed_code_is_refused(clock):
    user = staff()
    device = totp_device(user)
    first = Client()
    password_step(first, user.username)
    code = totp_code(device, at=clock.timestamp())
    assert code_step(first, code).status_code == 302

    second = Client()
    password_step(second, user.username)
    response = code_step(second, code)
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert second.get("/admin/").status_code == 302

    clock.advance(seconds=30)
    assert code_step(second, totp_code(device, at=clock.timestamp())).status_code == 302
    assert second.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(clock):
    user = staff()
    totp_device(user)
    codes = recovery_codes_issue(by=user, user=user)
    first = Client()
    password_step(first, user.username)
    assert code_step(first, codes[3].upper().replace("-", " ")).status_code == 302
    assert first.get("/admin/").status_code == 200
    entry = AuditEntry.objects.filter(action=Action.SIGN_IN).get()
    assert entry.changes == {"method": "recovery_code"}

    clock.advance(seconds=5)
    second = Client()
    password_step(second, user.username)
    assert code_step(second, codes[3]).status_code == 200
    assert second.get("/admin/").status_code == 302
    clock.advance(seconds=5)
    assert code_step(second, codes[4]).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(clock):
    user = staff()
    old = recovery_codes_issue(by=user, user=user)
    client = signed_in_client(user)
    assert client.get("/accounts/recovery-codes/").status_code == 200
    response = client.post("/accounts/recovery-codes/")
    new = re.findall(r"<code>([a-z2-7-]{19})</code>", response.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    digests = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert RecoveryCode.digest_of(old[0]) not in digests
    assert RecoveryCode.digest_of(new[0]) in digests


def test_session_key_changes_at_each_sign_in_step(clock):
    user = staff()
    device = totp_device(user)
    client = Client()
    client.get(LOGIN + "?next=/admin/")
    before = client.session.session_key
    password_step(client, user.username)
    after_password = client.session.session_key
    code_step(client, totp_code(device, at=clock.timestamp()))
    after_code = client.session.session_key
    assert len({before, after_password, after_code}) == 3


def test_logout_is_a_post_and_ends_the_session(clock):
    user = staff()
    client = signed_in_client(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/admin/").status_code == 200
    assert client.post("/accounts/logout/")["Location"] == LOGIN
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_leads_to_the_two_step_sign_in(clock):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=%2Fadmin%2F"
    # force_login alone (a password, no second factor) does not open the admin.
    client = Client()
    client.force_login(staff())
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_forms_refuse_posts_without_a_csrf_token(clock):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "x", "password": "y"})
    assert response.status_code == 403


@override_settings(TWO_FACTOR_OPTIONAL_FOR_VIEWERS=True)
def test_an_instance_may_waive_the_second_factor_for_viewers_only(clock):
    viewer = MembershipFactory(role=OrgRole.VIEWER).user
    client = Client()
    response = password_step(client, viewer.username)
    assert response["Location"] == "/"
    assert client.get("/accounts/recovery-codes/").status_code == 200
    entry = AuditEntry.objects.filter(action=Action.SIGN_IN).get()
    assert entry.changes == {"method": "password_only"}

    editor = MembershipFactory(role=OrgRole.EDITOR).user
    assert password_step(Client(), editor.username)["Location"] == ENROL
    assert password_step(Client(), staff().username)["Location"] == ENROL

    # Promoted after signing in: the waiver no longer covers the open session.
    MembershipFactory(user=viewer, role=OrgRole.EDITOR)
    assert client.get("/accounts/recovery-codes/").status_code == 302


def test_without_the_setting_viewers_need_a_second_factor_too(clock):
    viewer = MembershipFactory(role=OrgRole.VIEWER).user
    assert password_step(Client(), viewer.username)["Location"] == ENROL


# --- Changing your own password ----------------------------------------------------------------

PASSWORD = "/accounts/password/"
NEW_PASSWORD = "lantern-monsoon-ferry-41"


def _change(client, old, new, again=None):
    return client.post(
        PASSWORD,
        {"old_password": old, "new_password1": new, "new_password2": again or new},
        REMOTE_ADDR="192.0.2.9",
    )


def test_any_member_changes_their_password_and_other_sessions_end():
    user = UserFactory()  # not staff: a plain viewer of one organisation
    MembershipFactory(user=user, role=OrgRole.VIEWER)
    here = signed_in_client(user)
    elsewhere = signed_in_client(user)  # say, the phone that was taken
    assert 'href="/accounts/password/"' in here.get("/").content.decode()
    assert here.get(PASSWORD).status_code == 200

    response = _change(here, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = here.get("/").content.decode()
    assert "Your password is changed." in page
    assert "You were signed out everywhere else." in page
    assert here.get(PASSWORD).status_code == 200  # this session goes on
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(TEST_PASSWORD)
    entry = AuditEntry.objects.filter(action=Action.KEY_CHANGE).get()
    assert (entry.object_id, str(entry.actor_id)) == (str(user.pk), str(user.pk))
    assert entry.changes == {"password": "changed", "sessions_ended": 1}
    everything = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    assert NEW_PASSWORD not in everything
    assert TEST_PASSWORD not in everything


def test_password_change_refuses_a_wrong_old_password_and_a_weak_new_one():
    user = UserFactory()
    client = signed_in_client(user)

    response = _change(client, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    failed = AuditEntry.objects.filter(action=Action.SIGN_IN_FAILED).get()
    assert failed.object_id == str(user.pk)

    for weak, why in (
        ("short", "too short"),
        ("123456789012345", "entirely numeric"),
        (NEW_PASSWORD, "didn’t match"),
    ):
        again = NEW_PASSWORD + "x" if weak == NEW_PASSWORD else None
        response = _change(client, TEST_PASSWORD, weak, again)
        assert response.status_code == 200
        assert why in response.content.decode(), why

    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert not AuditEntry.objects.filter(action=Action.KEY_CHANGE).exists()


def test_guessing_the_old_password_is_throttled_like_signing_in():
    user = UserFactory()
    client = signed_in_client(user)
    statuses = [_change(client, f"guess-{n}", NEW_PASSWORD).status_code for n in range(12)]
    assert statuses[-1] == 429
    # Even the right old password waits now.
    response = _change(client, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 429
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_page_needs_a_full_sign_in():
    user = UserFactory()
    totp_device(user)
    assert Client().get(PASSWORD)["Location"].startswith(LOGIN)
    half = Client()
    password_step(half, user.username)
    response = half.get(PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    # The half-signed-in code page offers signing out but no password change.
    page = half.get(VERIFY).content.decode()
    assert 'action="/accounts/logout/"' in page
    assert 'href="/accounts/password/"' not in page
