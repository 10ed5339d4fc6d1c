"""Writes to situation data: sources, displacement figures and incidents.

Each checks the access policy first, then writes and audits in one transaction. Reading an
incident's exact coordinates is audited too (``incident_protected_view``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from corridor.accounts import policy
from corridor.audit.services import (
    Action,
    audit_record,
    audited_create,
    audited_delete,
    audited_remove,
    audited_restore,
    audited_update,
)
from corridor.core.errors import InvalidInput
from corridor.core.rules import refuse, settable_only, values_set
from corridor.situation.checks import figure_jumps
from corridor.situation.models import DisplacementFigure, Incident, Source
from corridor.situation.rules import JUMP_COUNTS, figure_clean, incident_clean

SOURCE_WRITABLE = frozenset({"title", "publisher", "published_on", "url", "reliability"})
FIGURE_UPDATABLE = frozenset(
    {
        "admin_unit",
        "as_of",
        "idps",
        "refugees",
        "people_in_need",
        "sector",
        "valid_from",
        "valid_to",
        "source",
        "notes",
    }
)
INCIDENT_UPDATABLE = frozenset(
    {
        "occurred_on",
        "incident_type",
        "admin_unit",
        "latitude",
        "longitude",
        "fatalities",
        "injuries",
        "detained",
        "description",
        "sub_event_type",
        "geo_precision",
        "verification",
    }
)


# --- Sources --------------------------------------------------------------------------------


def source_record(*, by: Any, **values: Any) -> Source:
    settable_only(values, SOURCE_WRITABLE, "source")
    source = Source(**values)
    policy.require(by, policy.ADD, source)
    return audited_create(source, by=by)


def source_update(*, by: Any, source: Source, **values: Any) -> Source:
    settable_only(values, SOURCE_WRITABLE, "source")
    policy.require(by, policy.CHANGE, source)
    return audited_update(source, by=by, **values)


def source_delete(*, by: Any, source: Source) -> None:
    policy.require(by, policy.DELETE, source)
    if source.figures.exists() or source.indicators.exists() or source.incidents.exists():
        raise InvalidInput("this source is cited by figures or incidents; it cannot be deleted")
    audited_delete(source, by=by)


# --- Displacement figures -------------------------------------------------------------------


def figure_record(
    *, by: Any, reporting_organisation: Any, confirm: bool = False, **values: Any
) -> DisplacementFigure:
    """Record a displacement figure reported by one of the user's organisations.

    ``confirm``: the person confirmed a jump against the township's last figure (0215)."""
    settable_only(values, FIGURE_UPDATABLE, "displacement figure")
    figure = DisplacementFigure(reporting_organisation=reporting_organisation, **values)
    policy.require(by, policy.ADD, figure)
    figure_clean(figure)
    _no_unconfirmed_jump(figure, confirm)
    _no_removed_twin(figure)
    return audited_create(figure, by=by)


def _no_removed_twin(figure: DisplacementFigure) -> None:
    """A removed figure keeps its place, date and source (one figure per source, a database
    constraint the importer's upsert relies on): say so instead of failing on the constraint."""
    twin = DisplacementFigure.all_objects.filter(
        admin_unit_id=figure.admin_unit_id,
        as_of=figure.as_of,
        source_id=figure.source_id,
        removed_at__isnull=False,
    )
    if twin.exists():
        raise InvalidInput(
            "a removed figure has the same township, date and source; restore it from its "
            "page and correct it instead"
        )


def _no_unconfirmed_jump(figure: DisplacementFigure, confirm: bool) -> None:
    values = {name: getattr(figure, name) for name in ("as_of", "sector", *JUMP_COUNTS)}
    values["admin_unit"] = figure.admin_unit_id
    refuse(figure_jumps([(figure.pk, values)])[0], confirmed=confirm)


def figure_update(
    *, by: Any, figure: DisplacementFigure, confirm: bool = False, **values: Any
) -> DisplacementFigure:
    settable_only(values, FIGURE_UPDATABLE, "displacement figure")
    policy.require(by, policy.CHANGE, figure)
    values_set(figure, values)
    figure_clean(figure)
    _no_unconfirmed_jump(figure, confirm)
    return audited_update(figure, by=by, **values)


def figure_remove(*, by: Any, figure: DisplacementFigure, reason: str) -> DisplacementFigure:
    """Remove a displacement figure softly, with a reason (decision 0180)."""
    policy.require(by, policy.DELETE, figure)
    return audited_remove(figure, by=by, reason=reason)


def figure_restore(*, by: Any, figure: DisplacementFigure) -> DisplacementFigure:
    policy.require(by, policy.DELETE, figure)
    return audited_restore(figure, by=by)


# --- Incidents ------------------------------------------------------------------------------


def _set_sources(incident: Incident, sources: Iterable[Source], by: Any) -> None:
    before = sorted(str(pk) for pk in incident.sources.values_list("pk", flat=True))
    incident.sources.set(list(sources))
    after = sorted(str(pk) for pk in incident.sources.values_list("pk", flat=True))
    if before != after:
        audit_record(
            by=by, action=Action.UPDATE, obj=incident, changes={"sources": [before, after]}
        )


def incident_record(
    *, by: Any, reporting_organisation: Any, sources: Iterable[Source] = (), **values: Any
) -> Incident:
    """Record an incident reported by one of the user's organisations, citing ``sources``."""
    settable_only(values, INCIDENT_UPDATABLE, "incident")
    incident = Incident(reporting_organisation=reporting_organisation, **values)
    policy.require(by, policy.ADD, incident)
    incident_clean(incident)
    with transaction.atomic():
        audited_create(incident, by=by)
        _set_sources(incident, sources, by)
    return incident


def incident_update(
    *, by: Any, incident: Incident, sources: Iterable[Source] | None = None, **values: Any
) -> Incident:
    settable_only(values, INCIDENT_UPDATABLE, "incident")
    policy.require(by, policy.CHANGE, incident)
    values_set(incident, values)
    incident_clean(incident)
    with transaction.atomic():
        audited_update(incident, by=by, **values)
        if sources is not None:
            _set_sources(incident, sources, by)
    return incident


def incident_remove(*, by: Any, incident: Incident, reason: str) -> Incident:
    """Remove an incident softly, with a reason (decision 0180)."""
    policy.require(by, policy.DELETE, incident)
    return audited_remove(incident, by=by, reason=reason)


def incident_restore(*, by: Any, incident: Incident) -> Incident:
    policy.require(by, policy.DELETE, incident)
    return audited_restore(incident, by=by)


def incident_protected_view(*, by: Any, incident: Incident) -> dict[str, Any]:
    """The incident's protected fields, for a user allowed to see them; the view is audited.

    Call it only when the fields will be shown: every call leaves an audit entry.
    """
    policy.require(by, policy.VIEW_PROTECTED, incident)
    fields = {"latitude": incident.latitude, "longitude": incident.longitude}
    with transaction.atomic():
        audit_record(
            by=by, action=Action.VIEW_PROTECTED, obj=incident, changes={"fields": sorted(fields)}
        )
    return fields
