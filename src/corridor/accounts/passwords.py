"""Refusing passwords that attackers try first, without asking anyone on the network.

Django's CommonPasswordValidator already refuses the 20,000 passwords seen most often in
breaches. An instance can add its own list (for example a larger breached-password list, or
words its adversary is known to try) through CORRIDOR_PASSWORD_DENYLIST
(docs/decisions/0042-breached-passwords.md).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext_lazy


@lru_cache(maxsize=4)
def _denylist(path: str) -> frozenset[str]:
    try:
        lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"CORRIDOR_PASSWORD_DENYLIST: cannot read {path}: {exc.strerror}"
        ) from None
    return frozenset(line.strip().lower() for line in lines if line.strip())


class DenylistPasswordValidator:
    """Refuse a password found (ignoring case) in the instance's extra list."""

    def validate(self, password: str, user: object = None) -> None:
        path = settings.PASSWORD_DENYLIST
        if path and password.strip().lower() in _denylist(path):
            raise ValidationError(
                _("This password appears in a list of breached passwords."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password must not appear in a list of breached passwords.")


# Django's own words on the password-change page, which Django does not translate to Burmese.
# Named here so that `makemessages` keeps our Burmese for them in locale/my (it drops an entry
# it finds in no source file); nothing reads these names.
DJANGO_WORDS_TRANSLATED_HERE = (
    gettext_noop("Old password"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        12,
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        12,
    ),
)
