"""The writes the entry forms make.

The domain services (aid/services.py, situation/services.py) are written alongside the pages;
until one lands, the stand-in here writes through the audited create so every entry still
lands in the audit chain in one transaction. See docs/decisions/0070.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from corridor.aid.models import Activity
from corridor.audit.services import audited_create
from corridor.situation.models import DisplacementFigure, Incident, Source


def _activity_record(*, by: Any, **values: Any) -> Activity:
    return audited_create(Activity(**values), by=by)


def _source_for(by: Any, values: dict) -> Source:
    source = values.pop("source", None)
    title = values.pop("source_title", "")
    publisher = values.pop("source_publisher", "")
    reliability = values.pop("source_reliability", "F")
    if source:
        return source
    return audited_create(Source(title=title, publisher=publisher, reliability=reliability), by=by)


@transaction.atomic
def figure_enter(*, by: Any, **values: Any) -> DisplacementFigure:
    values["source"] = _source_for(by, values)
    return audited_create(DisplacementFigure(**values), by=by)


@transaction.atomic
def incident_enter(*, by: Any, **values: Any) -> Incident:
    source = _source_for(by, values)
    incident = audited_create(Incident(**values), by=by)
    incident.sources.add(source)
    return incident


try:
    from corridor.aid.services import activity_record
except ImportError:
    activity_record = _activity_record
