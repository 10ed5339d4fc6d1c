"""IATI export: valid against the official 2.03 schema, codes from the codelists, nobody named
who may not be, no coordinates, and the same bytes every time."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from corridor.aid.models import Activity
from corridor.cli.main import main
from corridor.core.errors import InvalidInput
from corridor.demo.plan import Size
from corridor.demo.services import demo_load
from corridor.disclosure import month_is_publishable, publication_cutoff
from corridor.disclosure.records import NOT_NAMED
from corridor.exchange.formats import iati
from corridor.exchange.services import iati_export
from corridor.funds.models import Dispute, Transfer
from corridor.funds.queries import transfers_counting_for
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.testing.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
)
from corridor.testing.signin import signed_in_client

DATA = iati.DATA
SMALL = Size(townships=12, activities=300, incidents=5, field_reports=5, transfer_chains=15)


def codes(name: str) -> set[str]:
    tree = etree.parse(str(DATA / "codelists" / f"{name}.xml"))
    return {item.findtext("code") for item in tree.iter("codelist-item")}


def official_schema() -> etree.XMLSchema:
    # Loaded here, not through the module under test, so a broken loader cannot hide errors.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(DATA / "iati-activities-schema.xsd"), parser))


def export(org: Organisation, **kwargs) -> bytes:
    out = io.BytesIO()
    iati_export(by=None, organisation=org, out=out, **kwargs)
    return out.getvalue()


def _last_whole_month(today: dt.date) -> dt.date:
    """The first day of the last month that ended on or before the publication cutoff."""
    month = publication_cutoff(today).replace(day=1)
    while not month_is_publishable(month, today):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


@pytest.fixture
def demo(places):
    demo_load(size=SMALL)


def _busiest(visibility: str) -> Organisation:
    """The organisation of this visibility with the most activities and some transfers."""
    best = None
    for org in Organisation.objects.filter(visibility=visibility).order_by("id"):
        moves = Transfer.objects.filter(from_organisation=org).count()
        moves += Transfer.objects.filter(to_organisation=org).count()
        score = (org.activities.count(), moves)
        if moves and (best is None or score > best[0]):
            best = (score, org)
    assert best is not None, f"the demo has no {visibility} organisation with transfers"
    return best[1]


def test_demo_export_validates_and_uses_codelist_codes(demo):
    org = _busiest(Visibility.PUBLIC)
    data = export(org, identifier="MM-TEST-0001")
    document = etree.fromstring(data)
    schema = official_schema()
    assert schema.validate(document), schema.error_log

    # Only what the publication cutoff lets out: whole reporting months (or start dates) and
    # transfers on or before it.
    today = timezone.localdate()
    cutoff = publication_cutoff(today)
    activities = Activity.objects.filter(organisation=org).filter(
        Q(reporting_month__isnull=False, reporting_month__lte=_last_whole_month(today))
        | Q(reporting_month__isnull=True, start_date__lte=cutoff)
    )
    assert activities.count() < Activity.objects.filter(organisation=org).count()
    settled = transfers_counting_for(org)
    incoming = settled.filter(to_organisation=org, received_on__lte=cutoff).count()
    outgoing = settled.filter(from_organisation=org, sent_on__lte=cutoff).count()
    blocks = document.findall("iati-activity")
    assert len(blocks) == activities.count() + 1
    funds = blocks[-1]
    assert funds.findtext("iati-identifier") == "MM-TEST-0001-funds"
    types = [t.get("code") for t in funds.iterfind("transaction/transaction-type")]
    assert types.count(iati.INCOMING_FUNDS) == incoming
    assert types.count(iati.DISBURSEMENT) == outgoing
    expenditures = document.findall("iati-activity/transaction/transaction-type[@code='4']")
    assert len(expenditures) == activities.exclude(value=None).count()

    identifiers = [b.findtext("iati-identifier") for b in blocks]
    assert len(set(identifiers)) == len(identifiers)
    assert all(i.startswith("MM-TEST-0001-") for i in identifiers)
    for block in blocks:
        reporter = block.find("reporting-org")
        assert reporter.get("ref") == "MM-TEST-0001"
        assert reporter.findtext("narrative") == org.name
    # Every code the file carries is in its IATI codelist.
    checks = {
        "transaction/transaction-type": "TransactionType",
        "activity-status": "ActivityStatus",
        "activity-date": "ActivityDateType",
        "participating-org": "OrganisationRole",
        "sector[@vocabulary='1']": "Sector",
        "location/exactness": "GeographicExactness",
        "location/location-class": "GeographicLocationClass",
        "location/location-reach": "GeographicLocationReach",
        "default-aid-type": "CashandVoucherModalities",
        "result": "ResultType",
        "result/indicator": "IndicatorMeasure",
    }
    attributes = {
        "OrganisationRole": "role",
        "ActivityDateType": "type",
        "ResultType": "type",
        "IndicatorMeasure": "measure",
    }
    for path, codelist in checks.items():
        attribute = attributes.get(codelist, "code")
        found = {e.get(attribute) for e in document.iterfind(f"iati-activity/{path}")}
        assert found, path
        assert found <= codes(codelist), (path, found - codes(codelist))
    vocabularies = {e.get("vocabulary") for e in document.iterfind("iati-activity/sector")}
    assert vocabularies == {"1", "99"}
    assert vocabularies <= codes("SectorVocabulary")
    currencies = {e.get("currency") for e in document.iter("value")}
    assert currencies
    assert currencies <= codes("Currency")
    org_types = {e.get("type") for e in document.iter("reporting-org", "provider-org")}
    assert org_types - {None} <= codes("OrganisationType")

    # Places: the township's p-code and names, and never a coordinate.
    first = activities.order_by("reporting_month", "start_date", "admin_unit_id", "sector", "id")[0]
    location = blocks[0].find("location")
    assert location.get("ref") == first.admin_unit_id
    assert location.find("name/narrative").text == first.admin_unit.name_en
    assert document.find(".//point") is None
    assert b"<pos" not in data


def test_anonymous_and_pseudonymous_organisations_are_never_named(places):
    reporter = OrganisationFactory(name="Chin Relief Network", acronym="CRN")
    hidden = OrganisationFactory(
        name="Sagaing Mutual Aid Circle",
        acronym="SMAC",
        name_my="စစ်ကိုင်း အကူအညီ",
        kind=OrgKind.RESISTANCE_ADMIN,
        visibility=Visibility.ANONYMOUS,
    )
    hidden.clean()  # as every form and service does: the real name moves to protected_name
    hidden.save()
    masked = OrganisationFactory(
        name="Mandalay Students Union",
        acronym="MSU",
        visibility=Visibility.PSEUDONYMOUS,
        alias="River Friends",
    )
    TransferFactory(from_organisation=masked, to_organisation=reporter, amount=500)
    TransferFactory(
        from_organisation=reporter, to_organisation=hidden, amount=Decimal("120.50"), currency="THB"
    )
    disputed = TransferFactory(from_organisation=hidden, to_organisation=reporter)
    Dispute.objects.create(
        transfer=disputed, opened_by=reporter, opened_on=disputed.sent_on, note="never came"
    )
    ActivityFactory(organisation=reporter, admin_unit_id="MMR004002")
    ActivityFactory(
        organisation=hidden,
        admin_unit_id="MMR004006",
        sector="wash",
        modality="cash",
        value=Decimal("99"),
        currency="USD",
        notes="handover at the monastery, contact U Aung",
    )

    for org in (reporter, hidden, masked):
        data = export(org)
        assert official_schema().validate(etree.fromstring(data))
        for secret in (
            "Sagaing Mutual Aid",
            "SMAC",
            "စစ်ကိုင်း",
            hidden.name,  # its neutral label carries a piece of its id
            str(hidden.pk),
            str(hidden.pk)[:8],
            "Mandalay Students",
            "MSU",
            str(masked.pk),
            "monastery",
        ):
            assert secret.encode() not in data, (org, secret)

    document = etree.fromstring(export(reporter))
    funds = document.findall("iati-activity")[-1]
    received = funds.xpath("transaction[transaction-type/@code='1']/provider-org")[0]
    sent = funds.xpath("transaction[transaction-type/@code='3']/receiver-org")[0]
    assert received.findtext("narrative") == "River Friends"
    assert received.attrib == {}
    assert sent.findtext("narrative") == NOT_NAMED
    assert sent.attrib == {}
    assert len(funds.findall("transaction")) == 2  # the disputed one is left out
    assert funds.xpath("transaction[transaction-type/@code='3']/value")[0].text == "120.50"

    own = etree.fromstring(export(hidden))
    reporting = own.find("iati-activity/reporting-org")
    assert reporting.findtext("narrative") == NOT_NAMED
    assert reporting.attrib == {"ref": iati.PLACEHOLDER_REF, "type": iati.OTHER_TYPE}
    assert own.find("iati-activity/default-aid-type").get("code") == "1"  # cash
    with pytest.raises(InvalidInput, match="not public"):
        export(hidden, identifier="MM-XYZ-1")


def test_export_is_deterministic(places):
    reporter = OrganisationFactory(name="Karen Health Collective")
    for n, pcode in enumerate(("MMR004002", "MMR004006", "MMR005022")):
        ActivityFactory(
            organisation=reporter,
            admin_unit_id=pcode,
            status="completed",
            reporting_month=dt.date(2024, 1 + n, 1),
        )
    TransferFactory(to_organisation=reporter, sent_on=dt.date(2024, 2, 1))
    TransferFactory(to_organisation=reporter, sent_on=dt.date(2024, 2, 1), amount=7)
    first = export(reporter)
    assert export(reporter) == first
    dates = etree.fromstring(first).findall("iati-activity[1]/activity-date")
    assert [(d.get("type"), d.get("iso-date")) for d in dates] == [
        ("2", "2024-01-01"),
        ("4", "2024-01-31"),
    ]
    assert b"generated-datetime" not in first


def test_cli_writes_the_file_and_refuses_missing_org(places, tmp_path, capsys):
    reporter = OrganisationFactory(name="Kachin Youth Aid", acronym="KYA")
    ActivityFactory(organisation=reporter, admin_unit_id="MMR004002")
    target = tmp_path / "kya.xml"
    assert main(["export", "iati", "--org", "KYA", "-o", str(target)]) == 0
    assert "1 activities and 0 transactions written" in capsys.readouterr().err
    assert official_schema().validate(etree.parse(str(target)))
    assert main(["export", "iati", "-o", str(target)]) == 1
    assert "needs --org" in capsys.readouterr().err


def test_people_reached_are_an_output_result_with_sex_and_age(places):
    reporter = OrganisationFactory(name="Chin Relief Network")
    ActivityFactory(
        organisation=reporter,
        admin_unit_id="MMR004002",
        reporting_month=dt.date(2024, 3, 1),
        women=120,
        men=95,
        girls=40,
        boys=38,
        unspecified=7,
        households=61,
    )
    ActivityFactory(
        organisation=reporter,
        admin_unit_id="MMR004006",
        reporting_month=None,
        start_date=dt.date(2024, 2, 10),
        end_date=None,
        women=0,
        men=0,
        girls=0,
        boys=0,
        unspecified=0,
        households=None,
    )
    document = etree.fromstring(export(reporter))
    assert official_schema().validate(document)
    # NULL months sort first on SQLite and last on PostgreSQL: find each row by its township.
    first, second = (
        document.xpath(f"iati-activity[location/@ref='{pcode}']")[0]
        for pcode in ("MMR004002", "MMR004006")
    )

    result = first.find("result")
    assert (result.get("type"), result.findtext("title/narrative")) == ("1", "People reached")
    indicators = result.findall("indicator")
    assert [i.findtext("title/narrative") for i in indicators] == [
        "People reached",
        "People reached, by sex and age",
        "Households reached",
    ]
    assert [i.get("aggregation-status") for i in indicators] == ["1", None, "1"]
    for indicator in indicators:
        period = indicator.find("period")
        assert period.find("period-start").get("iso-date") == "2024-03-01"
        assert period.find("period-end").get("iso-date") == "2024-03-31"
    assert [a.get("value") for a in indicators[0].iterfind("period/actual")] == ["300"]
    slices = [
        (a.get("value"), [(d.get("name"), d.get("value")) for d in a.iterfind("dimension")])
        for a in indicators[1].iterfind("period/actual")
    ]
    assert slices == [
        ("120", [("sex", "female"), ("age", "adult")]),
        ("95", [("sex", "male"), ("age", "adult")]),
        ("40", [("sex", "female"), ("age", "child")]),
        ("38", [("sex", "male"), ("age", "child")]),
        ("7", [("sex", "not reported"), ("age", "not reported")]),
    ]
    assert sum(int(v) for v, _ in slices) == 300
    assert indicators[2].find("period/actual").get("value") == "61"
    # Nobody counted: no result, rather than a claim of zero people reached.
    assert second.find("result") is None


def test_iati_over_http_has_no_small_count_no_exact_day_and_nothing_after_the_cutoff(places):
    reporter = OrganisationFactory(name="Chin Relief Network")
    today = timezone.localdate()
    recent = today - dt.timedelta(days=2)
    ActivityFactory(  # exact days, and counts of 1..4 beside big ones
        organisation=reporter,
        admin_unit_id="MMR004002",
        reporting_month=None,
        start_date=dt.date(2024, 3, 13),
        end_date=dt.date(2024, 3, 29),
        status="completed",
        women=40,
        men=2,
        girls=17,
        boys=9,
        unspecified=0,
        households=3,
        value=Decimal("80"),
        currency="USD",
    )
    ActivityFactory(  # a handful of people in all: nothing about them is published
        organisation=reporter,
        admin_unit_id="MMR004006",
        reporting_month=dt.date(2024, 4, 1),
        women=1,
        men=1,
        girls=0,
        boys=2,
    )
    ActivityFactory(organisation=reporter, reporting_month=None, start_date=recent, women=70)
    TransferFactory(to_organisation=reporter, sent_on=dt.date(2024, 3, 14))
    TransferFactory(to_organisation=reporter, sent_on=recent, amount=Decimal("777.00"))
    viewer = MembershipFactory(organisation=reporter, role="viewer").user

    response = signed_in_client(viewer).get(f"/api/exchange/exports/iati/{reporter.pk}.xml")

    assert response.status_code == 200
    data = response.content
    document = etree.fromstring(data)
    assert official_schema().validate(document), official_schema().error_log
    k = settings.DISCLOSURE_K
    values = [int(a.get("value")) for a in document.iter("actual")]
    assert values
    assert not [v for v in values if 0 < v < k]
    # People reached in the description text: no small number either.
    for text in document.xpath("//description/narrative/text()"):
        said = r"(?:reached:|women|men|girls|boys|reported) (\d+)"
        numbers = [int(n) for n in re.findall(said, text)]
        assert not [n for n in numbers if 0 < n < k], text
    cutoff = publication_cutoff(today)
    days = [dt.date.fromisoformat(d[:10]) for d in document.xpath("//@iso-date | //@value-date")]
    days += [dt.date.fromisoformat(d[:10]) for d in document.xpath("//@last-updated-datetime")]
    assert days
    for day in days:
        assert day <= cutoff, day
        month_bound = day.day == 1 or (day + dt.timedelta(days=1)).day == 1
        assert day.isoweekday() == 1 or month_bound, day
    assert b"2024-03-13" not in data
    assert b"2024-03-29" not in data
    # NULL months sort differently on SQLite and PostgreSQL: find the row by its township.
    dated = document.xpath("iati-activity[location/@ref='MMR004002']")[0]
    assert dated.xpath("activity-date/@iso-date") == ["2024-03-11", "2024-03-25"]
    assert b"777.00" not in data  # sent two days ago
    assert len(document.findall("iati-activity")) == 3  # two activities and the funds
    small = document.xpath("iati-activity[location/@ref='MMR004006']")[0]
    assert small.find("result") is None


def test_iati_of_an_organisation_with_nothing_to_publish_is_a_clear_refusal(places):
    quiet = OrganisationFactory(name="Quiet Network")
    ActivityFactory(  # only something too recent to publish
        organisation=quiet, reporting_month=None, start_date=timezone.localdate(), women=70
    )
    viewer = MembershipFactory(organisation=quiet, role="viewer").user

    response = signed_in_client(viewer).get(f"/api/exchange/exports/iati/{quiet.pk}.xml")

    assert response.status_code == 400
    assert "nothing to publish" in response.json()["detail"]
    with pytest.raises(InvalidInput, match="nothing to publish"):
        export(quiet)
