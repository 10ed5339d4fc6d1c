"""factory_boy factories for tests. Test-only: runtime code never imports this module."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import factory

from corridor.accounts.models import Membership, OrgRole, User
from corridor.aid.models import Activity, Modality, Sector
from corridor.aid.services import rollups_refresh
from corridor.exchange.models import HeldRow, ImportRun, RunStatus
from corridor.funds.models import Evidence, Grant, LegState, Transfer, TransferChannel
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.situation.models import DisplacementFigure, Incident, IncidentType, Source

TEST_PASSWORD = "a long test passphrase 42"


def township(pcode: str = "MMR005022") -> AdminUnit:
    """A township row with its state and district, created if the gazetteer is not loaded."""
    state, _ = AdminUnit.objects.get_or_create(
        pcode=pcode[:6], defaults={"level": 1, "name_en": f"State {pcode[:6]}"}
    )
    district, _ = AdminUnit.objects.get_or_create(
        pcode=pcode[:6] + "D001", defaults={"level": 2, "parent": state, "name_en": "District"}
    )
    unit, _ = AdminUnit.objects.get_or_create(
        pcode=pcode, defaults={"level": 3, "parent": district, "name_en": f"Township {pcode}"}
    )
    return unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    kind = OrgKind.LOCAL_CSO
    base_country = "MM"
    visibility = Visibility.PUBLIC


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrgRole.EDITOR


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Test source {n}")
    publisher = "Test publisher"
    published_on = dt.date(2024, 1, 15)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    organisation = factory.SubFactory(OrganisationFactory)
    sector = Sector.FOOD_SECURITY
    modality = Modality.IN_KIND
    admin_unit = factory.LazyFunction(township)
    reporting_month = dt.date(2024, 3, 1)
    women = 10
    men = 8
    girls = 5
    boys = 4

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Activity:
        # Written past the services, so kept in the monthly reach rollups here (decision 0225).
        activity = super()._create(model_class, *args, **kwargs)
        rollups_refresh([(activity.reporting_month, activity.admin_unit_id)])
        return activity


class DisplacementFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisplacementFigure

    admin_unit = factory.LazyFunction(township)
    as_of = dt.date(2024, 3, 31)
    idps = 1200
    source = factory.SubFactory(SourceFactory)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    occurred_on = dt.date(2024, 3, 10)
    incident_type = IncidentType.AIRSTRIKE
    admin_unit = factory.LazyFunction(township)


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer

    from_organisation = factory.SubFactory(OrganisationFactory, kind=OrgKind.DONOR)
    to_organisation = factory.SubFactory(OrganisationFactory)
    amount = 1000
    currency = "USD"
    sent_on = dt.date(2024, 2, 1)
    channel = TransferChannel.INFORMAL
    # Settled unless a test says otherwise: both sides' legs confirmed, the fee taken.
    fee = None
    sent_state = LegState.CONFIRMED
    received_state = LegState.CONFIRMED
    received_amount = factory.LazyAttribute(lambda o: Decimal(o.amount) - Decimal(o.fee or 0))
    received_currency = factory.LazyAttribute(lambda o: o.currency)
    received_on = factory.LazyAttribute(lambda o: o.sent_on)


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    donor = factory.SubFactory(OrganisationFactory, kind=OrgKind.DONOR)
    recipient = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Grant {n}")
    amount = Decimal(10000)
    currency = "USD"
    pledged_on = dt.date(2024, 1, 15)
    starts_on = dt.date(2024, 2, 1)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    transfer = factory.SubFactory(TransferFactory)
    filename = factory.Sequence(lambda n: f"receipt-{n}.jpg")
    content_type = "image/jpeg"
    content = b"\xff\xd8\xff test receipt bytes"
    size = factory.LazyAttribute(lambda o: len(o.content))


def anonymous_organisation(name: str, **fields: object) -> Organisation:
    """An anonymous organisation as the admin makes one: ``clean`` moves its real name (and
    acronym) into the encrypted ``protected_name`` and leaves a neutral label in ``name``."""
    org = OrganisationFactory.build(name=name, visibility=Visibility.ANONYMOUS, **fields)
    org.clean()
    org.save()
    return org


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    file_name = "5w.csv"
    checksum = factory.Sequence(lambda n: f"{n:064x}")
    format = "hxl"
    kind = "activities"
    status = RunStatus.APPLIED


# A 4W row as a partial import holds it (exchange.held.services.held_store): the plan of
# fields to columns and the labels, no values; the cells with women given as "NA".
HELD_LABELS = [
    "#org",
    "#sector",
    "#modality",
    "#adm3+code",
    "#date+reported",
    "#reached+f+adults",
    "#reached+m+adults",
    "#loc+village",
]


HELD_FIELDS = [
    "org",
    "sector",
    "modality",
    "adm3_code",
    "reporting_month",
    "women",
    "men",
    "village",
]


class HeldRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeldRow

    run = factory.SubFactory(ImportRunFactory, organisation=factory.SelfAttribute("..organisation"))
    organisation = factory.SubFactory(OrganisationFactory)
    file_name = "5w.csv"
    row = 3
    table = factory.LazyFunction(
        lambda: {
            "name": "5w.csv",
            "format": "hxl",
            "kind": "activities",
            "plan": {name: [at] for at, name in enumerate(HELD_FIELDS)},
            "labels": list(HELD_LABELS),
            "id_prefix": "",
            "place_columns": "",
            "key": [],
        }
    )
    cells = factory.LazyFunction(
        lambda: json.dumps(["", "health", "service", "MMR005022", "2024-03", "NA", "5", "A"])
    )
    reasons = json.dumps(
        [{"column": "#reached+f+adults", "value": "NA", "reason": "not a whole number: 'NA'"}]
    )
