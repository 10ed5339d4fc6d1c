"""Turning a validated row into database values, one kind of table at a time.

- ``choices``: our codes with the synonyms importers accept;
- ``context``: what the builders share for one file (places, organisations, sources, keys);
- ``builders``: one builder per kind (activities, figures, incidents);
- here: ``Kind`` (a table's model, columns, conflict key and builder) and the ``KINDS`` registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from corridor.aid.models import Activity
from corridor.exchange.kinds.builders import build_activity, build_figure, build_incident
from corridor.exchange.kinds.context import NAMESPACE, Context
from corridor.exchange.table import Row
from corridor.situation.models import DisplacementFigure, Incident

__all__ = ["KINDS", "NAMESPACE", "SOURCE_COLUMNS", "Context", "Kind"]


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    columns: tuple[str, ...]
    conflict: tuple[str, ...]
    owner: str
    build: Callable[[Row, Context], tuple | None]


KINDS: dict[str, Kind] = {
    "activities": Kind(
        "activities",
        Activity,
        (
            "id",
            "organisation_id",
            "sector",
            "modality",
            "channel",
            "admin_unit_id",
            "reporting_month",
            "start_date",
            "end_date",
            "status",
            "women",
            "men",
            "girls",
            "boys",
            "unspecified",
            "households",
            "value",
            "currency",
            "notes",
            "elderly_women",
            "elderly_men",
            "disabled",
            "village_tract",
            "village",
            "donor",
            "conditionality",
        ),
        ("id",),
        "organisation_id",
        build_activity,
    ),
    "figures": Kind(
        "figures",
        DisplacementFigure,
        (
            "id",
            "admin_unit_id",
            "as_of",
            "idps",
            "refugees",
            "people_in_need",
            "sector",
            "valid_from",
            "valid_to",
            "source_id",
            "notes",
            "reporting_organisation_id",
        ),
        ("admin_unit_id", "as_of", "source_id", "sector"),
        "reporting_organisation_id",
        build_figure,
    ),
    "incidents": Kind(
        "incidents",
        Incident,
        (
            "id",
            "occurred_on",
            "incident_type",
            "admin_unit_id",
            "latitude",
            "longitude",
            "fatalities",
            "injuries",
            "detained",
            "description",
            "reporting_organisation_id",
            "sub_event_type",
            "geo_precision",
        ),
        ("id",),
        "reporting_organisation_id",
        build_incident,
    ),
}
SOURCE_COLUMNS = ("id", "title", "publisher", "published_on", "url", "reliability")
