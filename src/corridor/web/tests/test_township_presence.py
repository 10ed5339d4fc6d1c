"""The township page's whole-history presence (decision 0380): one grouped read split by the
organisations the viewer may see gives exactly what the two reads before it gave (who is
present with their sums, and how many organisations are not named), for every kind of viewer,
on generated rows with removed, planned, cancelled and monthless activities."""

import datetime as dt
import random
from typing import NamedTuple

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max
from django.utils import timezone

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid.models import Activity, Status
from corridor.aid.queries import activities_visible_to, people_planned_sum, people_reached_sum
from corridor.core.sectors import Sector
from corridor.orgs.models import Visibility
from corridor.testing import factories as f
from corridor.web.queries import places
from corridor.web.queries.places import township_presence

MONTHS = [dt.date(2023, m, 1) for m in range(1, 13)] + [dt.date(2024, 1, 1)]
STATUSES = [Status.ONGOING, Status.COMPLETED, Status.PLANNED, Status.CANCELLED]


class Sums(NamedTuple):
    organisation_id: object
    people_reached: int
    reports: int
    last_month: dt.date | None
    planned: int


def _two_reads(user, unit):
    """The township page's presence as it was computed before decision 0380: the visible
    organisations' rows grouped, and a distinct count of the others'. (The names shown are
    the organisation rule's, tested in test_org_labels.py; compared here are the figures.)"""
    activities = activities_visible_to(user).filter(admin_unit=unit)
    organisations = places.organisations_visible_to(user)
    present = [
        Sums(*row)
        for row in activities.filter(organisation__in=organisations)
        .order_by()
        .values("organisation_id", "organisation__name")
        .annotate(
            reached=people_reached_sum(),
            rows=Count("id"),
            last=Max("reporting_month"),
            planned=people_planned_sum(),
        )
        .order_by("-last", "organisation__name")
        .values_list("organisation_id", "reached", "rows", "last", "planned")
    ]
    hidden = (
        activities.exclude(organisation__in=organisations)
        .values("organisation_id")
        .distinct()
        .count()
    )
    return present, hidden


def _one_read(user, unit):
    """``township_presence``'s figures, in the order it gives them."""
    present, hidden = township_presence(user, unit)
    sums = [
        Sums(p.organisation_id, p.people_reached, p.reports, p.last_month, p.planned)
        for p in present
    ]
    return sums, hidden


@pytest.fixture
def hub(db):
    rng = random.Random(380)
    units = [f.township("MMR005022"), f.township("MMR005023")]
    orgs = [
        f.OrganisationFactory(name="Open A", visibility=Visibility.PUBLIC),
        f.OrganisationFactory(name="Open B", visibility=Visibility.PUBLIC),
        f.OrganisationFactory(
            name="Quiet C", alias="Partner C", visibility=Visibility.PSEUDONYMOUS
        ),
        f.OrganisationFactory(
            name="Quiet D", alias="Partner D", visibility=Visibility.PSEUDONYMOUS
        ),
        f.anonymous_organisation("Hidden E"),
        f.anonymous_organisation("Hidden F"),
        # Only cancelled and monthless rows: present with nothing reached, and no month.
        f.OrganisationFactory(name="Late G", visibility=Visibility.PUBLIC),
    ]
    sectors = [Sector.FOOD_SECURITY, Sector.HEALTH, Sector.WASH]
    rows = []
    for n in range(260):
        org = orgs[n % 6]
        monthless = rng.random() < 0.1
        rows.append(
            Activity(
                organisation=org,
                admin_unit=rng.choice(units),
                sector=rng.choice(sectors),
                modality="in_kind",
                reporting_month=None if monthless else rng.choice(MONTHS),
                start_date=rng.choice(MONTHS) + dt.timedelta(days=3),
                status=rng.choice(STATUSES),
                women=rng.randrange(0, 40),
                men=rng.randrange(0, 40),
                girls=rng.randrange(0, 9),
                boys=rng.randrange(0, 9),
            )
        )
    for month in (None, MONTHS[2]):
        rows.append(
            Activity(
                organisation=orgs[6],
                admin_unit=units[0],
                sector=Sector.HEALTH,
                modality="in_kind",
                reporting_month=month,
                start_date=MONTHS[1],
                status=Status.CANCELLED if month else Status.PLANNED,
                women=5,
            )
        )
    Activity.objects.bulk_create(rows)
    # About one row in six removed: counted nowhere.
    removed = [a.pk for a in rows[:260] if rng.random() < 0.17]
    Activity.objects.filter(pk__in=removed).update(removed_at=timezone.now())
    return units, orgs


def _viewers(orgs):
    def member_of(org, **kwargs):
        user = f.UserFactory(**kwargs)
        f.MembershipFactory(user=user, organisation=org, role=OrgRole.VIEWER)
        return user

    return {
        "admin": f.UserFactory(global_role=GlobalRole.ADMIN),
        "coordinator": f.UserFactory(global_role=GlobalRole.COORDINATOR),
        "coordinator in an anonymous organisation": member_of(
            orgs[4], global_role=GlobalRole.COORDINATOR
        ),
        "member of a public organisation": member_of(orgs[0]),
        "member of a pseudonymous organisation": member_of(orgs[2]),
        "member of an anonymous organisation": member_of(orgs[5]),
        "no organisation": f.UserFactory(),
        "inactive admin": f.UserFactory(global_role=GlobalRole.ADMIN, is_active=False),
        "signed out": AnonymousUser(),
    }


def test_one_read_gives_what_two_reads_gave(hub):
    units, orgs = hub
    seen = set()
    for name, viewer in _viewers(orgs).items():
        for unit in units:
            expected = _two_reads(viewer, unit)
            assert _one_read(viewer, unit) == expected, (name, unit.pcode)
            seen.add((len(expected[0]), expected[1]))
    # The generated rows reach the cases the comparison is about.
    admin_view = _two_reads(_viewers(orgs)["admin"], units[0])[0]
    assert len(admin_view) == 7
    assert any(p.people_reached == 0 and p.reports == 2 for p in admin_view)
    assert any(p.planned > 0 for p in admin_view)
    assert (0, 0) in seen  # someone who sees nothing


def test_organisations_the_viewer_may_not_name_are_counted_not_shown(hub, monkeypatch):
    """The organisation rule and the activity rule agree today, so nobody sees a row of an
    organisation they may not see; narrowed here to the public organisations, the split must
    still give what the two reads give."""
    units, _orgs = hub
    narrowed = places.organisations_visible_to

    def public_only(user):
        return narrowed(user).filter(visibility=Visibility.PUBLIC)

    monkeypatch.setattr(places, "organisations_visible_to", public_only)
    admin = f.UserFactory(global_role=GlobalRole.ADMIN)
    for unit in units:
        expected = _two_reads(admin, unit)
        assert expected[1] > 0
        assert _one_read(admin, unit) == expected
