"""The generator on its own: deterministic, plausible and inside every model constraint.

No database: the admin units come straight from the shipped CSV.
"""

import datetime as dt

import pytest

from corridor.aid.models import Channel, Sector
from corridor.demo import generate
from corridor.demo.plan import SIZE, Size, key_id
from corridor.funds.models import TransferChannel
from corridor.geo.services import read_units
from corridor.orgs.models import OrgKind, Visibility


@pytest.fixture(scope="module")
def units():
    return read_units()


@pytest.fixture(scope="module")
def data(units):
    return generate.build(2021, units)


def fields(objs):
    return [{f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} for obj in objs]


def everything(data):
    return {
        name: fields(getattr(data, name))
        for name in (
            "organisations",
            "coalitions",
            "coalition_memberships",
            "sources",
            "figures",
            "indicators",
            "incidents",
            "activities",
            "transfers",
        )
    } | {"incident_sources": data.incident_sources}


def test_same_seed_builds_the_same_dataset(units, data):
    assert everything(generate.build(2021, units)) == everything(data)


def test_another_seed_keeps_the_keys_and_changes_the_values(units, data):
    other = generate.build(7, units)
    assert [o.id for o in other.activities] == [o.id for o in data.activities]
    assert [o.id for o in other.organisations] == [o.id for o in data.organisations]
    assert fields(other.activities) != fields(data.activities)


def test_keys_are_uuid5_over_stable_names(data):
    assert data.activities[1234].id == key_id("activity:1234")
    assert data.transfers[0].id == key_id("transfer:0:0")
    assert all(obj.id.version == 5 for obj in data.incidents + data.sources)


def test_sizes_follow_the_parameters(data):
    assert len(data.organisations) == SIZE.organisation_count
    assert len(data.townships) == SIZE.townships
    assert len(data.activities) == SIZE.activities
    assert len(data.figures) == SIZE.figures
    assert len(data.incidents) == SIZE.incidents
    assert len(data.transfers) + len(data.ledger.transfers) == SIZE.transfers
    assert len(data.ledger.grants) == SIZE.grants
    assert len(data.ledger.rates) == SIZE.exchange_rates
    assert len(data.ledger.spending) == SIZE.grant_spending
    smaller = generate.build(1, read_units(), Size(townships=10, activities=40, incidents=5))
    assert len({a.admin_unit_id for a in smaller.activities}) == 10
    assert len(smaller.figures) == 10 * (len(SIZE.reported_months) + len(SIZE.need_sectors))


def test_organisations_cover_every_kind_and_visibility(data):
    assert {org.kind for org in data.organisations} == set(OrgKind.values)
    assert {org.visibility for org in data.organisations} == set(Visibility.values)
    assert len({org.name for org in data.organisations}) == len(data.organisations)
    for org in data.organisations:
        assert (org.visibility == Visibility.PSEUDONYMOUS) == bool(org.alias)
        # An anonymous organisation's Burmese name moves into its protected (encrypted) name.
        assert org.name_my or org.visibility == Visibility.ANONYMOUS
        assert org.base_country.isupper()
        assert len(org.base_country) == 2


def test_activities_are_plausible_4w_rows(data):
    townships = {unit.pcode for unit in data.townships}
    assert {a.admin_unit_id for a in data.activities} == townships
    assert {a.sector for a in data.activities} == set(Sector.values)
    assert {a.channel for a in data.activities} == set(Channel.values)
    years = {(a.reporting_month or a.start_date).year for a in data.activities}
    assert years == {2022, 2023, 2024, 2025, 2026}
    for a in data.activities:
        assert min(a.women, a.men, a.girls, a.boys, a.unspecified) >= 0
        assert a.people > 0
        assert (a.people_reached > 0) == (a.status in ("ongoing", "completed"))
        assert a.end_date is None or a.end_date >= a.start_date
        assert (a.value is None) == (a.currency == "")


def test_displacement_is_monthly_per_township_with_a_source(data):
    by_township = {}
    for figure in data.figures:
        if figure.sector:
            continue  # the needs overview's sector figures (below)
        by_township.setdefault(figure.admin_unit_id, []).append(figure.as_of)
        assert figure.idps >= 0
        assert figure.source_id == key_id(f"source:bulletin:{figure.as_of:%Y-%m}")
    assert set(by_township) == {unit.pcode for unit in data.townships}
    assert all(
        len(dates) == len(set(dates)) == len(SIZE.reported_months) for dates in by_township.values()
    )


def test_demo_has_planned_and_cancelled_rows_and_need_by_sector(data):
    statuses = {a.status for a in data.activities}
    assert statuses == {"planned", "ongoing", "completed", "cancelled"}
    # Months after the last reported one hold plans only (the Nov-Dec 2026).
    later = [
        a for a in data.activities if (a.reporting_month or dt.date.min) > SIZE.last_reported_month
    ]
    assert later
    assert all(a.status == "planned" for a in later)
    sector_needs = [fig for fig in data.figures if fig.sector]
    assert {fig.sector for fig in sector_needs} == set(SIZE.need_sectors)
    assert len(sector_needs) == SIZE.townships * len(SIZE.need_sectors)
    for fig in sector_needs:
        assert fig.idps is None
        assert fig.people_in_need > 0
        assert (fig.valid_from.month, fig.valid_to.month) == (1, 12)


def test_incidents_have_one_or_two_sources_and_some_exact_sites(data):
    centroids = {unit.pcode: (unit.centroid_lat, unit.centroid_lon) for unit in data.townships}
    per_incident = {}
    for incident_id, source_id in data.incident_sources:
        per_incident.setdefault(incident_id, set()).add(source_id)
    assert {len(s) for s in per_incident.values()} == {1, 2}
    assert len(per_incident) == len(data.incidents)
    # Every type the demo weighs appears (the ACLED-only types come in through imports).
    assert {i.incident_type for i in data.incidents} == {str(t) for t in generate.INCIDENT_WEIGHTS}
    exact = [i for i in data.incidents if i.latitude is not None]
    assert 0 < len(exact) < len(data.incidents)
    for incident in exact:
        lat, lon = centroids[incident.admin_unit_id]
        assert abs(incident.latitude - lat) <= 0.05
        assert abs(incident.longitude - lon) <= 0.05


def test_transfers_run_donor_to_intermediary_to_local_group(data):
    kinds = {org.id: org.kind for org in data.organisations}
    assert {t.currency for t in data.transfers} == {"USD", "THB", "MMK", "JPY", "NOK"}
    assert {t.channel for t in data.transfers} == set(TransferChannel.values)
    for first, second in zip(data.transfers[::2], data.transfers[1::2], strict=True):
        assert kinds[first.from_organisation_id] == OrgKind.DONOR
        assert first.to_organisation_id == second.from_organisation_id
        assert kinds[second.to_organisation_id] in generate.LOCAL_KINDS
        assert first.sent_on <= second.sent_on
        for transfer in (first, second):
            assert transfer.amount > 0
            assert transfer.fee is None or transfer.fee >= 0
    assert max(t.sent_on for t in data.transfers) <= dt.date(2026, 12, 31)
