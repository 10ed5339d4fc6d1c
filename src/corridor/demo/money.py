"""The demo's money: transfer chains and the value of activities, in Decimal from the first draw.

Random draws are whole numbers (``randint``) turned into Decimal ratios, so no float touches an
amount, not even before rounding; this module is among the money paths the float scan reads
(``core/tests/test_money.py``).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from corridor.core.money import quantize
from corridor.demo.plan import Size, key_id, month_end, rng
from corridor.funds.models import LegState, Transfer, TransferChannel
from corridor.orgs.models import Organisation, OrgKind

LOCAL_KINDS = (OrgKind.LOCAL_CSO, OrgKind.ETHNIC, OrgKind.RESISTANCE_ADMIN)
INTERMEDIARY_KINDS = (OrgKind.INGO, OrgKind.DIASPORA, OrgKind.UN, OrgKind.NUG_NUCC, OrgKind.OTHER)
DONOR_CURRENCY = {"NO": "NOK", "JP": "JPY", "US": "USD", "GB": "USD", "CH": "USD"}
# Rough units per US dollar over 2022-2026 (MMK at a market rate): enough for plausible amounts.
PER_USD = {
    "USD": Decimal(1),
    "THB": Decimal(35),
    "MMK": Decimal(3500),
    "JPY": Decimal(145),
    "NOK": Decimal("10.5"),
}
STEPS = 1000  # a log-uniform draw takes one of this many steps between its bounds


def log_uniform(low: int, high: int, r: random.Random) -> Decimal:
    """A Decimal between ``low`` and ``high``, evenly spread on a log scale (STEPS steps)."""
    step = Decimal(r.randint(0, STEPS)) / STEPS
    return Decimal(low) * (Decimal(high) / Decimal(low)) ** step


def share(low: int, high: int, r: random.Random, *, per: int = 100) -> Decimal:
    """A whole number of parts between ``low`` and ``high`` out of ``per``, as a Decimal."""
    return Decimal(r.randint(low, high)) / per


def activity_value(people: int, currency: str, r: random.Random) -> Decimal:
    """What an activity reaching ``people`` cost: 4 to 60 US dollars a person, in ``currency``."""
    return quantize(people * share(400, 6000, r) * PER_USD[currency], currency)


def _received(sent_on: dt.date, reference_end: dt.date, r: random.Random) -> str:
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
        usd = log_uniform(5_000, 250_000, r)
        first_currency = DONOR_CURRENCY.get(donor.base_country, "USD")
        if intermediary.base_country == "TH" or chain % 4 == 0:
            second_currency = "THB"
        else:
            second_currency = "MMK" if r.randint(1, 100) <= 80 else "USD"
        first_amount = quantize(usd * PER_USD[first_currency], first_currency)
        passed_on = usd * share(20, 90, r) * PER_USD[second_currency]
        second_amount = quantize(passed_on, second_currency)
        first_on = size.first_month + dt.timedelta(days=r.randrange(span))
        second_on = first_on + dt.timedelta(days=r.randint(3, 40))
        # The highest fee of each leg, in hundredths of a per cent: 1 % by bank, 4 % onwards.
        legs = [
            (donor, intermediary, first_amount, first_currency, first_on,
             r.choice([TransferChannel.BANK] * 3 + [TransferChannel.LICENSED_REMITTANCE]), 100),
            (intermediary, local, second_amount, second_currency, second_on,
             channels[chain % len(channels)], 400),
        ]  # fmt: skip
        for leg, (sender, receiver, amount, currency, sent_on, channel, max_fee) in enumerate(legs):
            charged = quantize(amount * share(0, max_fee, r, per=10_000), currency)
            fee = charged if r.randint(1, 10) <= 7 else None
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
