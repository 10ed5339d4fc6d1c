"""Reads of situation data that depend on who is asking (rules: corridor.accounts.policy).

Incidents, displacement figures and sources are shared reading across the network: every
member of any organisation sees them. Protected fields (exact coordinates) are a separate
decision, ``policy.can(user, "view_protected", incident)``, made where the fields are shown.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from corridor.accounts import policy
from corridor.situation.models import DisplacementFigure, Incident, Source


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    if not policy.reads_situation(user):
        return Incident.objects.none()
    return Incident.objects.all()


def figures_visible_to(user: Any) -> QuerySet[DisplacementFigure]:
    if not policy.reads_situation(user):
        return DisplacementFigure.objects.none()
    return DisplacementFigure.objects.all()


def sources_visible_to(user: Any) -> QuerySet[Source]:
    if not policy.reads_situation(user):
        return Source.objects.none()
    return Source.objects.all()


def incident_removed_for(user: Any, pk: Any) -> Incident | None:
    """A removed incident, for a person who may restore it; None for everyone else."""
    incident = (
        Incident.all_objects.filter(pk=pk, removed_at__isnull=False)
        .select_related("admin_unit", "reporting_organisation")
        .first()
    )
    if incident is None or not policy.can(user, policy.DELETE, incident):
        return None
    return incident


def figure_removed_for(user: Any, pk: Any) -> DisplacementFigure | None:
    """A removed displacement figure, for a person who may restore it; None for everyone else."""
    figure = (
        DisplacementFigure.all_objects.filter(pk=pk, removed_at__isnull=False)
        .select_related("admin_unit", "reporting_organisation", "source")
        .first()
    )
    if figure is None or not policy.can(user, policy.DELETE, figure):
        return None
    return figure
