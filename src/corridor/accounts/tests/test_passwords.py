"""Password rules: long enough, not common, not in the instance's breached list."""

import pytest

from corridor.accounts.services import user_create
from corridor.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt-pass!", "at least 12 characters"),
        ("password1234", "too common"),
        ("qwerty123456", "too common"),
        ("839201746352", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(InvalidInput, match=reason):
        user_create(by=None, username="field-worker", password=password)


def test_passwords_in_the_instance_denylist_are_refused(settings, tmp_path):
    denylist = tmp_path / "breached.txt"
    denylist.write_text("Monsoon Season 2021\nanother one here\n", encoding="utf-8")
    settings.PASSWORD_DENYLIST = str(denylist)
    with pytest.raises(InvalidInput, match="breached"):
        user_create(by=None, username="field-worker", password="monsoon season 2021")
    user = user_create(by=None, username="field-worker", password="river crossing at dawn 7")
    assert user.check_password("river crossing at dawn 7")


@pytest.mark.real_hasher
def test_a_long_uncommon_passphrase_is_accepted_and_stored_with_argon2():
    user = user_create(by=None, username="field-worker", password="teak boats drift north")
    assert user.password.startswith("argon2$")
