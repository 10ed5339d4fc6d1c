"""The one place that decides what a user may do.

Every page, API operation, export and CLI command asks ``can`` (to choose what to show) or
``require`` (to refuse, with an audit entry). Reads that return many rows use the scoped query
functions in each app's queries.py, which apply the same rules as filters; the policy tests
check that the two agree (docs/security/access-control.md, docs/decisions/0030-access-policy.md).

Actions
-------
``view``
    See the object's detail (its non-protected fields).
``add``
    Create a new object. Pass the unsaved object with its owning organisation set
    (``Activity(organisation=org)``), the owning ``Organisation``, a model class ("may this
    user add any of these?") or nothing ("may this user add anything at all?").
``change``
    Edit the object's fields.
``delete``
    Remove the object.
``export``
    Take the object's rows out of Corridor in a file. Without an object: may the user export
    at all (what goes into the file is then chosen with the scoped queries).
``view_protected``
    See the object's protected fields: exact coordinates, real names of anonymous
    organisations, transfer references. Every such view should be audited by the caller.
``import_for``
    File rows of a bulk import under an organisation (an ``Organisation``; decision 0160):
    its editors and organisation admins; coordinators for any organisation they may see
    (never an anonymous one). Without an object: may the user import for anyone at all.
``administer``
    Manage people and settings. Without an object, or on a user: the whole network (admins
    only). On an organisation or a membership: that organisation's memberships and profile.

Roles (least privilege: a new user has none)
-------------------------------------------
- anonymous or disabled users: nothing;
- members of an organisation (viewer): see their organisation's rows and the network-shared
  situation data (incidents, displacement figures, sources);
- editors (and organisation admins): also add, change and delete their organisation's rows
  and the situation data their organisation reports;
- organisation admins: also manage their organisation's memberships and profile;
- coordinators (global role): see every non-anonymous organisation's detail, never the
  detail of anonymous organisations nor protected fields; the one thing they write is a
  cluster-wide import: rows filed for any organisation they may see, and the new
  organisations such a file names (``import_for``, ``add`` of an organisation; decision 0160);
- admins (global role admin, or superuser): everything.

API tokens (accounts/tokens.py) narrow this further: a request made with a token acts as its
owner seen through ``user.token_grant``: a member of the token's one organisation with the
role ``token_role`` allows, and without any global role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from corridor.accounts.models import GlobalRole, Membership, OrgRole, TokenScope
from corridor.audit.services import Action, audit_record
from corridor.core.errors import NotAllowed
from corridor.core.fixed_reads import rows_where

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
EXPORT = "export"
VIEW_PROTECTED = "view_protected"
ADMINISTER = "administer"
IMPORT_FOR = "import_for"
ACTIONS = (VIEW, ADD, CHANGE, DELETE, EXPORT, VIEW_PROTECTED, ADMINISTER, IMPORT_FOR)

EDIT_ROLES = (OrgRole.EDITOR, OrgRole.ORG_ADMIN)


# --- Who the user is ---------------------------------------------------------------------------


def is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _grant(user: Any) -> Any:
    """The API token the request acts through (a TokenGrant), or None."""
    return getattr(user, "token_grant", None)


def is_admin(user: Any) -> bool:
    if _grant(user) is not None:
        return False  # a token carries no global role
    return is_active_user(user) and (user.global_role == GlobalRole.ADMIN or user.is_superuser)


def is_coordinator(user: Any) -> bool:
    """Coordinator by global role (admins are tested separately: they can do more)."""
    if _grant(user) is not None:
        return False
    return is_active_user(user) and user.global_role == GlobalRole.COORDINATOR


def organisation_ids(user: Any, roles: tuple[str, ...] = ()) -> set[Any]:
    """Ids of the organisations the user belongs to (with one of ``roles``, if given)."""
    if not is_active_user(user):
        return set()
    grant = _grant(user)
    if grant is not None:
        return {grant.organisation_id} if not roles or grant.role in roles else set()
    held = _READ_ONCE.get()
    if held is not None and held[0] is user:
        known = held[1]
        if roles not in known:
            known[roles] = _memberships_of(user, roles)
        return set(known[roles])
    return _memberships_of(user, roles)


def _memberships_of(user: Any, roles: tuple[str, ...]) -> set[Any]:
    # Most requests ask this; a fixed statement is not compiled anew each time (decision 0388).
    if roles:
        memberships = rows_where(
            Membership, _BY_USER_AND_ROLE, (user.pk, roles), fields=("organisation",)
        )
    else:
        memberships = rows_where(Membership, _BY_USER, (user.pk,), fields=("organisation",))
    return {membership.organisation_id for membership in memberships}


_BY_USER = (("user", "="),)
_BY_USER_AND_ROLE = (("user", "="), ("role", "in"))


# While ``allowed`` asks ``can`` about many objects: the user it asks for and their
# organisations by roles, read once for all the objects (nothing is written meanwhile).
_READ_ONCE: ContextVar[tuple[Any, dict[tuple[str, ...], set[Any]]] | None] = ContextVar(
    "policy_read_once", default=None
)


@contextmanager
def _memberships_read_once(user: Any) -> Iterator[None]:
    token = _READ_ONCE.set((user, {}))
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def is_member_anywhere(user: Any) -> bool:
    return bool(organisation_ids(user))


def reads_situation(user: Any) -> bool:
    """Situation data is shared reading for every member of any organisation."""
    return is_admin(user) or is_coordinator(user) or is_member_anywhere(user)


# --- Rules per kind of object -----------------------------------------------------------------
# Each domain app declares the rules for its own models in its access.py and registers them
# here when Django starts (its AppConfig.ready), so this module names no model of a higher
# layer. A model nobody registered a rule for is for administrators only.

Rule = Callable[[Any, str, Any], bool]

_RULES: dict[str, Rule] = {}
# Kinds of record an editor may add for one of their organisations, by model label.
_ADDABLE_BY_EDITORS: set[str] = set()
# Kinds of record a coordinator may add (without an object: "may they add any?").
_ADDABLE_BY_COORDINATORS: set[str] = set()


def register(
    label: str, rule: Rule, *, editors_add: bool = False, coordinators_add: bool = False
) -> None:
    """Declare who may do what to the model ``label`` ("app.model"): ``rule(user, action,
    obj)`` answers for one object (admins and the cases without an object are decided here).
    ``editors_add``: any editor may add one for one of their organisations;
    ``coordinators_add``: coordinators may add one (the rule still decides each object)."""
    label = label.lower()
    known = _RULES.get(label)
    if known is not None and known is not rule:
        raise ImproperlyConfigured(f"two access rules registered for {label}")
    _RULES[label] = rule
    if editors_add:
        _ADDABLE_BY_EDITORS.add(label)
    if coordinators_add:
        _ADDABLE_BY_COORDINATORS.add(label)


def registered() -> frozenset[str]:
    """The model labels that have a rule (the authorisation tests check every model has)."""
    return frozenset(_RULES)


def _membership(user: Any, action: str, membership: Any) -> bool:
    if action == VIEW and membership.user_id == user.pk:
        return True
    org_admin_of = organisation_ids(user, (OrgRole.ORG_ADMIN,))
    if action in (VIEW, ADD, CHANGE, DELETE, ADMINISTER):
        return membership.organisation_id in org_admin_of
    return False


def _user(user: Any, action: str, other: Any) -> bool:
    # People may see themselves; managing people is for admins (handled before this).
    return action == VIEW and other.pk == user.pk


def token_role(owner: Any, organisation: Any, scope: str) -> str | None:
    """The role in ``organisation`` a token of ``scope`` acts with, or None if it has none.

    Never more than the owner may do there now: a read token acts as a viewer; a write token
    as an editor if the owner edits there (an organisation or network admin counts as an
    editor: a token never administers), else as a viewer. Asked again on every request, so a
    changed membership changes what the token may do at once.
    """
    if not is_active_user(owner) or _grant(owner) is not None or organisation is None:
        return None
    held = (
        Membership.objects.filter(user_id=owner.pk, organisation_id=organisation.pk)
        .values_list("role", flat=True)
        .first()
    )
    if held is None and is_admin(owner):
        held = OrgRole.EDITOR
    if held is None:
        return None
    if scope == TokenScope.WRITE and held in EDIT_ROLES:
        return OrgRole.EDITOR
    return OrgRole.VIEWER


def _api_token(user: Any, action: str, token: Any) -> bool:
    """People make, see and revoke their own tokens (admins: everyone's, handled before)."""
    if token.user_id != user.pk:
        return False
    if action in (VIEW, DELETE):
        return True
    if action == ADD:
        wanted = OrgRole.EDITOR if token.scope == TokenScope.WRITE else OrgRole.VIEWER
        return token_role(user, token.organisation, token.scope) == wanted
    return False


register("accounts.membership", _membership)
register("accounts.user", _user)
register("accounts.apitoken", _api_token)


def _add_without_instance(user: Any, label: str | None) -> bool:
    """``add`` asked about a kind of record (or anything at all), not one row."""
    if label is None or label in _ADDABLE_BY_EDITORS:
        return bool(organisation_ids(user, EDIT_ROLES))
    if label == "accounts.membership":
        return bool(organisation_ids(user, (OrgRole.ORG_ADMIN,)))
    if label in _ADDABLE_BY_COORDINATORS:
        # e.g. new organisations named by a cluster-wide import (decision 0160).
        return is_coordinator(user)
    return False


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` (one of ACTIONS) on ``obj``? See the module docstring."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    if not is_active_user(user):
        return False
    if is_admin(user):
        return True
    if obj is None:
        if action == ADD:
            return _add_without_instance(user, None)
        if action in (VIEW, EXPORT):
            return reads_situation(user)
        if action == IMPORT_FOR:
            return is_coordinator(user) or bool(organisation_ids(user, EDIT_ROLES))
        return False  # change, delete, view_protected and administer need an object
    if isinstance(obj, type) and issubclass(obj, models.Model):
        label = obj._meta.label_lower
        if action == ADD:
            return _add_without_instance(user, label)
        if action in (VIEW, EXPORT):
            return reads_situation(user)
        return False
    rule = _RULES.get(obj._meta.label_lower)
    if rule is None:
        return False  # a kind of object nobody wrote a rule for: admins only
    return rule(user, action, obj)


Obj = TypeVar("Obj")


def allowed(user: Any, action: str, objects: Iterable[Obj]) -> list[Obj]:
    """The objects ``user`` may do ``action`` to, in their order: ``can`` asked for each, with
    the user's memberships read once for all of them, not once per object (a page's rows)."""
    with _memberships_read_once(user):
        return [obj for obj in objects if can(user, action, obj)]


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise NotAllowed (and audit the denial) unless ``can(user, action, obj)``."""
    if can(user, action, obj):
        return
    object_type = ""
    object_id = ""
    if isinstance(obj, type) and issubclass(obj, models.Model):
        object_type = obj._meta.label_lower
    elif obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk) if obj.pk is not None else ""
    actor = user if getattr(user, "pk", None) is not None else None
    who = "anonymous" if actor is None else ""
    # Its own transaction (a savepoint if the caller already has one): the denial is kept
    # even though the caller's work stops here.
    with transaction.atomic():
        audit_record(
            by=actor,
            action=Action.DENIED,
            object_type=object_type,
            object_id=object_id,
            changes={"wanted": action, **({"actor": who} if who else {})},
        )
    raise NotAllowed(f"you may not {action.replace('_', ' ')} this")
