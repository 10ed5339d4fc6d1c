"""Writes to accounts: users, roles, disabling, and the steps of signing in; each audited."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import policy, throttle
from corridor.accounts.models import (
    GlobalRole,
    OrgRole,
    RecoveryCode,
    RecoveryDevice,
    User,
)
from corridor.accounts.queries import device_by_persistent_id
from corridor.audit.services import Action, audit_record, snapshot
from corridor.core.errors import InvalidInput, NotAllowed


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
    # The snapshot holds the password only as "set" (corridor.audit.protected).
    audit_record(by=by, action=Action.CREATE, obj=user, changes=snapshot(user))
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


def _sessions_end(user: User, *, keep: str | None = None) -> int:
    """Delete every stored session of ``user`` but the one keyed ``keep``; returns how many."""
    sessions = [s for s in _sessions_of(user) if s.session_key != keep]
    for session in sessions:
        session.delete()
    return len(sessions)


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
    ended = _sessions_end(user)
    audit_record(
        by=by,
        action=Action.PERMISSION_CHANGE,
        obj=user,
        changes={"is_active": [was_active, False], "sessions_ended": ended},
    )
    return ended


@transaction.atomic
def password_change(*, by: Any, user: User, password: str, keep_session: str | None = None) -> int:
    """Give ``user`` a new password and end their other sessions; returns how many were ended.

    People change their own password; changing someone else's is administering them. The new
    password meets the instance's password rules. A session left open on a lost or seized
    device ends here, its row deleted, not only when its stale password hash is next noticed;
    ``keep_session`` (the session key of the request making the change) stays.
    """
    if by is None or by.pk != user.pk:
        policy.require(by, policy.ADMINISTER, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("password refused: " + " ".join(exc.messages)) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = _sessions_end(user, keep=keep_session)
    audit_record(
        by=by,
        action=Action.KEY_CHANGE,
        obj=user,
        changes={"password": "changed", "sessions_ended": ended},
    )
    return ended


# --- Sign-in (docs/security/sign-in.md) -------------------------------------------------------

SESSION_SIGNED_IN_AT = "corridor_signed_in_at"
SESSION_LAST_SEEN = "corridor_last_seen"
SESSION_WAIVED = "corridor_2fa_waived"
RECOVERY_CODE_COUNT = 10


@dataclass(frozen=True)
class Attempt:
    """What a sign-in step decided: the user (or device) on success, else a wait in seconds."""

    user: User | None = None
    device: Device | None = None
    wait: int = 0


def second_factor_required(user: User) -> bool:
    """Every account needs a second factor, unless the instance waives it for pure viewers."""
    if not settings.TWO_FACTOR_OPTIONAL_FOR_VIEWERS:
        return True
    if user.is_staff or user.is_superuser or user.global_role != GlobalRole.NONE:
        return True
    return user.memberships.exclude(role=OrgRole.VIEWER).exists()


def second_factor_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _failure(*, user: User | None, username: str, address: str, step: str, reason: str) -> None:
    with transaction.atomic():
        if reason != "throttled":
            throttle.failure_record(username=username, address=address)
        changes = {"step": step, "reason": reason}
        if user is None:
            audit_record(
                by=None,
                action=Action.SIGN_IN_FAILED,
                object_type="accounts.user",
                changes={**changes, "account": "unknown"},
            )
        else:
            audit_record(by=None, action=Action.SIGN_IN_FAILED, obj=user, changes=changes)


def password_check(request: HttpRequest, *, username: str, password: str) -> Attempt:
    """First step: the password. Unknown and known names get the same answer and work."""
    address = throttle.client_address(request)
    wait = throttle.wait_seconds(username=username, address=address)
    known = User.objects.filter(username=username).first()
    if wait:
        _failure(
            user=known, username=username, address=address, step="password", reason="throttled"
        )
        return Attempt(wait=wait)
    # ModelBackend (UserBackend's base) hashes the password even for an unknown name, so
    # timing tells nothing.
    user = authenticate(request, username=username, password=password)
    if user is None:
        _failure(user=known, username=username, address=address, step="password", reason="wrong")
        return Attempt(wait=throttle.wait_seconds(username=username, address=address))
    return Attempt(user=user)


def second_factor_check(request: HttpRequest, *, user: User, code: str) -> Attempt:
    """Second step: a code from the authenticator app, or one recovery code."""
    address = throttle.client_address(request)
    username = user.get_username()
    wait = throttle.wait_seconds(username=username, address=address)
    if wait:
        _failure(user=user, username=username, address=address, step="code", reason="throttled")
        return Attempt(wait=wait)
    code = code.strip().replace(" ", "")
    model = TOTPDevice if code.isdigit() and len(code) <= 8 else RecoveryDevice
    for device in model.objects.filter(user=user, confirmed=True):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return Attempt(user=user, device=verified)
    _failure(user=user, username=username, address=address, step="code", reason="wrong")
    return Attempt(wait=throttle.wait_seconds(username=username, address=address))


def session_start(request: HttpRequest, *, user: User) -> None:
    """After the password: a new session key, and the clock for the absolute timeout."""
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    now = int(timezone.now().timestamp())
    request.session[SESSION_SIGNED_IN_AT] = now
    request.session[SESSION_LAST_SEEN] = now


@transaction.atomic
def sign_in_complete(request: HttpRequest, *, user: User, device: Device | None) -> None:
    """Both steps passed (or the second is waived): mark the session and audit the sign-in."""
    if device is not None:
        otp_login(request, device)
        method = "recovery_code" if isinstance(device, RecoveryDevice) else "totp"
    else:
        if second_factor_required(user):
            raise NotAllowed("this account needs a second factor")
        request.session[SESSION_WAIVED] = True
        method = "password_only"
    # A fresh key again: the half-signed-in key may have been seen before this point.
    request.session.cycle_key()
    throttle.failures_clear(username=user.get_username())
    audit_record(by=user, action=Action.SIGN_IN, obj=user, changes={"method": method})


def session_verified(request: HttpRequest) -> bool:
    """The session passed the second factor, or the instance waives it for this user."""
    user = request.user
    if not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None:
        if is_verified():
            return True
    else:
        # Signed in during this request: OTPMiddleware has not decorated this user object.
        device_id = request.session.get(DEVICE_ID_SESSION_KEY)
        device = device_by_persistent_id(device_id) if device_id else None
        if device is not None and device.user_id == user.pk and device.confirmed:
            return True
    return bool(request.session.get(SESSION_WAIVED)) and not second_factor_required(user)


def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator: the unfinished one, or a new one.

    Reusing it means a reload shows the secret already added to the app, not a new one.
    """
    if second_factor_enrolled(user):
        raise NotAllowed("this account already has an authenticator")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_enrol_confirm(request: HttpRequest, *, user: User, device_id: Any, code: str) -> list[str]:
    """Confirm the authenticator with a code from it; returns the new recovery codes."""
    return _totp_confirm(request, user=user, device_id=device_id, code=code, replacing=False)


def totp_replace_start(request: HttpRequest, *, user: User, password: str, code: str) -> TOTPDevice:
    """Moving to a new phone: the password and a code from the current authenticator (or a
    recovery code) open a new, unconfirmed authenticator. The old one keeps working until the
    new one is confirmed (``totp_replace_confirm``), so a slip halfway locks nobody out."""
    checked = password_check(request, username=user.get_username(), password=password)
    if checked.user is None or checked.user.pk != user.pk:
        raise InvalidInput(
            _wait_text(checked.wait) if checked.wait else "that password is not yours"
        )
    attempt = second_factor_check(request, user=user, code=code)
    if attempt.device is None:
        raise InvalidInput(_wait_text(attempt.wait) if attempt.wait else "that code did not match")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="new authenticator", confirmed=False)


def _wait_text(wait: int) -> str:
    return f"too many failed attempts: wait {max(1, (wait + 59) // 60)} minute(s) and try again"


def totp_device_pending(*, user: User, device_id: Any) -> TOTPDevice | None:
    """The new authenticator ``user`` is setting up, if ``device_id`` names one."""
    if not device_id:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()


def totp_replace_confirm(
    request: HttpRequest, *, user: User, device_id: Any, code: str
) -> list[str]:
    """A code from the new authenticator confirms it: the old ones stop working, recovery
    codes are issued anew, and every other session of the person ends (the old phone may be
    the one that was lost or taken). Returns the new recovery codes."""
    return _totp_confirm(request, user=user, device_id=device_id, code=code, replacing=True)


def _totp_confirm(
    request: HttpRequest, *, user: User, device_id: Any, code: str, replacing: bool
) -> list[str]:
    """Confirm the unconfirmed authenticator ``device_id`` with a code from it, the first one
    (enrolling) or one that replaces the others (``replacing``), throttled like a sign-in;
    issue new recovery codes and bind this session to it. Returns the recovery codes."""
    address = throttle.client_address(request)
    username = user.get_username()
    if throttle.wait_seconds(username=username, address=address):
        raise NotAllowed("too many wrong codes: wait a few minutes and try again")
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False, pk=device_id)
            .first()
        )
        if device is None:
            raise NotAllowed("start the change again" if replacing else "start the enrolment again")
        if not replacing and second_factor_enrolled(user):
            raise NotAllowed("start the enrolment again")
        ok = device.verify_token(code.strip().replace(" ", ""))
        if ok:
            if replacing:
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = recovery_codes_issue(by=user, user=user)
            changes: dict[str, Any] = {"totp": "enrolled"}
            if replacing:
                ended = _sessions_end(user, keep=request.session.session_key)
                changes = {"totp": "replaced", "sessions_ended": ended}
            audit_record(by=user, action=Action.KEY_CHANGE, obj=user, changes=changes)
    if not ok:
        _failure(user=user, username=username, address=address, step="enrol", reason="wrong")
        raise InvalidInput("that code did not match: check the time on your phone and try again")
    # A replaced session was verified by the old authenticator, which is gone: bind it to the
    # new one; an enrolling one completes its sign-in.
    sign_in_complete(request, user=user, device=device)
    return codes


@transaction.atomic
def recovery_codes_issue(*, by: Any, user: User) -> list[str]:
    """New single-use recovery codes for ``user``; the old ones stop working.

    The codes are returned once, to be shown once: only their digests are stored.
    """
    RecoveryDevice.objects.filter(user=user).delete()
    device = RecoveryDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=RecoveryCode.digest_of(code)) for code in codes
    )
    audit_record(by=by, action=Action.KEY_CHANGE, obj=user, changes={"recovery_codes": "issued"})
    return codes


@transaction.atomic
def second_factor_reset(*, by: Any, user: User) -> int:
    """Remove the user's authenticator and recovery codes (a lost phone); end sessions.

    At the next sign-in the user enrols a new authenticator. Do this only after confirming
    out of band that the request really comes from them: whoever knows the password enrols.
    """
    removed = TOTPDevice.objects.filter(user=user).count()
    removed += RecoveryDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryDevice.objects.filter(user=user).delete()
    ended = _sessions_end(user)
    audit_record(
        by=by,
        action=Action.KEY_CHANGE,
        obj=user,
        changes={"second_factor": "reset", "sessions_ended": ended},
    )
    return removed


@transaction.atomic
def sign_in_unlock(*, by: Any, user: User) -> int:
    """Lift the back-off on ``user`` after too many failures; returns failures forgotten."""
    forgotten = throttle.failures_clear(username=user.get_username())
    for model in (TOTPDevice, RecoveryDevice):
        for device in model.objects.filter(user=user):
            device.throttle_reset(commit=True)
    audit_record(by=by, action=Action.UPDATE, obj=user, changes={"sign_in": "unlocked"})
    return forgotten
