"""IATI 2.03 activity XML: an organisation's 4W activities and the money it received and sent.

Writing only. Each 4W row becomes one ``iati-activity``; the organisation's transfers become
the transactions of one more activity ("funds received and passed on"). The mapping tables
below are documented in docs/exchange.md ("IATI") and decision 0081. The writer never names an
organisation that is not public (``disclosure.public_org_label``: the alias of a pseudonymous
one, a neutral label for an anonymous one, no identifier or type for either), never writes
coordinates, notes, transfer channels, fees or references, and writes the same bytes for the
same records (no generation time; records in a fixed order).

Every file is validated against the official XSD shipped in ``exchange/data/iati`` (SOURCE.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.utils import translation
from lxml import etree

from corridor.aid.models import Modality, Sector, Status
from corridor.disclosure.records import NOT_NAMED, public_org_label
from corridor.exchange.safety import safe_xml_parser
from corridor.orgs.models import Organisation, OrgKind, Visibility

VERSION = "2.03"
DATA = Path(__file__).resolve().parent.parent / "data" / "iati"
# Not a registered identifier: what the file carries when the organisation gives none (or may
# not be identified). Publishers registering with IATI export with their own identifier.
PLACEHOLDER_REF = "XX-CORRIDOR"
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,99}$")
# Characters XML 1.0 cannot carry; they are dropped from free text rather than failing the file.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Our sectors -> OECD DAC 5-digit purpose codes (sector vocabulary 1), humanitarian codes where
# one fits. Our own code is written alongside under vocabulary 99 (reporting organisation), so
# sectors sharing a DAC code stay apart.
SECTOR_DAC = {
    Sector.FOOD_SECURITY: "72040",  # Emergency food assistance
    Sector.HEALTH: "72011",  # Basic health care services in emergencies
    Sector.NUTRITION: "72011",  # ... includes medical nutritional intervention
    Sector.WASH: "72010",  # Material relief assistance and services (water, sanitation)
    Sector.SHELTER_NFI: "72010",  # ... shelter, non-food relief items
    Sector.PROTECTION: "72010",  # ... safety, dignity and integrity of crisis-affected people
    Sector.EDUCATION: "72012",  # Education in emergencies
    Sector.LIVELIHOODS: "73010",  # Immediate post-emergency reconstruction (livelihoods)
    Sector.MULTIPURPOSE_CASH: "72010",  # ... including cash and voucher delivery modalities
    Sector.LOGISTICS: "72050",  # Relief co-ordination and support services
}
SECTOR_VOCABULARY_DAC = "1"
SECTOR_VOCABULARY_OWN = "99"

# Status -> ActivityStatus.
ACTIVITY_STATUS = {
    Status.PLANNED: "1",
    Status.ONGOING: "2",
    Status.COMPLETED: "4",
    Status.CANCELLED: "5",
}
# ActivityDateType.
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
# TransactionType.
INCOMING_FUNDS, OUTGOING_COMMITMENT, DISBURSEMENT, EXPENDITURE = "1", "2", "3", "4"
INCOMING_COMMITMENT = "11"
# OrganisationRole.
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = "1", "2", "4"
# Modality -> CashandVoucherModalities (aid type vocabulary 4); in-kind and services have none.
AID_TYPE_VOCABULARY_CASH = "4"
CASH_VOUCHER = {Modality.CASH: "1", Modality.VOUCHER: "2"}
# OrgKind -> OrganisationType, for public organisations only. Resistance administrations and
# NUG/NUCC bodies are not called "government": that is a political claim the file need not make.
ORG_TYPE: dict[str, str] = {
    OrgKind.LOCAL_CSO: "22",  # National NGO
    OrgKind.ETHNIC: "90",
    OrgKind.RESISTANCE_ADMIN: "90",
    OrgKind.DIASPORA: "23",  # Regional NGO
    OrgKind.NUG_NUCC: "90",
    OrgKind.INGO: "21",  # International NGO
    OrgKind.UN: "40",  # Multilateral
    OrgKind.DONOR: "90",
    OrgKind.OTHER: "90",
}
OTHER_TYPE = "90"
# Results (ResultType 1 = Output; IndicatorMeasure 1 = Unit): people reached as counted people.
RESULT_OUTPUT, MEASURE_UNIT = "1", "1"
# The disaggregated indicator's slices: (field, sex, age), as IATI dimensions (free text).
REACH_SLICES = (
    ("women", "female", "adult"),
    ("men", "male", "adult"),
    ("girls", "female", "child"),
    ("boys", "male", "child"),
    ("unspecified", "not reported", "not reported"),
)
# Location: an administrative region, approximate, where the activity happened (GeographicLocation
# Class 1, GeographicExactness 2, GeographicLocationReach 1, LocationType ADM3).
LOCATION_CLASS_ADMIN, EXACTNESS_APPROXIMATE, REACH_ACTIVITY = "1", "2", "1"
FEATURE_TOWNSHIP = "ADM3"
COUNTRY = "MM"
# How the description text gives a figure the disclosure gate suppressed (results leave it out).
WITHHELD = "not published"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Party:
    """An organisation as the file may show it: a label, and a type and ref only if public."""

    label: str
    type: str = ""
    ref: str = ""


def party(org: Organisation, *, ref: str = "") -> Party:
    label = public_org_label(org)
    if label is None:
        return Party(NOT_NAMED)
    if org.visibility != Visibility.PUBLIC:
        return Party(label)
    return Party(label, ORG_TYPE.get(org.kind, OTHER_TYPE), ref)


@dataclass(frozen=True)
class Place:
    pcode: str
    name_en: str
    name_my: str = ""


@dataclass(frozen=True)
class ActivityEntry:
    id: str
    updated: dt.datetime
    sector: str
    modality: str
    status: str
    place: Place
    reporting_month: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None
    # People reached as published by the disclosure gate: None where suppressed (left out).
    women: int | None
    men: int | None
    girls: int | None
    boys: int | None
    unspecified: int | None
    total: int | None
    households: int | None  # None: not reported, or suppressed
    value: Decimal | None
    currency: str


@dataclass(frozen=True)
class TransferEntry:
    incoming: bool
    counterpart: Party
    amount: Decimal
    currency: str
    sent_on: dt.date
    updated: dt.datetime


@dataclass(frozen=True)
class SpendingEntry:
    """Money of a grant the reporting organisation spent on its activities, in one week."""

    week: dt.date
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class GrantEntry:
    """One grant as the reporting organisation publishes it: the pledge (as an incoming or
    outgoing commitment, when it is the recipient or the donor), its own confirmed transfers of
    the grant, and its own spending of it (decision 0267)."""

    id: str
    title: str
    updated: dt.datetime
    donor: Party
    recipient: Party
    commitment: bool  # the pledge is written (the reporter is the donor or the recipient)
    incoming: bool  # the reporter is the recipient: an incoming commitment
    amount: Decimal
    currency: str
    pledged_week: dt.date
    starts_on: dt.date
    ends_on: dt.date | None
    ended: bool  # its period is over on the day of the export
    people: str  # people reached as the gate publishes it ("not published" when suppressed)
    transfers: list[TransferEntry]
    spending: list[SpendingEntry]


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for name, value in attrs.items():
        element.set(name.replace("_", "-"), value)
    return element


def _narrative(parent: etree._Element, text: str, lang: str = "") -> None:
    element = etree.SubElement(parent, "narrative")
    if lang:
        element.set(XML_LANG, lang)
    element.text = _text(text)


def _org(parent: etree._Element, tag: str, who: Party, **attrs: str) -> None:
    element = _sub(parent, tag, **attrs)
    if who.ref:
        element.set("ref", who.ref)
    if who.type:
        element.set("type", who.type)
    _narrative(element, who.label)


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _dates(entry: ActivityEntry) -> list[tuple[str, dt.date]]:
    """Activity dates: start (planned or actual) and, when known, end (planned or actual).

    A row with only a reporting month starts on the month's first day; a completed one ends
    on its last day.
    """
    planned = entry.status in (Status.PLANNED, Status.CANCELLED)
    start = entry.start_date or entry.reporting_month
    end = entry.end_date
    if end is None and entry.start_date is None and entry.status == Status.COMPLETED:
        end = _month_end(entry.reporting_month) if entry.reporting_month else None
    found: list[tuple[str, dt.date]] = []
    if start:
        found.append((PLANNED_START if planned else ACTUAL_START, start))
    if end:
        found.append((ACTUAL_END if entry.status == Status.COMPLETED else PLANNED_END, end))
    return found


def _count(value: int | None) -> str:
    return WITHHELD if value is None else str(value)


def _reach(entry: ActivityEntry) -> str:
    if entry.status == Status.CANCELLED:
        return "Cancelled: nobody was reached."
    what = "People planned to reach" if entry.status == Status.PLANNED else "People reached"
    text = (
        f"{what}: {_count(entry.total)} (women {_count(entry.women)}, men "
        f"{_count(entry.men)}, girls {_count(entry.girls)}, boys {_count(entry.boys)}, sex and "
        f"age not reported {_count(entry.unspecified)})."
    )
    if entry.households is not None:
        text += f" Households reached: {entry.households}."
    return text


def _period(entry: ActivityEntry) -> tuple[dt.date, dt.date] | None:
    """The period the people reached were counted in: the reporting month, else the dates."""
    if entry.reporting_month:
        return entry.reporting_month, _month_end(entry.reporting_month)
    if entry.start_date:
        end = entry.end_date or _month_end(entry.start_date)
        return entry.start_date, max(end, entry.start_date)
    return None


def _indicator(
    result: etree._Element,
    title: str,
    period: tuple[dt.date, dt.date],
    actuals: list[tuple[int, list[tuple[str, str]]]],
    *,
    total: bool,
    element: str = "actual",
) -> None:
    attrs = {"measure": MEASURE_UNIT, "ascending": "1"}
    if total:
        attrs["aggregation_status"] = "1"
    indicator = _sub(result, "indicator", **attrs)
    _narrative(_sub(indicator, "title"), title)
    when = _sub(indicator, "period")
    _sub(when, "period-start", iso_date=period[0].isoformat())
    _sub(when, "period-end", iso_date=period[1].isoformat())
    for value, dimensions in actuals:
        actual = _sub(when, element, value=str(value))
        for name, slice_value in dimensions:
            _sub(actual, "dimension", name=name, value=slice_value)


def _results(activity: etree._Element, entry: ActivityEntry) -> None:
    """People (and households) reached as an output result (decision 0081).

    Two indicators, so that no consumer adds a total to its own parts: "People reached" with
    one actual, the total, meant for aggregation; "People reached, by sex and age" with one
    actual per published slice (sex and age as dimensions). Figures come suppressed by the
    disclosure gate: a hidden slice is left out (the published ones then add up to less than
    the total), never written as 0. A planned activity's people are targets, not actuals; a
    cancelled one has no result (decision 0175).
    """
    if entry.status == Status.CANCELLED:
        return
    element = "target" if entry.status == Status.PLANNED else "actual"
    period = _period(entry)
    # A suppressed total leaves the people out altogether: its published parts are zeros,
    # which a consumer adding actuals would read as nobody reached.
    people = entry.total is not None and entry.total > 0
    if period is None or (not people and not entry.households):
        return
    result = _sub(activity, "result", type=RESULT_OUTPUT, aggregation_status="1")
    _narrative(_sub(result, "title"), "People reached")
    if people:
        _indicator(
            result,
            "People reached",
            period,
            [(entry.total or 0, [])],
            total=True,
            element=element,
        )
        slices = [
            (value, [("sex", sex), ("age", age)])
            for value, sex, age in ((getattr(entry, f), sex, age) for f, sex, age in REACH_SLICES)
            if value is not None
        ]
        if slices:
            _indicator(
                result,
                "People reached, by sex and age",
                period,
                slices,
                total=False,
                element=element,
            )
    if entry.households is not None:
        _indicator(
            result,
            "Households reached",
            period,
            [(entry.households, [])],
            total=True,
            element=element,
        )


def _activity(
    root: etree._Element, entry: ActivityEntry, *, reporting: Party, reporter: Party, prefix: str
) -> None:
    sector = Sector(entry.sector)
    modality = Modality(entry.modality)
    when = entry.reporting_month or entry.start_date
    activity = _sub(
        root,
        "iati-activity",
        last_updated_datetime=_stamp(entry.updated),
        humanitarian="1",
    )
    activity.set(XML_LANG, "en")
    _sub(activity, "iati-identifier").text = f"{prefix}-{entry.id}"
    _org(activity, "reporting-org", reporting)
    title = f"{sector.label} in {entry.place.name_en} township"
    if when:
        title += f", {when:%B %Y}" if entry.reporting_month else f", from {when.isoformat()}"
    _narrative(_sub(activity, "title"), title)
    description = _sub(activity, "description", type="1")
    _narrative(
        description,
        f"{modality.label} assistance, {sector.label.lower()}, in {entry.place.name_en} "
        f"township ({entry.place.pcode}). {_reach(entry)}",
    )
    _org(activity, "participating-org", reporter, role=ROLE_IMPLEMENTING)
    _sub(activity, "activity-status", code=ACTIVITY_STATUS[Status(entry.status)])
    for kind, day in _dates(entry):
        _sub(activity, "activity-date", type=kind, iso_date=day.isoformat())
    _sub(activity, "recipient-country", code=COUNTRY, percentage="100")
    location = _sub(activity, "location", ref=entry.place.pcode)
    _sub(location, "location-reach", code=REACH_ACTIVITY)
    name = _sub(location, "name")
    _narrative(name, entry.place.name_en)
    if entry.place.name_my:
        _narrative(name, entry.place.name_my, "my")
    _narrative(
        _sub(location, "description"),
        f"Township, MIMU p-code {entry.place.pcode}; no coordinates are published.",
    )
    _sub(location, "exactness", code=EXACTNESS_APPROXIMATE)
    _sub(location, "location-class", code=LOCATION_CLASS_ADMIN)
    _sub(location, "feature-designation", code=FEATURE_TOWNSHIP)
    _sub(activity, "sector", vocabulary=SECTOR_VOCABULARY_DAC, code=SECTOR_DAC[sector])
    own = _sub(activity, "sector", vocabulary=SECTOR_VOCABULARY_OWN, code=sector.value)
    _narrative(own, str(sector.label))
    if modality in CASH_VOUCHER:
        _sub(
            activity,
            "default-aid-type",
            code=CASH_VOUCHER[modality],
            vocabulary=AID_TYPE_VOCABULARY_CASH,
        )
    if entry.value is not None and entry.currency:
        spent = entry.end_date or entry.start_date or entry.reporting_month
        if spent is not None:
            transaction = _sub(activity, "transaction")
            _sub(transaction, "transaction-type", code=EXPENDITURE)
            _sub(transaction, "transaction-date", iso_date=spent.isoformat())
            value = _sub(
                transaction, "value", currency=entry.currency, value_date=spent.isoformat()
            )
            value.text = _amount(entry.value)
    _results(activity, entry)


def _funds(
    root: etree._Element,
    transfers: list[TransferEntry],
    *,
    reporting: Party,
    reporter: Party,
    prefix: str,
) -> None:
    activity = _sub(
        root,
        "iati-activity",
        last_updated_datetime=_stamp(max(t.updated for t in transfers)),
        humanitarian="1",
    )
    activity.set(XML_LANG, "en")
    _sub(activity, "iati-identifier").text = f"{prefix}-funds"
    _org(activity, "reporting-org", reporting)
    _narrative(_sub(activity, "title"), f"Funds received and passed on by {reporter.label}")
    _narrative(
        _sub(activity, "description", type="1"),
        "Transfers recorded in Corridor, at the amount sent on the day sent. "
        "Channels, fees and references are not published.",
    )
    _org(activity, "participating-org", reporter, role=ROLE_ACCOUNTABLE)
    _sub(activity, "activity-status", code=ACTIVITY_STATUS[Status.ONGOING])
    first = min(t.sent_on for t in transfers)
    _sub(activity, "activity-date", type=ACTUAL_START, iso_date=first.isoformat())
    _sub(activity, "recipient-country", code=COUNTRY, percentage="100")
    for transfer in transfers:
        transaction = _sub(activity, "transaction")
        _sub(
            transaction,
            "transaction-type",
            code=INCOMING_FUNDS if transfer.incoming else DISBURSEMENT,
        )
        day = transfer.sent_on.isoformat()
        _sub(transaction, "transaction-date", iso_date=day)
        value = _sub(transaction, "value", currency=transfer.currency, value_date=day)
        value.text = _amount(transfer.amount)
        tag = "provider-org" if transfer.incoming else "receiver-org"
        _org(transaction, tag, transfer.counterpart)


def _grant(root: etree._Element, grant: GrantEntry, *, reporting: Party, prefix: str) -> None:
    activity = _sub(
        root, "iati-activity", last_updated_datetime=_stamp(grant.updated), humanitarian="1"
    )
    activity.set(XML_LANG, "en")
    _sub(activity, "iati-identifier").text = f"{prefix}-grant-{grant.id}"
    _org(activity, "reporting-org", reporting)
    _narrative(_sub(activity, "title"), grant.title)
    _narrative(
        _sub(activity, "description", type="1"),
        f"A grant from {grant.donor.label} to {grant.recipient.label}, as recorded in Corridor: "
        "the pledge, the transfers of it this organisation confirmed, and what it spent on "
        f"activities. People reached by the activities it paid for: {grant.people}. "
        "Channels, fees, references and intermediaries are not published.",
    )
    _org(activity, "participating-org", grant.donor, role=ROLE_FUNDING)
    _org(activity, "participating-org", grant.recipient, role=ROLE_IMPLEMENTING)
    _sub(
        activity,
        "activity-status",
        code=ACTIVITY_STATUS[Status.COMPLETED if grant.ended else Status.ONGOING],
    )
    _sub(activity, "activity-date", type=ACTUAL_START, iso_date=grant.starts_on.isoformat())
    if grant.ends_on is not None:
        _sub(activity, "activity-date", type=PLANNED_END, iso_date=grant.ends_on.isoformat())
    _sub(activity, "recipient-country", code=COUNTRY, percentage="100")

    def transaction(code: str, day: dt.date, amount: Decimal, currency: str) -> etree._Element:
        element = _sub(activity, "transaction")
        _sub(element, "transaction-type", code=code)
        _sub(element, "transaction-date", iso_date=day.isoformat())
        value = _sub(element, "value", currency=currency, value_date=day.isoformat())
        value.text = _amount(amount)
        return element

    if grant.commitment:
        code = INCOMING_COMMITMENT if grant.incoming else OUTGOING_COMMITMENT
        element = transaction(code, grant.pledged_week, grant.amount, grant.currency)
        if grant.incoming:
            _org(element, "provider-org", grant.donor)
        else:
            _org(element, "receiver-org", grant.recipient)
    for t in grant.transfers:
        element = transaction(
            INCOMING_FUNDS if t.incoming else DISBURSEMENT, t.sent_on, t.amount, t.currency
        )
        _org(element, "provider-org" if t.incoming else "receiver-org", t.counterpart)
    for spent in grant.spending:
        transaction(EXPENDITURE, spent.week, spent.amount, spent.currency)


def write_grant(*, reporter: Party, grant: GrantEntry) -> bytes:
    """One grant as an IATI activity file of the reporting organisation (same records, same
    bytes)."""
    prefix = reporter.ref or PLACEHOLDER_REF
    reporting = Party(reporter.label, reporter.type or OTHER_TYPE, prefix)
    root = etree.Element("iati-activities", version=VERSION)
    with translation.override("en"):
        _grant(root, grant, reporting=reporting, prefix=prefix)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write(
    *,
    reporter: Party,
    activities: Iterable[ActivityEntry],
    transfers: list[TransferEntry],
) -> bytes:
    """The IATI activity file for one organisation, as UTF-8 bytes (same records, same bytes)."""
    prefix = reporter.ref or PLACEHOLDER_REF
    # reporting-org needs a ref and a type; participating-org carries only what is true.
    reporting = Party(reporter.label, reporter.type or OTHER_TYPE, prefix)
    root = etree.Element("iati-activities", version=VERSION)
    with translation.override("en"):
        for entry in activities:
            _activity(root, entry, reporting=reporting, reporter=reporter, prefix=prefix)
        if transfers:
            _funds(root, transfers, reporting=reporting, reporter=reporter, prefix=prefix)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    """The official 2.03 activity schema; its includes resolve beside it, never over the network."""
    document = etree.parse(str(DATA / "iati-activities-schema.xsd"), parser=safe_xml_parser())
    return etree.XMLSchema(document)


def validate(data: bytes) -> list[str]:
    """Schema errors of an activity file as 'line N: message'; empty when it is valid."""
    checker = schema()
    document = etree.fromstring(data, parser=safe_xml_parser())
    if checker.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]
