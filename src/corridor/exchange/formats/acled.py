"""ACLED-style event files (the public column layout) read as incidents with their sources.

Columns are matched by ACLED's names (event_id_cnty, event_date, event_type, sub_event_type,
actor1, actor2, admin1..admin3, location, latitude, longitude, geo_precision, fatalities,
source, notes); others (iso, region, interaction, tags, timestamp ...) are reported and
ignored. The event id is the stable key, so importing a newer ACLED download updates the same
incidents.

Event types map to our incident types with ``SUB_EVENT_TYPES`` (docs/exchange.md shows it);
the sub-event type itself is kept as ACLED wrote it. ``geo_precision`` is kept too, and an
event ACLED places only within a larger part of a region (3) is filed under its state or
region, without coordinates: ACLED's township and point are then those of a stand-in place,
not of the event (decision 0168).
"""

from __future__ import annotations

import re
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

# ACLED sub-event type -> our IncidentType. The ACLED codebook's 25 sub-event types
# (../shared/data/standards/acled/acled_event_categories.csv); see docs/exchange.md.
SUB_EVENT_TYPES: dict[str, str] = {
    "armed clash": "armed_clash",
    "government regains territory": "armed_clash",
    "non-state actor overtakes territory": "armed_clash",
    "air/drone strike": "airstrike",
    "shelling/artillery/missile attack": "shelling",
    "chemical weapon": "other",
    "suicide bomb": "explosive_device",
    "remote explosive/landmine/ied": "explosive_device",
    "grenade": "explosive_device",
    "peaceful protest": "other",
    "protest with intervention": "other",
    "excessive force against protesters": "killing_if_fatal",
    "violent demonstration": "other",
    "mob violence": "other",
    "agreement": "other",
    "arrests": "arrest",
    "change to group/activity": "other",
    "disrupted weapons use": "other",
    "headquarters or base established": "other",
    "looting/property destruction": "arson_if_burning",  # else looting
    "non-violent transfer of territory": "other",
    "other": "other",
    "sexual violence": "sexual_violence",
    "attack": "killing_if_fatal",  # else attack_on_civilians
    "abduction/forced disappearance": "abduction",
}
# Where a rule's second case goes for a sub-event type (the first is killing or arson).
OTHERWISE = {"attack": "attack_on_civilians", "looting/property destruction": "looting"}
# Event types when the sub-event type is missing or new.
EVENT_TYPES: dict[str, str] = {
    "battles": "armed_clash",
    "explosions/remote violence": "other",
    "violence against civilians": "killing_if_fatal",
    "protests": "other",
    "riots": "other",
    "strategic developments": "other",
}
_BURNING = re.compile(r"\b(burn\w*|torch\w*|arson|set (?:on )?fire|set ablaze|fire to)\b", re.I)


def incident_type_for(event_type: str, sub_event_type: str, *, fatalities: int, notes: str) -> str:
    """Our incident type for an ACLED event (the rules are in the table above)."""
    sub = sub_event_type.strip().lower()
    rule = SUB_EVENT_TYPES.get(sub)
    if rule is None:
        rule = EVENT_TYPES.get(event_type.strip().lower(), "other")
    otherwise = OTHERWISE.get(sub, "other")
    if rule == "killing_if_fatal":
        return "killing" if fatalities > 0 else otherwise
    if rule == "arson_if_burning":
        return "arson" if _BURNING.search(notes or "") else otherwise
    return rule


def region_only(geo_precision: int | None) -> bool:
    """Whether only a larger part of a region is known (ACLED's geo_precision 3)."""
    return geo_precision == 3


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
