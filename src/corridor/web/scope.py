"""The scoped reads and permission checks the pages use, in one place.

The access policy (corridor.accounts.policy and each app's queries.py) is written alongside
the pages; while a piece of it has not landed, the stand-in below applies the strictest
reading of the roles: coordinators see everything, everyone else sees their own
organisations' rows and what public organisations report. See docs/decisions/0070.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.funds.models import Transfer
from corridor.orgs.models import Organisation, Visibility
from corridor.situation.models import DisplacementFigure, Incident, Source

WRITE_ROLES = (OrgRole.EDITOR, OrgRole.ORG_ADMIN)


def _member_of(user: Any, roles: tuple = ()) -> QuerySet:
    memberships = user.memberships.all()
    if roles:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("organisation_id")


def _sees_all(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.is_superuser))


def _organisations_visible_to(user: Any) -> QuerySet:
    if not user.is_authenticated:
        return Organisation.objects.none()
    if _sees_all(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        Q(id__in=_member_of(user)) | ~Q(visibility=Visibility.ANONYMOUS)
    )


def _activities_visible_to(user: Any) -> QuerySet:
    if not user.is_authenticated:
        return Activity.objects.none()
    if _sees_all(user):
        return Activity.objects.all()
    return Activity.objects.filter(
        Q(organisation_id__in=_member_of(user)) | Q(organisation__visibility=Visibility.PUBLIC)
    )


def _transfers_visible_to(user: Any) -> QuerySet:
    if not user.is_authenticated:
        return Transfer.objects.none()
    if _sees_all(user):
        return Transfer.objects.all()
    mine = _member_of(user)
    return Transfer.objects.filter(
        Q(from_organisation_id__in=mine) | Q(to_organisation_id__in=mine)
    )


def _situation(model: type) -> Any:
    def visible_to(user: Any) -> QuerySet:
        return model.objects.all() if user.is_authenticated else model.objects.none()

    return visible_to


def _can(user: Any, action: str, obj: Any = None) -> bool:
    if not user.is_authenticated:
        return False
    if _sees_all(user):
        return True
    if action == "view":
        return True
    if action == "add":
        return user.memberships.filter(role__in=WRITE_ROLES).exists()
    return False


try:
    from corridor.accounts.policy import can
except ImportError:
    can = _can
try:
    from corridor.orgs.queries import organisations_visible_to
except ImportError:
    organisations_visible_to = _organisations_visible_to
try:
    from corridor.aid.queries import activities_visible_to
except ImportError:
    activities_visible_to = _activities_visible_to
try:
    from corridor.funds.queries import transfers_visible_to
except ImportError:
    transfers_visible_to = _transfers_visible_to
try:
    from corridor.situation.queries import (
        figures_visible_to,
        incidents_visible_to,
        sources_visible_to,
    )
except ImportError:
    figures_visible_to = _situation(DisplacementFigure)
    incidents_visible_to = _situation(Incident)
    sources_visible_to = _situation(Source)


def organisations_user_can_report_for(user: Any) -> QuerySet:
    """Organisations the user may enter activities for."""
    if _sees_all(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=_member_of(user, WRITE_ROLES))
