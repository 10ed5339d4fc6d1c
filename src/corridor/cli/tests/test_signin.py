"""`corridor signin unlock|reset-2fa` through the real entry point and in-process."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import throttle
from corridor.accounts.models import RecoveryDevice, SignInFailure
from corridor.accounts.services import recovery_codes_issue
from corridor.cli.main import main
from corridor.testing.factories import UserFactory
from corridor.testing.signin import signed_in_client, totp_device

PASSWORD = "a long admin passphrase 7"


@pytest.mark.django_db
def test_unlock_forgets_the_failures_of_that_account_only(capsys):
    user, other = UserFactory(), UserFactory()
    for name in (user.username, user.username, other.username):
        throttle.failure_record(username=name, address="192.0.2.1")

    assert main(["signin", "unlock", user.username]) == 0

    assert "unlocked (2 recent failures forgotten)" in capsys.readouterr().out
    assert SignInFailure.objects.count() == 1


@pytest.mark.django_db
def test_reset_2fa_removes_the_authenticator_and_ends_sessions(capsys):
    user = UserFactory(is_staff=True, is_superuser=True)
    totp_device(user)
    recovery_codes_issue(by=None, user=user)
    client = signed_in_client(user)

    assert main(["signin", "reset-2fa", user.username]) == 0

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryDevice.objects.filter(user=user).exists()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_an_unknown_user_is_one_line_error(capsys):
    assert main(["signin", "unlock", "nobody"]) == 1
    assert capsys.readouterr().err.strip() == "corridor signin: error: no user named 'nobody'"


def test_unlock_through_the_real_entry_point(cli_instance):
    created = cli_instance.init_copied(
        "--no-input",
        "--admin-username",
        "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD},
    )
    assert created.returncode == 0, created.stderr
    result = cli_instance.run("signin", "unlock", "admin")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "admin: unlocked (0 recent failures forgotten)"
