"""Personal API tokens: made, revoked and checked here (docs/security/api-tokens.md).

A token is ``crd_<prefix>_<secret>``: the prefix (48 random bits, not secret) finds the row,
the secret (256 random bits) proves it. Only a SHA-256 digest of the secret is stored, and
the comparison takes the same time whether the prefix exists or not, the secret is right or
wrong. A token acts for one organisation, read or write, and never beyond what its owner may
do there at the time of the request (``policy.token_role``). It is sent as
``Authorization: Bearer <token>`` to the JSON API only (corridor/api.py); pages and the
admin never look at it.

Audited: making and revoking a token; its use, once an hour at most (a ``sign_in`` entry,
the same hour ``last_used_at`` records); a refusal of a known token (wrong secret, expired,
revoked, owner disabled, a write with a read token), once an hour at most per token. A token
that names no row is refused without an entry: it names nobody, and writing one would let
anyone grow the append-only trail at will.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from corridor.accounts import policy
from corridor.accounts.models import ApiToken, TokenGrant, TokenScope, User
from corridor.audit.services import Action, audit_record
from corridor.core.crypto.links import secret_digest
from corridor.core.errors import InvalidInput, NotAllowed

log = logging.getLogger("corridor.accounts.tokens")

TOKEN_START = "crd_"  # noqa: S105 — not a secret: how every token starts, to spot one
PREFIX_BYTES = 6  # 12 hex characters
SECRET_BYTES = 32
DEFAULT_DAYS = 30
MAX_DAYS = 90
NAME_LENGTH = ApiToken._meta.get_field("name").max_length
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Compared against when the prefix finds no row, so that case costs what a wrong secret costs.
_NO_DIGEST = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret text: show ``text`` once, it cannot be had again."""

    token: ApiToken
    text: str


@dataclass(frozen=True)
class Refusal:
    status: int  # 401: not a usable token; 403: a good token that may not do this
    detail: str


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _parse(text: str) -> tuple[str, str] | None:
    if not text.startswith(TOKEN_START):
        return None
    prefix, sep, secret = text[len(TOKEN_START) :].partition("_")
    if not sep or len(prefix) != PREFIX_BYTES * 2 or len(secret) != SECRET_BYTES * 2:
        return None
    return prefix, secret


# --- Writes ----------------------------------------------------------------------------------


def token_create(
    *,
    by: Any,
    user: User,
    organisation: Any,
    scope: str,
    name: str,
    days: int = DEFAULT_DAYS,
) -> IssuedToken:
    """Make a token for ``user`` in ``organisation``; returns it with its text, shown once.

    ``by`` is the owner (or an admin); None is the system (``corridor tokens create``). Who
    asks, the owner must hold the rights the token names: any role in the organisation for a
    read token, editor or organisation admin for a write token (network admins: any).
    """
    token = ApiToken(user=user, organisation=organisation, scope=scope, name=name.strip())
    if by is not None:
        policy.require(by, policy.ADD, token)  # outside the transaction: the denial is kept
    if scope not in TokenScope.values:
        raise InvalidInput(f"unknown scope {scope!r}; use one of {', '.join(TokenScope.values)}")
    if not token.name:
        raise InvalidInput("a token needs a name saying what it is for")
    if len(token.name) > NAME_LENGTH:
        raise InvalidInput(f"a token's name is at most {NAME_LENGTH} characters")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"a token lasts from 1 to {MAX_DAYS} days, not {days}")
    wanted = "editor" if scope == TokenScope.WRITE else "viewer"
    if policy.token_role(user, organisation, scope) != wanted:
        raise NotAllowed(
            f"{user.get_username()} may not {'write' if wanted == 'editor' else 'read'} "
            "in that organisation"
        )
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_hex(SECRET_BYTES)  # hex: one word to copy, no '-' or '_' inside
    now = timezone.now()
    token.prefix = prefix
    token.digest = secret_digest(secret)
    token.created_at = now
    token.expires_at = now + dt.timedelta(days=days)
    token.full_clean()
    with transaction.atomic():
        token.save()
        audit_record(
            by=by,
            action=Action.CREATE,
            obj=token,
            changes={
                "user": str(user.pk),
                "organisation": str(organisation.pk),
                "scope": scope,
                "prefix": prefix,
                "name": token.name,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return IssuedToken(token, f"{TOKEN_START}{prefix}_{secret}")


def token_revoke(*, by: Any, token: ApiToken, reason: str = "revoked") -> bool:
    """End ``token`` now (its owner, an admin, or the system). False if it had already ended."""
    if by is not None:
        policy.require(by, policy.DELETE, token)
    with transaction.atomic():
        ended = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
        if ended:
            audit_record(
                by=by,
                action=Action.PERMISSION_CHANGE,
                obj=token,
                changes={"revoked": True, "prefix": token.prefix, "reason": reason},
            )
    return bool(ended)


def token_revoke_all(*, by: Any, user: User, reason: str) -> int:
    """Revoke every token of ``user`` not yet revoked (panic); returns how many."""
    ended = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        ended += token_revoke(by=by, token=token, reason=reason)
    return ended


# --- Reads -----------------------------------------------------------------------------------


def tokens_of(user: User) -> Any:
    """The user's own tokens, newest first (never anyone else's)."""
    return ApiToken.objects.filter(user_id=user.pk).select_related("organisation")


def token_find(*, owner: User | None, text: str) -> ApiToken | None:
    """A token by its prefix or id: among ``owner``'s, or any (None: the operator)."""
    rows = ApiToken.objects.all() if owner is None else tokens_of(owner)
    text = text.strip()
    try:
        return rows.filter(pk=uuid.UUID(text)).first()
    except ValueError:
        # A prefix, or a whole token pasted by mistake: only its prefix is looked at.
        return rows.filter(prefix=text.removeprefix(TOKEN_START).split("_", 1)[0]).first()


# --- Checking a token on a request -----------------------------------------------------------


def token_authenticate(text: str, *, method: str) -> User | Refusal:
    """The user an API request with this token acts as, or why it is refused.

    The user comes back with ``token_grant`` set: the access policy then treats it as a member
    of the token's organisation only, with the token's role and no global role.
    """
    parsed = _parse(text.strip())
    if parsed is None:
        return Refusal(401, "invalid API token")
    prefix, secret = parsed
    token = ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix).first()
    matches = hmac.compare_digest(token.digest if token else _NO_DIGEST, secret_digest(secret))
    if token is None or not matches:
        if token is not None:
            _refused(token, "wrong secret", by=None)
        return Refusal(401, "invalid API token")
    now = timezone.now()
    owner = token.user
    state = token.state(now)
    if state != "active":
        _refused(token, state, by=owner)
        return Refusal(401, f"API token {state}")
    if not owner.is_active:
        _refused(token, "owner disabled", by=owner)
        return Refusal(401, "API token of a disabled account")
    role = policy.token_role(owner, token.organisation, token.scope)
    if role is None:
        _refused(token, "owner has no role in the organisation", by=owner)
        return Refusal(403, "the token's owner no longer belongs to its organisation")
    if method.upper() not in SAFE_METHODS and token.scope != TokenScope.WRITE:
        _refused(token, f"{method.upper()} with a read token", by=owner)
        return Refusal(403, "this API token may only read")
    _used(token)
    owner.token_grant = TokenGrant(
        token_id=token.pk,
        organisation_id=token.organisation_id,
        role=role,
        write=token.scope == TokenScope.WRITE,
    )
    return owner


def _once_an_hour(token: ApiToken, field: str, *, by: User | None, action: str, **changes) -> None:
    """Set ``field`` to this hour and write the audit entry, if not done yet this hour.

    The conditional UPDATE decides between concurrent requests: one of them writes the entry.
    """
    hour = _hour(timezone.now())
    recorded = getattr(token, field)
    if recorded is not None and recorded >= hour:
        return  # recorded this hour already: no write at all
    with transaction.atomic():
        first_this_hour = (
            ApiToken.objects.filter(pk=token.pk)
            .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": hour}))
            .update(**{field: hour})
        )
        if first_this_hour:
            audit_record(
                by=by,
                action=action,
                obj=token,
                changes={**changes, "prefix": token.prefix, "hour": hour.isoformat()},
            )


def _used(token: ApiToken) -> None:
    _once_an_hour(token, "last_used_at", by=token.user, action=Action.SIGN_IN, method="api_token")


def _refused(token: ApiToken, reason: str, *, by: User | None) -> None:
    """``by`` is the owner once the secret matched (whoever holds the token acts for them)."""
    log.warning("API token %s refused: %s", token.prefix, reason)
    _once_an_hour(token, "last_refused_at", by=by, action=Action.DENIED, reason=reason)
