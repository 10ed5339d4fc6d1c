"""Panic: the service, the admin action, and `corridor panic` in-process and for real."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import GlobalRole, RecoveryDevice, User
from corridor.accounts.panic import user_panic
from corridor.accounts.services import recovery_codes_issue
from corridor.audit.models import AuditEntry
from corridor.audit.services import audit_verify
from corridor.cli.main import main
from corridor.core.errors import NotAllowed
from corridor.testing.factories import MembershipFactory, UserFactory
from corridor.testing.signin import signed_in_client, totp_device

PASSWORD = "a long admin passphrase 7"


@pytest.fixture
def victim(db):
    user = UserFactory()
    MembershipFactory(user=user)
    totp_device(user)
    recovery_codes_issue(by=None, user=user)
    return user


def test_panic_shuts_every_door(victim):
    phone, laptop = signed_in_client(victim), signed_in_client(victim)
    assert phone.get("/api/aid/activities/").status_code == 200

    result = user_panic(by=None, user=victim)

    assert result.sessions_ended == 2
    victim.refresh_from_db()
    assert not victim.is_active
    assert not victim.has_usable_password()
    assert not TOTPDevice.objects.filter(user=victim).exists()
    assert not RecoveryDevice.objects.filter(user=victim).exists()
    for client in (phone, laptop):
        assert client.get("/api/aid/activities/").status_code == 401
        assert client.get("/").status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(victim.pk), changes__panic=True).get()
    assert entry.changes["sessions_ended"] == 2
    assert audit_verify().ok


def test_only_network_admins_may_panic_someone(victim):
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    with pytest.raises(NotAllowed):
        user_panic(by=coordinator, user=victim)
    victim.refresh_from_db()
    assert victim.is_active
    assert AuditEntry.objects.filter(action="denied", object_id=str(victim.pk)).exists()


def test_admin_action(victim):
    admin = UserFactory(global_role=GlobalRole.ADMIN, is_staff=True, is_superuser=True)
    phone = signed_in_client(victim)
    answer = signed_in_client(admin).post(
        "/admin/accounts/user/",
        {"action": "panic", "_selected_action": [str(victim.pk)]},
        follow=True,
    )
    assert answer.status_code == 200
    assert "disabled, 1 session(s) ended" in answer.content.decode()
    assert not User.objects.get(pk=victim.pk).is_active
    assert phone.get("/api/aid/activities/").status_code == 401


def test_cli_in_process(victim, capsys):
    assert main(["panic", victim.username]) == 0
    assert f"{victim.username}: disabled; 0 session(s) ended" in capsys.readouterr().out
    assert not User.objects.get(pk=victim.pk).is_active
    assert main(["panic", "nobody"]) == 1
    assert capsys.readouterr().err.strip() == "corridor panic: error: no user named 'nobody'"


def test_cli_through_the_real_entry_point(cli_instance):
    created = cli_instance.init_copied(
        "--no-input",
        "--admin-username",
        "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD},
    )
    assert created.returncode == 0, created.stderr
    result = cli_instance.run("panic", "admin")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("admin: disabled; 0 session(s) ended; password made unusable")
