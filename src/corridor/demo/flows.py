"""Demo activities: the aid that reaches people (the money behind it: ``demo.money``)."""

from __future__ import annotations

import datetime as dt
import math

from corridor.aid.models import Activity, Channel, Modality, Sector, Status
from corridor.demo.money import LOCAL_KINDS, activity_value
from corridor.demo.names import RECORD_NOTE
from corridor.demo.plan import Size, day_in, key_id, month_end, rng
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation, OrgKind

__all__ = ["LOCAL_KINDS", "activities"]

COUNTRIES = {
    OrgKind.LOCAL_CSO: ["MM", "MM", "MM", "TH"],
    OrgKind.ETHNIC: ["MM", "MM", "TH"],
    OrgKind.RESISTANCE_ADMIN: ["MM"],
    OrgKind.DIASPORA: ["TH", "US", "JP", "NO", "AU", "GB", "MY"],
    OrgKind.NUG_NUCC: ["MM", "US"],
    OrgKind.INGO: ["TH", "NO", "GB", "JP", "US"],
    OrgKind.UN: ["MM", "TH"],
    OrgKind.DONOR: ["NO", "JP", "US", "GB", "CH"],
    OrgKind.OTHER: ["TH", "MM"],
}
# Which border a state's cross-border aid comes over (state p-code -> channel).
BORDER_CHANNEL = {
    "MMR001": Channel.CROSS_BORDER_CN,
    "MMR002": Channel.CROSS_BORDER_TH,
    "MMR003": Channel.CROSS_BORDER_TH,
    "MMR004": Channel.CROSS_BORDER_IN,
    "MMR005": Channel.CROSS_BORDER_IN,
    "MMR006": Channel.CROSS_BORDER_TH,
    "MMR011": Channel.CROSS_BORDER_TH,
    "MMR012": Channel.CROSS_BORDER_BD,
    "MMR014": Channel.CROSS_BORDER_TH,
    "MMR015": Channel.CROSS_BORDER_CN,
    "MMR016": Channel.CROSS_BORDER_CN,
}
ACTIVITY_CURRENCY = {Channel.IN_COUNTRY: "MMK", Channel.CROSS_BORDER_TH: "THB"}
SECTOR_WEIGHTS = {
    Sector.FOOD_SECURITY: 25,
    Sector.HEALTH: 15,
    Sector.NUTRITION: 6,
    Sector.WASH: 10,
    Sector.SHELTER_NFI: 10,
    Sector.PROTECTION: 8,
    Sector.EDUCATION: 8,
    Sector.LIVELIHOODS: 6,
    Sector.MULTIPURPOSE_CASH: 8,
    Sector.LOGISTICS: 4,
}
SECTOR_MODALITIES = {
    Sector.FOOD_SECURITY: [Modality.IN_KIND, Modality.CASH, Modality.VOUCHER],
    Sector.HEALTH: [Modality.SERVICE, Modality.IN_KIND],
    Sector.NUTRITION: [Modality.IN_KIND, Modality.SERVICE],
    Sector.WASH: [Modality.IN_KIND, Modality.SERVICE],
    Sector.SHELTER_NFI: [Modality.IN_KIND, Modality.CASH],
    Sector.PROTECTION: [Modality.SERVICE],
    Sector.EDUCATION: [Modality.SERVICE, Modality.IN_KIND],
    Sector.LIVELIHOODS: [Modality.CASH, Modality.IN_KIND],
    Sector.MULTIPURPOSE_CASH: [Modality.CASH],
    Sector.LOGISTICS: [Modality.SERVICE],
}


def _reach(people: int, r) -> dict[str, int]:
    """People reached split by sex and age; some reports could not split them at all."""
    if r.random() < 0.15:
        return {"women": 0, "men": 0, "girls": 0, "boys": 0, "unspecified": people}
    unspecified = int(people * r.uniform(0, 0.3)) if r.random() < 0.2 else 0
    rest = people - unspecified
    women = int(rest * r.uniform(0.28, 0.34))
    men = int(rest * r.uniform(0.22, 0.28))
    girls = int(rest * r.uniform(0.17, 0.22))
    boys = rest - women - men - girls
    return {"women": women, "men": men, "girls": girls, "boys": boys, "unspecified": unspecified}


CANCELLED_EVERY = 61


def activities(
    seed: int, size: Size, townships: list[AdminUnit], organisations: list[Organisation]
) -> list[Activity]:
    r = rng(seed, "activities")
    implementers = [org for org in organisations if org.kind != OrgKind.DONOR]
    present = {unit.pcode: r.sample(implementers, r.randint(2, 5)) for unit in townships}
    weights = [r.uniform(0.3, 3.0) for _ in townships]
    sectors, sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    reference, reference_end = size.last_reported_month, month_end(size.last_reported_month)
    out = []
    for index in range(size.activities):
        # Every township gets an activity first; then busier townships get more.
        unit = townships[index] if index < len(townships) else r.choices(townships, weights)[0]
        sector = r.choices(sectors, sector_weights)[0]
        border = BORDER_CHANNEL.get(unit.pcode[:6])
        channel = border if border and r.random() < 0.45 else Channel.IN_COUNTRY
        month = r.choice(size.planned_months)
        people = int(math.exp(r.uniform(math.log(20), math.log(3000))))
        households = max(1, round(people / r.uniform(4.2, 5.5))) if r.random() < 0.85 else None
        value, currency = None, ""
        if r.random() < 0.75:
            currency = ACTIVITY_CURRENCY.get(channel, "USD")
            value = activity_value(people, currency, r)
        when: dict = {"reporting_month": None, "start_date": None, "end_date": None}
        if r.random() < 0.8:
            when["reporting_month"] = month
            status = (
                Status.PLANNED
                if month > reference
                else Status.ONGOING
                if month == reference
                # Now and then a plan fell through: cancelled rows count nowhere.
                else Status.CANCELLED
                if index % CANCELLED_EVERY == 0
                else Status.COMPLETED
            )
        else:
            start = day_in(month, r)
            end = start + dt.timedelta(days=r.randint(30, 180))
            when.update(start_date=start, end_date=end)
            status = (
                Status.PLANNED
                if start > reference_end
                else Status.ONGOING
                if end > reference_end
                else Status.COMPLETED
            )
        out.append(
            Activity(
                id=key_id(f"activity:{index}"),
                organisation_id=r.choice(present[unit.pcode]).id,
                sector=sector,
                modality=r.choice(SECTOR_MODALITIES[sector]),
                channel=channel,
                admin_unit_id=unit.pcode,
                status=status,
                households=households,
                value=value,
                currency=currency,
                notes=f"{RECORD_NOTE}.",
                **when,
                **_reach(people, r),
            )
        )
    return out
