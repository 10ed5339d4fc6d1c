"""What each kind of import table writes: its model, columns, conflict key, owner and links.

A built row is its kind's ``record``: a named tuple of the kind's columns, then the ids of its
links (an incident's sources), so the pipeline reads a row's ``id``, owner or links by name and
the writer still takes it as the plain tuple of values it writes (decision 0255).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from corridor.aid.models import Activity
from corridor.situation.models import DisplacementFigure, Incident

# A built row: its kind's ``record``, a named tuple made at start-up (so typed loosely).
Record = Any


@dataclass(frozen=True)
class Link:
    """A many-to-many field the rows fill: its ids come after the columns, under ``field``."""

    field: str
    through: type[models.Model]
    columns: tuple[str, str]


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    columns: tuple[str, ...]
    conflict: tuple[str, ...]
    # The column naming the organisation a record belongs to (whom an import may write for).
    owner: str
    links: Link | None = None
    # Whether its rows feed the monthly reach rollups (only activities: decision 0225).
    rollups: bool = False
    record: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        extra = (self.links.field,) if self.links else ()
        record = namedtuple(self.model.__name__ + "Values", (*self.columns, *extra))  # type: ignore[misc]
        object.__setattr__(self, "record", record)

    def owner_probe(self, organisation: Any) -> models.Model:
        """An unsaved record of this kind owned by ``organisation``, for asking the policy."""
        return self.model(**{self.owner.removesuffix("_id"): organisation})


ACTIVITIES = Kind(
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
    rollups=True,
)


FIGURES = Kind(
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
)


INCIDENTS = Kind(
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
    Link("sources", Incident.sources.through, ("incident_id", "source_id")),
)


IMPORT_KINDS: dict[str, Kind] = {kind.name: kind for kind in (ACTIVITIES, FIGURES, INCIDENTS)}
SOURCE_COLUMNS = ("id", "title", "publisher", "published_on", "url", "reliability")
