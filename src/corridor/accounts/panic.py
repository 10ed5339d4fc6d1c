"""Panic: shut a user out at once, when their phone or laptop is seized or they are arrested.

``user_panic`` is a write service like those in services.py (kept in its own module because
services.py, the sign-in steps, is at its size limit). It does in one transaction what an
administrator must otherwise remember to do one by one:

- disable the account (it can no longer sign in; pages and API refuse it at once);
- end every session it has, on every device: a browser left signed in on a seized phone dies
  with its next request;
- make the password unusable, so re-enabling the account needs a new password set by an
  administrator (the old one may be saved in the seized browser);
- remove the authenticator and the recovery codes (the authenticator app is on the phone);
- revoke every API token it has (a script on the seized laptop may hold one);
- audit all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from corridor.accounts import policy
from corridor.accounts.models import User
from corridor.accounts.services import second_factor_reset, user_disable
from corridor.accounts.tokens import token_revoke_all
from corridor.audit.services import Action, audit_record


@dataclass(frozen=True)
class PanicResult:
    username: str
    sessions_ended: int
    devices_removed: int
    tokens_revoked: int


def user_panic(*, by: Any, user: User) -> PanicResult:
    """Disable ``user``, end all their sessions, revoke their credentials and tokens; audited.

    ``by`` None is the system (the ``corridor panic`` command, run by whoever holds the server);
    a person must be allowed to administer the whole network.
    """
    if by is not None:
        policy.require(by, policy.ADMINISTER, user)
    with transaction.atomic():
        sessions = user_disable(by=by, user=user)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        devices = second_factor_reset(by=by, user=user)
        tokens = token_revoke_all(by=by, user=user, reason="panic")
        audit_record(
            by=by,
            action=Action.PERMISSION_CHANGE,
            obj=user,
            changes={
                "panic": True,
                "sessions_ended": sessions,
                "devices_removed": devices,
                "password": "made unusable",
                "api_tokens_revoked": tokens,
            },
        )
    return PanicResult(user.get_username(), sessions, devices, tokens)
