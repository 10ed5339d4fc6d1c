"""The latest month with reached activities, read from the monthly reach rollup, is the one
``MAX(reporting_month)`` of the activities gives, for every audience (aid.queries
``latest_reached_month``, docs/scaling.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid import services
from corridor.aid.models import Activity, MonthlyReach, MonthlyReachTotal, Status
from corridor.aid.queries import IS_REACHED, activities_visible_to, latest_reached_month
from corridor.geo.models import AdminUnit
from corridor.geo.resolver import invalidate_resolver
from corridor.geo.services import admin_units_load
from corridor.orgs.models import Visibility
from corridor.testing.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

TOWNSHIPS = ("MMR004001", "MMR004002")
MONTHS = tuple(dt.date(2024, m, 1) for m in range(1, 7))


def from_rows(user, before, unit=None) -> dt.date | None:
    rows = activities_visible_to(user).filter(IS_REACHED, reporting_month__lt=before)
    if unit is not None:
        rows = rows.filter(admin_unit=unit)
    return rows.aggregate(m=Max("reporting_month"))["m"]


@pytest.fixture
def places(db):
    admin_units_load(by=None)
    invalidate_resolver()
    yield
    invalidate_resolver()


row = st.tuples(
    st.integers(0, 2),
    st.sampled_from(TOWNSHIPS),
    st.sampled_from(MONTHS),
    st.sampled_from(tuple(Status.values)),
    st.booleans(),
)


@settings(
    max_examples=20,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(row, max_size=8), before=st.sampled_from(MONTHS))
def test_the_rollup_gives_the_month_the_activities_give(places, rows, before):
    Activity._base_manager.all().delete()
    MonthlyReach.objects.all().delete()
    MonthlyReachTotal.objects.all().delete()
    orgs = [
        OrganisationFactory(),
        OrganisationFactory(),
        OrganisationFactory(visibility=Visibility.ANONYMOUS),
    ]
    admin = UserFactory(password=None, global_role=GlobalRole.ADMIN, is_superuser=True)
    coordinator = UserFactory(password=None, global_role=GlobalRole.COORDINATOR)
    member = UserFactory(password=None)
    MembershipFactory(user=member, organisation=orgs[2], role=OrgRole.VIEWER)
    nobody = UserFactory(password=None)
    for org, pcode, month, status, removed in rows:
        activity = ActivityFactory(
            organisation=orgs[org],
            admin_unit=AdminUnit.objects.get(pk=pcode),
            reporting_month=month,
            status=status,
        )
        if removed:
            services.activity_remove(by=admin, activity=activity, reason="typed twice")
    for user in (admin, coordinator, member, nobody):
        assert latest_reached_month(user, before=before) == from_rows(user, before)
        for pcode in TOWNSHIPS:
            unit = AdminUnit.objects.get(pk=pcode)
            found = latest_reached_month(user, before=before, admin_unit=unit)
            assert found == from_rows(user, before, unit)
