"""A small world for situation briefs: one state/region with three townships over the first
quarter of 2024, a second state that must stay out of its brief, and an editor to draft it.

Every count is 0 or at least 5 (the default k), so the disclosure gate hides nothing and the
brief's numbers can be read against the unsuppressed gap table and dashboard headlines too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from corridor.aid.models import Sector
from corridor.testing import factories as f

STATE = "MMR005"
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2024, 3, 1)
TODAY = dt.date(2026, 12, 3)
# township: (IDPs, as of)
FIGURES = {
    "MMR005022": (4000, dt.date(2024, 2, 15)),
    "MMR005023": (2500, dt.date(2024, 1, 20)),
    "MMR005024": (1200, dt.date(2023, 11, 30)),  # dated before the quarter: still counts
    "MMR001001": (9000, dt.date(2024, 2, 1)),  # another state
}
# (township, day, how many)
INCIDENTS = [
    ("MMR005022", dt.date(2024, 1, 12), 5),
    ("MMR005022", dt.date(2024, 2, 3), 6),
    ("MMR005022", dt.date(2024, 3, 9), 5),
    ("MMR005023", dt.date(2024, 3, 21), 7),
    ("MMR005022", dt.date(2024, 4, 2), 5),  # after the quarter
    ("MMR001001", dt.date(2024, 2, 10), 5),  # another state
]
# (township, month, sector)
ACTIVITIES = [
    ("MMR005022", dt.date(2024, 1, 1), Sector.FOOD_SECURITY),
    ("MMR005022", dt.date(2024, 2, 1), Sector.FOOD_SECURITY),
    ("MMR005022", dt.date(2024, 3, 1), Sector.FOOD_SECURITY),
    ("MMR005023", dt.date(2024, 3, 1), Sector.FOOD_SECURITY),
    ("MMR005023", dt.date(2024, 3, 1), Sector.FOOD_SECURITY),
    ("MMR005024", dt.date(2024, 3, 1), Sector.FOOD_SECURITY),
    ("MMR001001", dt.date(2024, 3, 1), Sector.FOOD_SECURITY),  # another state
]


@dataclass
class BriefWorld:
    editor: Any
    organisation: Any
    displacement_source: Any
    incident_source: Any


def brief_world(editor_username: str = "brief-editor") -> BriefWorld:
    displacement = f.SourceFactory(title="Township displacement update", publisher="Test cluster")
    reports = f.SourceFactory(title="Incident monitoring report", publisher="Test monitor")
    for pcode, (idps, as_of) in FIGURES.items():
        f.DisplacementFigureFactory(
            admin_unit=f.township(pcode), as_of=as_of, idps=idps, source=displacement
        )
    for pcode, day, count in INCIDENTS:
        for _ in range(count):
            f.IncidentFactory(admin_unit=f.township(pcode), occurred_on=day).sources.add(reports)
    organisation = f.OrganisationFactory(name="Brief Relief")
    for pcode, month, sector in ACTIVITIES:
        f.ActivityFactory(
            organisation=organisation,
            admin_unit=f.township(pcode),
            reporting_month=month,
            sector=sector,
        )
    editor = f.MembershipFactory(
        organisation=organisation, user=f.UserFactory(username=editor_username)
    ).user
    return BriefWorld(editor, organisation, displacement, reports)
