"""What the township and organisation pages show, read through the viewer's scoped queries.

The pages render these summaries and the JSON API (web/api.py) serialises the same objects,
so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from corridor.aid.queries import (
    activities_visible_to,
    latest_reached_month,
    people_planned_sum,
    people_reached_sum,
    reach_visible_to,
)
from corridor.funds.queries import transfers_visible_to
from corridor.gaps.queries import GapInputError, GapTable, gap_table, month_start, next_month
from corridor.geo.models import AdminUnit, Level
from corridor.orgs.models import Organisation, public_label
from corridor.orgs.queries import OrganisationNames, organisations_visible_to
from corridor.situation.queries import figures_visible_to, incidents_visible_to

FIGURES_SHOWN = 24
INCIDENTS_SHOWN = 50
ACTIVITIES_SHOWN = 100
TRANSFERS_SHOWN = 50


@dataclass(frozen=True)
class Presence:
    """An organisation the viewer may see, reporting in a township."""

    organisation_id: Any
    label: str  # the alias for a pseudonymous organisation, else its name
    people_reached: int
    reports: int
    last_month: dt.date | None
    planned: int = 0  # people its planned rows mean to reach, never counted as reached


@dataclass
class TownshipSummary:
    unit: AdminUnit
    figures: list[Any]
    incidents: list[Any]
    present: list[Presence]
    hidden: int  # organisations reporting here that the viewer may not see
    gaps: GapTable


@dataclass(frozen=True)
class TransferRow:
    """A transfer as the viewer may see it: each side named as the viewer may name it."""

    sent_on: dt.date
    from_organisation: str
    to_organisation: str
    amount: Any
    currency: str
    status: str


@dataclass
class OrganisationSummary:
    organisation: Organisation
    activities: list[Any]
    people_reached: int
    reports: int
    townships: int
    transfers: list[TransferRow]
    planned: int = 0


def township_get(pcode: str) -> AdminUnit | None:
    return (
        AdminUnit.objects.filter(pcode=pcode, level=Level.TOWNSHIP)
        .select_related("parent__parent")
        # The page draws no boundary; the state's GeoJSON alone is slow to decode.
        .defer("boundary", "parent__boundary", "parent__parent__boundary")
        .first()
    )


def township_latest_month(user: Any, unit: AdminUnit) -> dt.date:
    """The latest month, up to this one, with data here: a reached activity reported for it,
    or a displacement figure dated in it; this month when there is none. A plan for a coming
    month is not data, and a month with only plans or cancellations opens on nothing."""
    this_month = month_start(timezone.localdate())
    until = next_month(this_month)
    reported = latest_reached_month(user, before=until, admin_unit=unit)
    figured = (
        figures_visible_to(user)
        .filter(admin_unit=unit, as_of__lt=until)
        .aggregate(m=Max("as_of"))["m"]
    )
    found = [month_start(day) for day in (reported, figured) if day is not None]
    return max(found, default=this_month)


def township_presence(user: Any, unit: AdminUnit) -> tuple[list[Presence], int]:
    """Who reports in a township over its whole history, as ``user`` may see them, and how
    many more organisations report there that ``user`` may not name (decision 0380).

    One grouped read of the township's activity rows the viewer may see, split here by the
    organisations the viewer may see: the rows a visible organisation shows and the
    organisations left over are the same as two reads (one for each) would give. Not from
    the monthly reach rollup: its rows leave out cancelled rows and rows without a reporting
    month, both of which count in ``reports``, ``last_month`` and ``hidden``."""
    visible = set(organisations_visible_to(user).values_list("pk", flat=True))
    present: list[Presence] = []
    hidden = 0
    rows = (
        activities_visible_to(user)
        .filter(admin_unit=unit)
        .order_by()
        .values(
            "organisation_id",
            "organisation__name",
            "organisation__visibility",
            "organisation__alias",
        )
        .annotate(
            reached=people_reached_sum(),
            planned=people_planned_sum(),
            rows=Count("id"),
            last=Max("reporting_month"),
        )
        .order_by("-last", "organisation__name")
    )
    for row in rows:
        if row["organisation_id"] not in visible:
            hidden += 1
            continue
        present.append(
            Presence(
                organisation_id=row["organisation_id"],
                # Members see a pseudonymous partner by its alias here too; an anonymous one
                # they may see keeps its neutral name.
                label=public_label(
                    row["organisation__visibility"],
                    row["organisation__name"],
                    row["organisation__alias"],
                )
                or row["organisation__name"],
                people_reached=row["reached"],
                reports=row["rows"],
                last_month=row["last"],
                planned=row["planned"],
            )
        )
    return present, hidden


def township_summary(user: Any, unit: AdminUnit, month: str | dt.date | None) -> TownshipSummary:
    """Figures, incidents, who is present and the gaps of one month (default: the latest
    month with data here, ``township_latest_month``; a month that cannot be read falls back
    to it too)."""
    figures = (
        figures_visible_to(user)
        .filter(admin_unit=unit)
        .select_related("source")
        .order_by("-as_of")[:FIGURES_SHOWN]
    )
    incidents = (
        incidents_visible_to(user)
        .filter(admin_unit=unit)
        .order_by("-occurred_on")[:INCIDENTS_SHOWN]
    )
    latest_month = township_latest_month(user, unit)
    present, hidden = township_presence(user, unit)
    try:
        chosen = month_start(month or latest_month)
    except GapInputError:
        chosen = latest_month
    table = gap_table(
        chosen,
        reach_rows=reach_visible_to(user).filter(admin_unit=unit),
        figures=figures_visible_to(user).filter(admin_unit=unit),
    )
    return TownshipSummary(unit, list(figures), list(incidents), present, hidden, table)


def organisation_summary(user: Any, pk: Any) -> OrganisationSummary | None:
    """An organisation's activities, reach and transfers, or None when the viewer may not
    see the organisation."""
    organisation = organisations_visible_to(user).filter(pk=pk).first()
    if organisation is None:
        return None
    activities = (
        activities_visible_to(user)
        .filter(organisation=organisation)
        .select_related("admin_unit")
        .order_by("-reporting_month", "-start_date")
    )
    totals = activities.aggregate(
        reached=people_reached_sum(),
        planned=people_planned_sum(),
        rows=Count("id"),
        townships=Count("admin_unit_id", distinct=True),
    )
    transfers = (
        (
            transfers_visible_to(user).filter(from_organisation=organisation)
            | transfers_visible_to(user).filter(to_organisation=organisation)
        )
        .select_related("from_organisation", "to_organisation")
        .order_by("-sent_on")[:TRANSFERS_SHOWN]
    )
    # The other side of a transfer may be an organisation the viewer may not see.
    names = OrganisationNames(user)
    return OrganisationSummary(
        organisation=organisation,
        activities=list(activities[:ACTIVITIES_SHOWN]),
        people_reached=totals["reached"],
        planned=totals["planned"],
        reports=totals["rows"],
        townships=totals["townships"],
        transfers=[
            TransferRow(
                t.sent_on,
                names.label(t.from_organisation),
                names.label(t.to_organisation),
                t.amount,
                t.currency,
                # A claim by one side until the other confirms (decision 0236).
                "claimed"
                if "claimed" in (t.sent_state, t.received_state)
                else ("received" if t.received_state else "sent"),
            )
            for t in transfers
        ],
    )
