"""Writes to accounts: creating users and granting roles, each audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import GlobalRole, Membership, OrgRole, User
from corridor.audit.services import Action, audit_record, snapshot
from corridor.core.errors import InvalidInput


@transaction.atomic
def user_create(
    *,
    by: Any,
    username: str,
    password: str,
    email: str = "",
    global_role: str = GlobalRole.NONE,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user after checking the password against the instance's password rules."""
    username = username.strip()
    if not username:
        raise InvalidInput("a user name is required")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"user {username!r} already exists")
    user = User(
        username=username,
        email=email,
        global_role=global_role,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("password refused: " + " ".join(exc.messages)) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    changes = snapshot(user)
    changes.pop("password", None)
    audit_record(by=by, action=Action.CREATE, obj=user, changes=changes)
    if global_role != GlobalRole.NONE or is_superuser:
        audit_record(
            by=by,
            action=Action.PERMISSION_CHANGE,
            obj=user,
            changes={"global_role": global_role, "is_superuser": is_superuser},
        )
    return user


def admin_create(*, by: Any, username: str, password: str, email: str = "") -> User:
    """The instance's first administrator: superuser, staff and network admin."""
    return user_create(
        by=by,
        username=username,
        password=password,
        email=email,
        global_role=GlobalRole.ADMIN,
        is_staff=True,
        is_superuser=True,
    )


@transaction.atomic
def membership_grant(*, by: Any, user: User, organisation: Any, role: str) -> Membership:
    """Give ``user`` a role in ``organisation`` (or change the role they have)."""
    if role not in OrgRole.values:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(OrgRole.values)}")
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    audit_record(
        by=by,
        action=Action.PERMISSION_CHANGE,
        obj=membership,
        changes={"user": str(user.pk), "organisation": str(organisation.pk), "role": role},
    )
    return membership


def _sessions_of(user: User) -> list[Any]:
    """Stored sessions signed in as ``user``.

    Django keeps no index from user to session, so this decodes every live session. A
    field instance has at most a few hundred; the cost is paid only when someone is disabled.
    """
    key = str(user.pk)
    return [
        session
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == key
    ]


@transaction.atomic
def user_disable(*, by: Any, user: User) -> int:
    """Disable ``user`` and end every session they have; returns how many were ended.

    Meant for the panic procedure as much as for someone leaving: the account can no longer
    sign in, and a session already open (on a seized phone, say) dies with the next request
    because its row is gone. ``SignInMiddleware`` also logs out an inactive user in case a
    session survives in another store.
    """
    was_active = user.is_active
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = _sessions_of(user)
    for session in sessions:
        session.delete()
    audit_record(
        by=by,
        action=Action.PERMISSION_CHANGE,
        obj=user,
        changes={"is_active": [was_active, False], "sessions_ended": len(sessions)},
    )
    return len(sessions)
