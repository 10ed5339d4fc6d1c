"""Reads of the exchange app that depend on who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from corridor.accounts import policy
from corridor.exchange.models import ImportRun


def import_runs_visible_to(user: Any) -> QuerySet[ImportRun]:
    """People see their own import runs; admins see every run."""
    if policy.is_admin(user):
        return ImportRun.objects.all()
    if not policy.is_active_user(user):
        return ImportRun.objects.none()
    return ImportRun.objects.filter(by_id=user.pk)
