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
