"""Reads of organisations that depend on who is asking (rules: corridor.accounts.policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from corridor.accounts import policy
from corridor.accounts.models import Membership
from corridor.core.crypto.links import secret_digest
from corridor.core.errors import InvalidInput
from corridor.orgs.models import ANONYMOUS_LABEL, Invitation, Organisation, Visibility


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """Own organisations; named ones for any member; all but anonymous ones for coordinators."""
    if not policy.is_active_user(user):
        return Organisation.objects.none()
    if policy.is_admin(user):
        return Organisation.objects.all()
    mine = policy.organisation_ids(user)
    visible = Q(id__in=mine)
    if policy.is_coordinator(user):
        visible |= ~Q(visibility=Visibility.ANONYMOUS)
    elif mine:
        visible |= Q(visibility=Visibility.PUBLIC)
    return Organisation.objects.filter(visible)


def organisations_user_can_report_for(user: Any) -> QuerySet[Organisation]:
    """Organisations under which the user may add rows (editor or organisation admin)."""
    if policy.is_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=policy.organisation_ids(user, policy.EDIT_ROLES))


def organisations_user_can_export(user: Any) -> QuerySet[Organisation]:
    """Organisations whose own records (IATI, HXL) the user may export: members, any role."""
    if not policy.is_active_user(user):
        return Organisation.objects.none()
    if policy.is_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=policy.organisation_ids(user))


# What naming an organisation reads: never its encrypted fields.
NAMING_FIELDS = ("id", "name", "acronym", "alias", "name_my", "visibility")


class OrganisationNames:
    """How one person may refer to organisations, and how they are named back to that person.

    The one rule for names a person types (import rows, ``--org``, the upload's organisation)
    and for names in the answers they get (refusals, error reports); decision 0110:

    - an organisation they may see (``organisations_visible_to``; every one for the instance
      operator, ``user`` None) answers to its id, name, acronym, Burmese name and alias, and
      is named by its name (an anonymous one's name is its neutral label);
    - one they may not see answers only to its public label (a public organisation's name, a
      pseudonymous one's alias) and is named by that label;
    - an anonymous one they may not see answers to nothing: for them it does not exist, and
      asking for it answers exactly as asking for a name nobody has.
    """

    def __init__(self, user: Any) -> None:
        self.user = user
        self._seen: set[str] | None = None

    def sees(self, org: Organisation) -> bool:
        if self.user is None:
            return True
        if self._seen is None:
            ids = organisations_visible_to(self.user).values_list("pk", flat=True)
            self._seen = {str(pk) for pk in ids}
        return str(org.pk) in self._seen

    def keys(self, org: Organisation) -> tuple[str, ...]:
        """What this person may call ``org`` by (its id first, when they may use it)."""
        if self.sees(org):
            found = (str(org.pk), org.name, org.acronym, org.alias, org.name_my)
            return tuple(x for x in found if x)
        label = org.public_label
        return (label,) if label else ()

    def label(self, org: Organisation) -> str:
        """The name this person is shown for ``org``."""
        if self.sees(org):
            return org.name
        return org.public_label or ANONYMOUS_LABEL


def organisations_listed(
    names: OrganisationNames,
) -> tuple[list[tuple[Organisation, bool]], list[Organisation]]:
    """The organisation directory as the person of ``names`` may read it (decision 0110):
    each organisation they may list, with whether they see it by name (a public one is listed
    by its name, a pseudonymous one by its alias), and apart the anonymous ones they may not
    see, which are only counted."""
    listed, unnamed = [], []
    for org in Organisation.objects.only(*NAMING_FIELDS, "kind"):
        seen = names.sees(org)
        if seen or org.visibility == Visibility.PUBLIC or org.public_label:
            listed.append((org, seen))
        else:
            unnamed.append(org)
    return listed, unnamed


def organisation_find_visible(user: Any, text: str) -> Organisation:
    """The one organisation ``text`` (an id, name, acronym, Burmese name or alias) names for
    ``user`` (None: the instance operator). One it may not name is "no organisation", worded
    exactly as for a name nobody has, so the answer tells nothing of what is hidden."""
    names = OrganisationNames(user)
    wanted = text.strip().casefold()
    matches = [
        org
        for org in Organisation.objects.only(*NAMING_FIELDS)
        if wanted in (key.casefold() for key in names.keys(org))
    ]
    shown = text.strip()
    if not matches:
        raise InvalidInput(f"no organisation {shown!r}")
    if len(matches) > 1:
        raise InvalidInput(f"{shown!r} names several organisations")
    return Organisation.objects.get(pk=matches[0].pk)


# --- People of an organisation (its organisation admins and the network's admins) ------------


def memberships_managed_by(user: Any, organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's memberships, for someone who may manage them; none otherwise."""
    if not policy.can(user, policy.ADMINISTER, organisation):
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def invitations_open_for(user: Any, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations of the organisation that still work, for someone who may manage them."""
    if not policy.can(user, policy.ADMINISTER, organisation):
        return Invitation.objects.none()
    return Invitation.objects.filter(
        organisation=organisation,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def invitation_by_secret(secret: str) -> Invitation | None:
    """The open invitation a link's secret belongs to, if any (anyone holding it may ask)."""
    found = (
        Invitation.objects.select_related("organisation")
        .filter(digest=secret_digest(secret))
        .first()
    )
    return found if found is not None and found.is_open(timezone.now()) else None
