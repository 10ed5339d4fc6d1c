"""Reads of transfers that depend on who is asking (rules: corridor.accounts.policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corridor.accounts import policy
from corridor.funds.models import Transfer
from corridor.orgs.models import Visibility


def transfers_visible_to(user: Any) -> QuerySet[Transfer]:
    """Transfers either side of which the user belongs to; coordinators also those between
    two non-anonymous organisations (a money route can expose an anonymous group)."""
    if not policy.is_active_user(user):
        return Transfer.objects.none()
    if policy.is_admin(user):
        return Transfer.objects.all()
    mine = policy.organisation_ids(user)
    visible = Q(from_organisation_id__in=mine) | Q(to_organisation_id__in=mine)
    if policy.is_coordinator(user):
        visible |= ~Q(from_organisation__visibility=Visibility.ANONYMOUS) & ~Q(
            to_organisation__visibility=Visibility.ANONYMOUS
        )
    return Transfer.objects.filter(visible)
