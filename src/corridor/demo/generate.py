"""Build the demo dataset in memory: unsaved model instances with their stable UUIDs.

Pure and deterministic: the same seed, size and townships give the same objects, field for
field, on every machine. Writing them is ``corridor.demo.services``' job.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field

from corridor.aid.models import Activity
from corridor.core.coordinates import LATITUDE_RANGE, LONGITUDE_RANGE
from corridor.demo import flows, ledger, money, names
from corridor.demo.flows import BORDER_CHANNEL, COUNTRIES, LOCAL_KINDS
from corridor.demo.names import MARK_EN, RECORD_NOTE
from corridor.demo.plan import SIZE, Size, day_in, key_id, month_end, rng
from corridor.demo.real_figures import REAL_INDICATORS, REAL_SOURCES
from corridor.funds.models import Transfer
from corridor.geo.models import AdminUnit
from corridor.orgs.models import (
    ANONYMOUS_LABEL,
    Coalition,
    CoalitionMembership,
    Organisation,
    OrgKind,
    Visibility,
)
from corridor.situation.models import (
    DisplacementFigure,
    Incident,
    IncidentType,
    Indicator,
    Reliability,
    Source,
)

# Conflict-heavy states and regions weigh more; Yangon, Nay Pyi Taw and Ayeyarwady less.
STATE_WEIGHT = {
    "MMR001": 2.0,
    "MMR002": 3.0,
    "MMR003": 3.0,
    "MMR004": 3.0,
    "MMR005": 3.0,
    "MMR009": 2.5,
    "MMR010": 1.5,
    "MMR012": 2.5,
    "MMR015": 2.0,
    "MMR013": 0.3,
    "MMR017": 0.3,
    "MMR018": 0.2,
}
INCIDENT_WEIGHTS = {
    IncidentType.AIRSTRIKE: 18,
    IncidentType.SHELLING: 16,
    IncidentType.ARSON: 12,
    IncidentType.ARMED_CLASH: 18,
    IncidentType.ARREST: 14,
    IncidentType.KILLING: 8,
    IncidentType.ATTACK_ON_AID: 5,
    IncidentType.FORCED_DISPLACEMENT: 6,
    IncidentType.OTHER: 3,
}


@dataclass
class Dataset:
    organisations: list[Organisation] = field(default_factory=list)
    coalitions: list[Coalition] = field(default_factory=list)
    coalition_memberships: list[CoalitionMembership] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    figures: list[DisplacementFigure] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    incident_sources: list[tuple] = field(default_factory=list)  # (incident id, source id)
    activities: list[Activity] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    ledger: ledger.Ledger = field(default_factory=ledger.Ledger)
    townships: list[AdminUnit] = field(default_factory=list)


def build(seed: int, units: list[AdminUnit], size: Size = SIZE) -> Dataset:
    """The whole demo dataset for ``seed`` over the given level-3 admin units."""
    data = Dataset()
    data.townships = pick_townships(seed, units, size)
    data.organisations = organisations(seed, size)
    coalitions(seed, size, data)
    sources(seed, size, data)
    displacement(seed, size, data)
    sector_needs(seed, size, data)
    incidents(seed, size, data)
    data.activities = flows.activities(seed, size, data.townships, data.organisations)
    data.transfers = money.transfers(seed, size, data.organisations)
    data.ledger = ledger.build(seed, size, data.organisations, data.activities)
    return data


def pick_townships(seed: int, units: list[AdminUnit], size: Size) -> list[AdminUnit]:
    usable = sorted(
        (unit for unit in units if unit.level == 3 and unit.centroid_lat is not None),
        key=lambda unit: unit.pcode,
    )
    if not usable:
        raise ValueError("no townships with centroids: load the admin units first")
    # Weighted sampling without replacement (Efraimidis-Spirakis): more demo townships where
    # the conflict and the cross-border response are, as in real 4W data.
    r = rng(seed, "townships")
    keyed = sorted(
        usable, key=lambda unit: r.random() ** (1 / STATE_WEIGHT.get(unit.pcode[:6], 1.0))
    )
    return sorted(keyed[-size.townships :], key=lambda unit: unit.pcode)


def organisations(seed: int, size: Size) -> list[Organisation]:
    r = rng(seed, "organisations")
    out: list[Organisation] = []
    for kind, count in size.organisations.items():
        combos = [(stem, suffix) for stem in names.STEMS for suffix in names.SUFFIXES[kind]]
        for number, (stem, suffix) in enumerate(r.sample(combos, count)):
            index = len(out)
            name, name_my = names.org_name(stem, suffix)
            roll = r.random()
            visibility = Visibility.PUBLIC
            if kind in LOCAL_KINDS or kind == OrgKind.DIASPORA:
                if roll < 0.2:
                    visibility = Visibility.ANONYMOUS
                elif roll < 0.45:
                    visibility = Visibility.PSEUDONYMOUS
            alias = f"Partner {index + 1:02d} {MARK_EN}" if visibility == "pseudonymous" else ""
            out.append(
                Organisation(
                    id=key_id(f"organisation:{index}"),
                    name=name,
                    name_my=name_my,
                    acronym=names.acronym(name),
                    kind=kind,
                    # Donors take the countries in turn, so every donor currency appears.
                    base_country=(
                        COUNTRIES[kind][number % len(COUNTRIES[kind])]
                        if kind == OrgKind.DONOR
                        else r.choice(COUNTRIES[kind])
                    ),
                    visibility=visibility,
                    alias=alias,
                )
            )
            if visibility == Visibility.ANONYMOUS:
                # The real (here synthetic) name goes into the encrypted field, as
                # Organisation.clean() would do; the label stays marked as synthetic.
                out[-1].clean()
                out[-1].name = f"{ANONYMOUS_LABEL} {index + 1:02d} {MARK_EN}"
    return out


def coalitions(seed: int, size: Size, data: Dataset) -> None:
    r = rng(seed, "coalitions")
    candidates = [org for org in data.organisations if org.kind not in (OrgKind.DONOR, OrgKind.UN)]
    for index, members in enumerate(size.coalition_sizes):
        name, about = names.COALITIONS[index]
        coalition = Coalition(
            id=key_id(f"coalition:{index}"),
            name=f"{name} {MARK_EN}",
            description=f"{RECORD_NOTE}: a fictional network of {about}.",
        )
        data.coalitions.append(coalition)
        for org in r.sample(candidates, members):
            data.coalition_memberships.append(
                CoalitionMembership(
                    id=key_id(f"coalition-membership:{index}:{org.id}"),
                    coalition_id=coalition.id,
                    organisation_id=org.id,
                    joined_on=dt.date(2021, 3, 1) + dt.timedelta(days=r.randrange(900)),
                )
            )


def _monthly_source(kind: str, title: str, month: dt.date) -> Source:
    return Source(
        id=key_id(f"source:{kind}:{month:%Y-%m}"),
        title=f"{title}, {month:%B %Y} {MARK_EN}",
        publisher=f"Demo monitoring desk {MARK_EN}",
        published_on=month_end(month) + dt.timedelta(days=5),
        url="",
        reliability=Reliability.B,
    )


def sources(seed: int, size: Size, data: Dataset) -> None:
    r = rng(seed, "sources")
    for month in size.reported_months:
        data.sources.append(_monthly_source("bulletin", "Township displacement bulletin", month))
        data.sources.append(_monthly_source("digest", "Incident digest", month))
    reporters = [org for org in data.organisations if org.kind in LOCAL_KINDS]
    span = (month_end(size.last_reported_month) - size.first_month).days
    for index in range(size.field_reports):
        publisher = r.choice(reporters)
        data.sources.append(
            Source(
                id=key_id(f"source:field-report:{index}"),
                title=f"Field report No. {index + 1:03d} {MARK_EN}",
                publisher=publisher.public_label or f"Anonymous reporter {MARK_EN}",
                published_on=size.first_month + dt.timedelta(days=r.randrange(span)),
                url="",
                reliability=r.choice(["B", "C", "C", "D", "E", "F"]),
            )
        )
    for real in REAL_SOURCES:
        data.sources.append(
            Source(
                id=key_id(real.key),
                title=real.title,
                publisher=real.publisher,
                published_on=real.published_on,
                url=real.url,
                reliability=real.reliability,
            )
        )
    for figure in REAL_INDICATORS:
        data.indicators.append(
            Indicator(
                id=key_id(f"indicator:real:{figure.code}:{figure.as_of}"),
                code=figure.code,
                label=figure.label,
                value=figure.value,
                admin_unit=None,
                as_of=figure.as_of,
                source_id=key_id(figure.source_key),
                notes=figure.notes,
            )
        )


def displacement(seed: int, size: Size, data: Dataset) -> None:
    r = rng(seed, "displacement")
    reporters = [org for org in data.organisations if org.kind in LOCAL_KINDS]
    for unit in data.townships:
        border = unit.pcode[:6] in BORDER_CHANNEL
        level = math.exp(r.uniform(math.log(300), math.log(30_000)))
        has_refugees = border and r.random() < 0.4
        has_need = r.random() < 0.7
        reporter = r.choice(reporters)
        for month in size.reported_months:
            level = level * r.uniform(0.93, 1.1)
            if r.random() < 0.05:  # a new wave of displacement after fighting
                level += r.randint(500, 8000)
            idps = int(level)
            data.figures.append(
                DisplacementFigure(
                    id=key_id(f"displacement:{unit.pcode}:{month:%Y-%m}"),
                    admin_unit_id=unit.pcode,
                    as_of=month_end(month),
                    idps=idps,
                    refugees=int(idps * r.uniform(0.02, 0.15)) if has_refugees else None,
                    people_in_need=int(idps * r.uniform(1.3, 2.2)) if has_need else None,
                    source_id=key_id(f"source:bulletin:{month:%Y-%m}"),
                    notes=f"{RECORD_NOTE}: not a real estimate.",
                    reporting_organisation_id=reporter.id,
                )
            )


def sector_needs(seed: int, size: Size, data: Dataset) -> None:
    """A needs overview for the last reported year: people in need per township for a few
    sectors, valid the whole year (decision 0176), so the gap table shows need by sector."""
    r = rng(seed, "needs")
    year = size.last_reported_month.year
    published = dt.date(year - 1, 12, 15)
    hno = Source(
        id=key_id(f"source:needs-overview:{year}"),
        title=f"Humanitarian needs overview {year} {MARK_EN}",
        publisher=f"Demo needs assessment {MARK_EN}",
        published_on=published,
        url="",
        reliability=Reliability.B,
    )
    data.sources.append(hno)
    idps = {f.admin_unit_id: f.idps for f in data.figures if f.as_of.year == year - 1}
    for unit in data.townships:
        for sector in size.need_sectors:
            base = idps.get(unit.pcode) or 1000
            data.figures.append(
                DisplacementFigure(
                    id=key_id(f"need:{unit.pcode}:{sector}:{year}"),
                    admin_unit_id=unit.pcode,
                    as_of=published,
                    idps=None,
                    people_in_need=int(base * r.uniform(0.6, 1.6)),
                    sector=sector,
                    valid_from=dt.date(year, 1, 1),
                    valid_to=dt.date(year, 12, 31),
                    source_id=hno.id,
                    notes=f"{RECORD_NOTE}: not a real estimate.",
                )
            )


def _casualties(kind: str, r) -> tuple[int, int, int]:
    """(fatalities, injuries, detained) plausible for the incident type."""
    if kind == IncidentType.AIRSTRIKE:
        return r.randint(0, 12), r.randint(0, 20), 0
    if kind == IncidentType.SHELLING:
        return r.randint(0, 5), r.randint(0, 10), 0
    if kind == IncidentType.ARMED_CLASH:
        return r.randint(0, 4), r.randint(0, 6), 0
    if kind == IncidentType.ARREST:
        return 0, 0, r.randint(1, 15)
    if kind == IncidentType.KILLING:
        return r.randint(1, 6), r.randint(0, 2), 0
    if kind == IncidentType.ATTACK_ON_AID:
        return r.randint(0, 2), r.randint(0, 3), r.randint(0, 4)
    return 0, r.randint(0, 2), 0


def incidents(seed: int, size: Size, data: Dataset) -> None:
    r = rng(seed, "incidents")
    reporters = [org for org in data.organisations if org.kind in LOCAL_KINDS]
    reports = sorted(
        (s for s in data.sources if s.title.startswith("Field report")),
        key=lambda s: (s.published_on, s.title),
    )
    # Every field report has its day (``sources`` above gives each one).
    report_dates = [s.published_on or dt.date.max for s in reports]
    types, weights = list(INCIDENT_WEIGHTS), list(INCIDENT_WEIGHTS.values())
    for index in range(size.incidents):
        unit = r.choice(data.townships)
        month = r.choice(size.reported_months)
        kind = r.choices(types, weights)[0]
        fatalities, injuries, detained = _casualties(kind, r)
        latitude = longitude = None
        centre_lat, centre_lon = unit.centroid_lat, unit.centroid_lon  # every township has one
        # An exact site known: a test of how coordinates are protected.
        if centre_lat is not None and centre_lon is not None and r.random() < 0.25:
            lat_low, lat_high = LATITUDE_RANGE
            lon_low, lon_high = LONGITUDE_RANGE
            lat = centre_lat + r.uniform(-0.04, 0.04)
            lon = centre_lon + r.uniform(-0.04, 0.04)
            latitude = round(min(lat_high, max(lat_low, lat)), 5)
            longitude = round(min(lon_high, max(lon_low, lon)), 5)
        incident = Incident(
            id=key_id(f"incident:{index}"),
            occurred_on=day_in(month, r),
            incident_type=kind,
            admin_unit_id=unit.pcode,
            latitude=latitude,
            longitude=longitude,
            fatalities=fatalities,
            injuries=injuries,
            detained=detained,
            description=(
                f"{RECORD_NOTE}: a fictional {IncidentType(kind).label.lower()} in "
                f"{unit.name_en} township. No real event is described."
            ),
            reporting_organisation_id=r.choice(reporters).id,
        )
        data.incidents.append(incident)
        data.incident_sources.append((incident.id, key_id(f"source:digest:{month:%Y-%m}")))
        if r.random() < 0.4:
            # A field report published on or after the day, when there is one.
            at = bisect.bisect_left(report_dates, incident.occurred_on)
            report = (
                reports[at + r.randrange(min(5, len(reports) - at))]
                if at < len(reports)
                else reports[-1]
            )
            data.incident_sources.append((incident.id, report.id))
