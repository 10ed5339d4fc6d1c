"""ACLED-style event files (the public column layout) read as incidents with their sources.

Columns are matched by ACLED's names (event_id_cnty, event_date, event_type, sub_event_type,
actor1, actor2, admin1..admin3, location, latitude, longitude, geo_precision, fatalities,
source, notes); others (iso, region, interaction, tags, timestamp ...) are reported and
ignored. The event id is the stable key, so importing a newer ACLED download updates the same
incidents.

Event types map to our incident types with ``kinds.acled_events`` (docs/exchange.md shows it);
the sub-event type itself is kept as ACLED wrote it. ``geo_precision`` is kept too, and an
event ACLED places only within a larger part of a region (3) is filed under its state or
region, without coordinates: ACLED's township and point are then those of a stand-in place,
not of the event (decision 0168).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.table import Table

NAME = "acled"

COLUMNS = {
    "event_id_cnty": "id",
    "event_date": "occurred_on",
    "event_type": "acled_event_type",
    "sub_event_type": "sub_event_type",
    "actor1": "acled_actors",
    "actor2": "acled_actors",
    "admin1": "adm1_name",
    "admin2": "adm2_name",
    "admin3": "adm3_name",
    "location": "acled_location",
    "latitude": "latitude",
    "longitude": "longitude",
    "geo_precision": "geo_precision",
    "fatalities": "fatalities",
    "source": "acled_sources",
    "notes": "description",
}
REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "admin1")


def read(path: Path, *, name: str, kind: str | None, progress: Any = None) -> Table:
    if kind not in (None, "incidents"):
        raise InvalidInput(
            _("%(file)s: ACLED files hold incidents, not %(kind)s") % {"file": name, "kind": kind}
        )
    name, header, source = reading.open_header_rows(
        path,
        name=name,
        progress=progress,
        sniff=sniff,
        wanted=_("ACLED's columns (event_id_cnty, event_date, ...) in its first row"),
    )
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InvalidInput(
            _("%(file)s: not an ACLED-style file: no column %(columns)s")
            % {"file": name, "columns": ", ".join(missing)}
        )
    plan: dict[str, list[int]] = {}
    ignored = []
    for at, column in enumerate(names):
        field = COLUMNS.get(column)
        if field is None:
            if column:
                ignored.append(column)
            continue
        plan.setdefault(field, []).append(at)
    labels = [cell.strip() or f"column {at + 1}" for at, cell in enumerate(header)]
    return Table(
        name=name,
        format=NAME,
        kind="incidents",
        plan=plan,
        labels=labels,
        rows=source,
        ignored=ignored,
        id_prefix="acled:",
        place_columns="admin1/admin2/admin3",
    )


def sniff(header: list[str]) -> bool:
    names = {cell.strip().lower() for cell in header}
    return "event_id_cnty" in names and "event_date" in names
