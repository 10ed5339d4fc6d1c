"""Demo activities and transfers: the aid that reaches people and the money behind it."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from corridor.aid.models import Activity, Channel, Modality, Sector, Status
from corridor.demo.names import RECORD_NOTE
from corridor.demo.plan import Size, day_in, key_id, month_end, rng
from corridor.funds.models import LegState, Transfer, TransferChannel
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation, OrgKind

LOCAL_KINDS = (OrgKind.LOCAL_CSO, OrgKind.ETHNIC, OrgKind.RESISTANCE_ADMIN)
INTERMEDIARY_KINDS = (OrgKind.INGO, OrgKind.DIASPORA, OrgKind.UN, OrgKind.NUG_NUCC, OrgKind.OTHER)
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
DONOR_CURRENCY = {"NO": "NOK", "JP": "JPY", "US": "USD", "GB": "USD", "CH": "USD"}
# Rough units per US dollar over 2022-2026 (MMK at a market rate): enough for plausible amounts.
PER_USD = {"USD": 1.0, "THB": 35.0, "MMK": 3500.0, "JPY": 145.0, "NOK": 10.5}
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
CENT = Decimal("0.01")


def money(amount: float, currency: str) -> Decimal:
    # Kyat and yen have no minor unit in practice: whole amounts read as real.
    if currency in ("MMK", "JPY"):
        return Decimal(round(amount)).quantize(CENT)
    return Decimal(str(round(amount, 2))).quantize(CENT)


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
            value = money(people * r.uniform(4, 60) * PER_USD[currency], currency)
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


def _received(sent_on: dt.date, reference_end: dt.date, r) -> str:
    """The received leg's state: none yet for recent or some older transfers, else mostly
    confirmed by the receiver and sometimes only claimed by the sender."""
    if sent_on > reference_end - dt.timedelta(days=10):
        return ""
    return r.choices([LegState.CONFIRMED, "", LegState.CLAIMED], [85, 8, 7])[0]


def transfers(seed: int, size: Size, organisations: list[Organisation]) -> list[Transfer]:
    """Chains donor -> intermediary -> local group; every channel and currency appears."""
    r = rng(seed, "transfers")
    donors = [org for org in organisations if org.kind == OrgKind.DONOR]
    intermediaries = [org for org in organisations if org.kind in INTERMEDIARY_KINDS]
    local_groups = [org for org in organisations if org.kind in LOCAL_KINDS]
    channels = list(TransferChannel.values)
    reference_end = month_end(size.last_reported_month)
    span = (reference_end - size.first_month).days - 60
    out = []
    for chain in range(size.transfer_chains):
        donor = donors[chain % len(donors)]
        intermediary, local = r.choice(intermediaries), r.choice(local_groups)
        usd = math.exp(r.uniform(math.log(5_000), math.log(250_000)))
        first_currency = DONOR_CURRENCY.get(donor.base_country, "USD")
        if intermediary.base_country == "TH" or chain % 4 == 0:
            second_currency = "THB"
        else:
            second_currency = "MMK" if r.random() < 0.8 else "USD"
        first_amount = money(usd * PER_USD[first_currency], first_currency)
        second_amount = money(usd * r.uniform(0.2, 0.9) * PER_USD[second_currency], second_currency)
        first_on = size.first_month + dt.timedelta(days=r.randrange(span))
        second_on = first_on + dt.timedelta(days=r.randint(3, 40))
        legs = [
            (donor, intermediary, first_amount, first_currency, first_on,
             r.choice([TransferChannel.BANK] * 3 + [TransferChannel.LICENSED_REMITTANCE]), 0.01),
            (intermediary, local, second_amount, second_currency, second_on,
             channels[chain % len(channels)], 0.04),
        ]  # fmt: skip
        for leg, (sender, receiver, amount, currency, sent_on, channel, max_fee) in enumerate(legs):
            fee = money(float(amount) * r.uniform(0, max_fee), currency)
            fee = fee if r.random() < 0.7 else None
            received = _received(sent_on, reference_end, r)
            out.append(
                Transfer(
                    id=key_id(f"transfer:{chain}:{leg}"),
                    from_organisation_id=sender.id,
                    to_organisation_id=receiver.id,
                    amount=amount,
                    currency=currency,
                    sent_on=sent_on,
                    channel=channel,
                    fee=fee,
                    sent_state=LegState.CONFIRMED,
                    received_state=received,
                    received_amount=(amount - (fee or 0)) if received else None,
                    received_currency=currency if received else "",
                    received_on=sent_on + dt.timedelta(days=2) if received else None,
                    reference=f"DEMO-TR-{chain + 1:04d}-{'AB'[leg]}",
                )
            )
    return out
