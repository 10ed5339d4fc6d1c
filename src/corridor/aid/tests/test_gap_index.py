"""The monthly sums the rollup refresh reads come from the covering index alone (decision 0273):
it holds only live rows, so "not removed" needs no visit to the table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from corridor.aid.models import Activity
from corridor.aid.services import reach_sums
from corridor.testing import factories as f

pytestmark = pytest.mark.django_db

MONTH = dt.date(2024, 3, 1)


def _month_sums():
    """What the rollup refresh reads for one month and township (``_recompute``)."""
    return reach_sums(
        Activity.objects.filter(reporting_month=MONTH, admin_unit_id__in=["MMR005022"])
    )


def test_the_month_sums_are_read_from_the_index_alone():
    place = f.township("MMR005022")
    organisation = f.OrganisationFactory()
    for n in range(30):
        f.ActivityFactory(
            admin_unit=place,
            organisation=organisation,
            status="ongoing",
            women=n,
            men=0,
            girls=0,
            boys=0,
            unspecified=0,
        )
    removed = f.ActivityFactory(admin_unit=place, organisation=organisation, women=1000)
    Activity.objects.filter(pk=removed.pk).update(removed_at=dt.datetime.now(dt.UTC))
    if connection.vendor == "postgresql":
        # With a handful of rows the planner's choice of index says nothing here (and an
        # index-only scan needs a vacuumed table): the index is checked to hold the column.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'activity_gap_cover_idx'"
            )
            (definition,) = cursor.fetchone()
        assert definition.endswith("status, removed_at)"), definition
    else:
        plan = _month_sums().explain()
        assert "USING COVERING INDEX activity_gap_cover_idx" in plan, plan
    # The removed row is in the table, not in the sums.
    assert sum(row["r"] for row in _month_sums()) == sum(range(30))
    assert sum(row["n"] for row in _month_sums()) == 30
