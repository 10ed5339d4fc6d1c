"""The database itself refuses bad rows, whatever code path writes them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from corridor.aid.models import Activity
from corridor.funds.models import Transfer
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation, Visibility
from corridor.situation.models import DisplacementFigure, Incident, Source
from corridor.testing.factories import (
    ActivityFactory,
    IncidentFactory,
    OrganisationFactory,
    SourceFactory,
    TransferFactory,
    township,
)

pytestmark = pytest.mark.django_db


def refused(fn):
    """The write fails at the latest when constraints are checked (FKs are deferred)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()
        connection.check_constraints()


def test_negative_reach_count_is_refused_by_the_database():
    activity = ActivityFactory()
    refused(lambda: Activity.objects.filter(pk=activity.pk).update(women=-1))
    refused(lambda: Activity.objects.filter(pk=activity.pk).update(households=-3))


def test_unknown_pcode_is_refused_by_the_database():
    org = OrganisationFactory()
    refused(
        lambda: Activity.objects.create(
            organisation=org,
            sector="health",
            modality="service",
            admin_unit_id="MMR999999",
            reporting_month=dt.date(2024, 1, 1),
        )
    )


def test_admin_unit_rules():
    refused(lambda: AdminUnit.objects.create(pcode="XYZ001", level=1, name_en="Nowhere"))
    refused(lambda: AdminUnit.objects.create(pcode="MMR777", level=4, name_en="Too deep"))
    state = AdminUnit.objects.create(pcode="MMR777", level=1, name_en="Test state")
    refused(lambda: AdminUnit.objects.create(pcode="MMR777001", level=3, name_en="Orphan"))
    refused(
        lambda: AdminUnit.objects.create(
            pcode="MMR777002", level=3, parent=state, name_en="Far", centroid_lon=0, centroid_lat=0
        )
    )


def test_activity_needs_a_when_and_an_ordered_period():
    org, unit = OrganisationFactory(), township()
    base = {"organisation": org, "sector": "wash", "modality": "in_kind", "admin_unit": unit}
    refused(lambda: Activity.objects.create(**base))
    refused(
        lambda: Activity.objects.create(
            **base, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 4, 1)
        )
    )
    refused(
        lambda: Activity.objects.create(
            **base, reporting_month=dt.date(2024, 5, 1), value=Decimal("10"), currency=""
        )
    )
    refused(
        lambda: Activity.objects.create(
            **{**base, "sector": "x"}, reporting_month=dt.date(2024, 5, 1)
        )
    )


def test_transfer_rules():
    transfer = TransferFactory()
    refused(lambda: Transfer.objects.filter(pk=transfer.pk).update(amount=0))
    refused(lambda: Transfer.objects.filter(pk=transfer.pk).update(fee=-1))
    refused(lambda: Transfer.objects.filter(pk=transfer.pk).update(currency="usd"))
    refused(
        lambda: Transfer.objects.filter(pk=transfer.pk).update(
            to_organisation=transfer.from_organisation
        )
    )


def test_organisation_rules():
    refused(lambda: OrganisationFactory(visibility=Visibility.PSEUDONYMOUS, alias=""))
    refused(lambda: OrganisationFactory(base_country="mm"))
    refused(lambda: OrganisationFactory(kind="militia"))
    org = OrganisationFactory(visibility=Visibility.PSEUDONYMOUS, alias="River Group")
    assert org.public_label == "River Group"
    assert Organisation(name="Secret", visibility=Visibility.ANONYMOUS).public_label is None


def test_situation_rules():
    source = SourceFactory()
    unit = township()
    DisplacementFigure.objects.create(
        admin_unit=unit, as_of=dt.date(2024, 1, 31), idps=5, source=source
    )
    refused(
        lambda: DisplacementFigure.objects.create(
            admin_unit=unit, as_of=dt.date(2024, 1, 31), idps=7, source=source
        )
    )
    refused(lambda: Source.objects.create(title=""))
    incident = IncidentFactory()
    refused(lambda: Incident.objects.filter(pk=incident.pk).update(fatalities=-1))
    refused(lambda: Incident.objects.filter(pk=incident.pk).update(incident_type="rumour"))


def test_codes_are_exactly_capital_ascii_letters():
    transfer = TransferFactory()
    for code in ("US", "U$D", "ÜSD", "usd", " US", "US1"):
        refused(lambda code=code: Transfer.objects.filter(pk=transfer.pk).update(currency=code))
    Transfer.objects.filter(pk=transfer.pk).update(currency="THB")
    for country in ("M", "M1", "ÑM", "m"):
        refused(lambda country=country: OrganisationFactory(base_country=country))
    assert OrganisationFactory(base_country="NO").base_country == "NO"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite schema itself")
def test_sqlite_checks_call_no_python_function():
    # Django's REGEXP is a Python function: a check using it fails in the sqlite3 shell and in
    # any other tool that opens the file (decision 0092).
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        tables = cursor.fetchall()
    assert tables
    assert [name for name, sql in tables if sql and "REGEXP" in sql.upper()] == []
