"""Writes to organisations: an organisation admin keeps their organisation's profile and its
people (memberships and invitations).

Creating organisations is for network admins (the Django admin and the CLI) and for
coordinators bringing in a cluster-wide file that names new partners (decision 0160).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.accounts import policy
from corridor.accounts.models import Membership, OrgRole, User
from corridor.accounts.services import user_create
from corridor.audit.services import (
    Action,
    audit_record,
    audited_create,
    audited_delete,
    audited_update,
)
from corridor.core.crypto.links import secret_digest
from corridor.core.errors import InvalidInput
from corridor.orgs.models import Invitation, Organisation, OrgKind, Visibility

ORGANISATION_UPDATABLE = frozenset(
    {"name", "name_my", "acronym", "kind", "base_country", "visibility", "alias"}
)
# The alias a new organisation is shown by outside Corridor until it chooses otherwise.
NEUTRAL_ALIAS = "Partner {short}"


def neutral_alias(pk: uuid.UUID) -> str:
    return NEUTRAL_ALIAS.format(short=str(pk)[:8])


#: How long an invitation link works: long enough to reach someone over a slow channel,
#: short enough that a forgotten link in a chat history soon stops opening the door.
INVITATION_LIFETIME = dt.timedelta(days=7)


def organisation_update(*, by: Any, organisation: Organisation, **values: Any) -> Organisation:
    unknown = sorted(set(values) - ORGANISATION_UPDATABLE)
    if unknown:
        raise InvalidInput(f"organisation: field(s) {', '.join(unknown)} cannot be set")
    policy.require(by, policy.CHANGE, organisation)
    return audited_update(organisation, by=by, **values)


@transaction.atomic
def organisation_create(
    *,
    by: Any,
    name: str,
    acronym: str = "",
    kind: str = OrgKind.OTHER,
    base_country: str = "MM",
    visibility: str = Visibility.PSEUDONYMOUS,
    alias: str = "",
    name_my: str = "",
    pk: uuid.UUID | None = None,
) -> Organisation:
    """A new organisation, audited. Not public unless asked: a group named in someone else's
    file has not chosen to be named outside Corridor, so it is pseudonymous under a neutral
    alias ("Partner 1a2b3c4d") until its own admin decides (decision 0160).

    ``by`` None is the operator at the instance's own command line, who may do everything.
    """
    if by is not None:
        policy.require(by, policy.ADD, Organisation)
    org = Organisation(
        id=pk or uuid.uuid4(),
        name=name.strip(),
        acronym=acronym.strip(),
        kind=kind,
        base_country=base_country.strip().upper(),
        visibility=visibility,
        alias=alias.strip(),
        name_my=name_my.strip(),
    )
    if visibility == Visibility.PSEUDONYMOUS and not org.alias:
        org.alias = neutral_alias(org.pk)
    try:
        return audited_create(org, by=by)
    except ValidationError as exc:
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise InvalidInput(f"organisation {name.strip()!r}: {detail}") from None


# --- People -------------------------------------------------------------------------------------


def _role(role: str) -> str:
    if role not in OrgRole.values:
        raise InvalidInput(f"role: {role!r} is not one of {', '.join(OrgRole.values)}")
    return role


def _keeps_an_admin(membership: Membership, *, new_role: str | None, by: Any) -> None:
    """An organisation admin may not leave their organisation without one: its people could
    then be managed only by the network's admins. Network admins may (they still can)."""
    if membership.role != OrgRole.ORG_ADMIN or new_role == OrgRole.ORG_ADMIN:
        return
    if policy.is_admin(by):
        return
    others = (
        Membership.objects.filter(
            organisation_id=membership.organisation_id, role=OrgRole.ORG_ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise InvalidInput(
            "this is the organisation's last organisation admin: make another member "
            "organisation admin first"
        )


@transaction.atomic
def membership_role_change(*, by: Any, membership: Membership, role: str) -> Membership:
    policy.require(by, policy.CHANGE, membership)
    role = _role(role)
    if role == membership.role:
        return membership
    _keeps_an_admin(membership, new_role=role, by=by)
    before = membership.role
    membership = audited_update(membership, by=by, role=role)
    audit_record(
        by=by,
        action=Action.PERMISSION_CHANGE,
        obj=membership.user,
        changes={
            "organisation": str(membership.organisation_id),
            "role": [before, role],
        },
    )
    return membership


@transaction.atomic
def membership_remove(*, by: Any, membership: Membership) -> None:
    """Take a person out of an organisation. Their account stays (they may belong elsewhere);
    what they reported stays with the organisation."""
    policy.require(by, policy.DELETE, membership)
    _keeps_an_admin(membership, new_role=None, by=by)
    user, organisation_id, role = membership.user, membership.organisation_id, membership.role
    audited_delete(membership, by=by)
    audit_record(
        by=by,
        action=Action.PERMISSION_CHANGE,
        obj=user,
        changes={"organisation": str(organisation_id), "role": [role, None]},
    )


@transaction.atomic
def invitation_create(
    *, by: Any, organisation: Organisation, role: str = OrgRole.VIEWER
) -> tuple[Invitation, str]:
    """A new invitation and its secret: the secret is in the link and is shown only now."""
    policy.require(by, policy.ADMINISTER, organisation)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        role=_role(role),
        digest=secret_digest(secret),
        created_by=by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save(force_insert=True)
    audit_record(
        by=by,
        action=Action.CREATE,
        obj=invitation,
        changes={
            "organisation": str(organisation.pk),
            "role": invitation.role,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation, secret


@transaction.atomic
def invitation_revoke(*, by: Any, invitation: Invitation) -> Invitation:
    policy.require(by, policy.ADMINISTER, invitation.organisation)
    if invitation.revoked_at is None and invitation.used_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(by=by, action=Action.UPDATE, obj=invitation, changes={"revoked": True})
    return invitation


class InvitationClosed(InvalidInput):
    """The link was used, revoked, has expired or never existed (one message for all four,
    so the page says nothing about which links exist)."""


@transaction.atomic
def invitation_accept(
    *, secret: str, user: User | None = None, username: str = "", password: str = ""
) -> Membership:
    """Whoever holds an open invitation joins its organisation with its role: as ``user``
    (signed in already) or as a new account made from ``username`` and ``password``. The
    link then stops working."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(digest=secret_digest(secret))
        .first()
    )
    if invitation is None or not invitation.is_open(timezone.now()):
        raise InvitationClosed(
            "this invitation link is not valid: it was used, revoked or has expired"
        )
    if user is None:
        user = user_create(by=None, username=username, password=password)
    elif Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise InvalidInput("you are already a member of this organisation")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, organisation=invitation.organisation, role=invitation.role
            )
    except IntegrityError:
        raise InvalidInput("you are already a member of this organisation") from None
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    audit_record(
        by=user,
        action=Action.PERMISSION_CHANGE,
        obj=user,
        changes={
            "organisation": str(invitation.organisation_id),
            "role": [None, invitation.role],
            "invitation": str(invitation.pk),
        },
    )
    return membership
