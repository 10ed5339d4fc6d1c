"""The sign-in backend: Django's ``ModelBackend``, reading a session's user by a fixed
statement (decision 0388). Passwords, permissions and the inactive-user rule are
``ModelBackend``'s own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from corridor.accounts.models import User
from corridor.core.fixed_reads import row_where


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        # Every signed-in request asks this; Django's get(pk=…) compiles its SQL each time.
        user = row_where(User, (("id", "="),), (user_id,))
        return user if user is not None and self.user_can_authenticate(user) else None
