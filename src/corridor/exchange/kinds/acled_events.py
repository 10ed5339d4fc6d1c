"""ACLED's event types as our incident types, and what its place precision says.

The incident builder (builders.py) asks these of any file that gives ACLED's event columns,
whatever its format; the ACLED reader (formats/acled.py) only lays the columns out, so the
rules live here, below the formats (decision 0255).
"""

from __future__ import annotations

import re

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
