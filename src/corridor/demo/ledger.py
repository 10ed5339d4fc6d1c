"""Demo grants: money from donors abroad (USD, JPY, NOK, EUR) through one or two intermediaries
in Thailand (THB) to local groups in Myanmar (MMK), spent on demo activities (docs/demo.md).

Pure and exact: every amount is a Decimal quantised to its currency (no float: the money scan
in core/tests/test_money.py reads this file). Most legs are confirmed by their own side; some
grants have a received leg only the sender claims, money still in transit, one a claim by the
local group that the intermediary has not confirmed, and one an open dispute. Where a grant's
donor asks for a note, each receipt carries one; where it asks for a partner's confirmation,
the sending side has confirmed every receipt but the last hop's, which awaits it (decision
0366). Every record is synthetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from corridor.aid.models import Activity
from corridor.core.money import quantize
from corridor.demo.names import MARK_EN
from corridor.demo.plan import GRANT_CURRENCIES, Size, grant_hops, key_id, months, rng
from corridor.funds.models import (
    Dispute,
    ExchangeRate,
    Grant,
    LegState,
    RateKind,
    ReportingRule,
    Spending,
    Transfer,
    TransferChannel,
)
from corridor.orgs.models import Organisation, OrgKind

D = Decimal
LOCAL_KINDS = (OrgKind.LOCAL_CSO, OrgKind.ETHNIC, OrgKind.RESISTANCE_ADMIN)
INTERMEDIARY_KINDS = (OrgKind.INGO, OrgKind.DIASPORA, OrgKind.OTHER)
#: Units of each grant currency per US dollar over the demo years (rough, synthetic).
# One hop of a grant's money: sender, receiver, amount sent (None: most of what the hop before
# received), currency sent, currency received, rate, channel, share of the fee.
Hop = tuple[Organisation, Organisation, D | None, str, str, D, TransferChannel, D]
PER_USD = {"USD": D(1), "JPY": D(145), "NOK": D("10.5"), "EUR": D("0.92")}
OFFICIAL_MMK = D(2100)  # the Central Bank of Myanmar's fixed reference rate after 2022
LAST_HOP = [TransferChannel.INFORMAL, TransferChannel.INFORMAL, TransferChannel.CASH_CARRIED,
            TransferChannel.MOBILE_MONEY]  # fmt: skip
REPORTING = list(ReportingRule.values)


def _receipt_note(on: dt.date) -> str:
    return f"Counted at the office on {on:%Y-%m-%d}; arrived as the agent said {MARK_EN}"


@dataclass
class Ledger:
    grants: list[Grant] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    spending: list[Spending] = field(default_factory=list)
    rates: list[ExchangeRate] = field(default_factory=list)


def _thb_per_usd(month_index: int, wobble: int) -> Decimal:
    return D(35) + D(wobble) / 100 - D(month_index) / 40


def _mmk_per_usd(month_index: int, wobble: int) -> Decimal:
    """The market kyat: about 2,800 a dollar in 2022, falling towards 4,800."""
    return D(2800) + D(35) * month_index + D(wobble)


def rates(seed: int, size: Size) -> tuple[list[ExchangeRate], dict]:
    """Monthly official and market rates of each grant currency to THB and MMK, and the market
    table by (month, currency) in units per US dollar for the hops."""
    r = rng(seed, "ledger-rates")
    out, market = [], {}
    for index, month in enumerate(months(size.first_month, size.last_reported_month)):
        thb = _thb_per_usd(index, r.randint(-80, 80))
        mmk = _mmk_per_usd(index, r.randint(-150, 150))
        market[month] = {"THB": thb, "MMK": mmk}
        for code in GRANT_CURRENCIES:
            per = PER_USD[code]
            for kind, to_thb, to_mmk in (
                (RateKind.MARKET, thb, mmk),
                (RateKind.OFFICIAL, thb - D("0.3"), OFFICIAL_MMK),
            ):
                for target, per_usd in (("THB", to_thb), ("MMK", to_mmk)):
                    out.append(ExchangeRate(
                        id=key_id(f"rate:{month}:{code}:{target}:{kind}"), on=month,
                        from_currency=code, to_currency=target, kind=kind,
                        rate=(per_usd / per).quantize(D("0.000001")),
                        source=f"Demo {kind} rate {MARK_EN}",
                    ))  # fmt: skip
    return out, market


def _after(day: dt.date, days: int, last: dt.date) -> dt.date:
    return min(day + dt.timedelta(days=days), last)


def build(seed: int, size: Size, organisations: list[Organisation],
          activities: list[Activity]) -> Ledger:  # fmt: skip
    r = rng(seed, "ledger")
    ledger = Ledger()
    ledger.rates, market = rates(seed, size)
    last = size.last_reported_month
    donors = [o for o in organisations if o.kind == OrgKind.DONOR]
    thai = [o for o in organisations if o.kind in INTERMEDIARY_KINDS and o.base_country == "TH"]
    thai = thai or [o for o in organisations if o.kind in INTERMEDIARY_KINDS]
    by_org: dict = {}
    for a in activities:
        if a.status in ("ongoing", "completed"):
            by_org.setdefault(a.organisation_id, []).append(a)
    locals_ = [o for o in organisations if o.kind in LOCAL_KINDS and len(by_org.get(o.id, [])) >= 2]
    month_list = months(size.first_month, dt.date(last.year - 1, last.month, 1))
    for i in range(size.grants):
        code = GRANT_CURRENCIES[i % len(GRANT_CURRENCIES)]
        donor, local = donors[i % len(donors)], locals_[(i * 7) % len(locals_)]
        chain = r.sample(thai, grant_hops(i) - 1) if len(thai) >= 2 else thai[:1]
        month = month_list[r.randrange(len(month_list))]
        pledged = month + dt.timedelta(days=r.randrange(20))
        amount = quantize(D(r.randint(20, 150)) * 1000 * PER_USD[code], code)
        grant = Grant(
            id=key_id(f"grant:{i}"), donor=donor, recipient=local, currency=code, amount=amount,
            title=f"Demo grant {i + 1:02d} {MARK_EN}: relief for displaced families",
            pledged_on=pledged, starts_on=pledged, ends_on=_after(pledged, 365, last),
            purpose="Food, shelter materials and cash for displaced families (synthetic).",
            sectors=["food_security", "shelter_nfi"] if i % 2 else ["food_security"],
            reporting=REPORTING[i % len(REPORTING)],
        )  # fmt: skip
        ledger.grants.append(grant)
        rate_month = month  # the hops use the market of the pledge month, less the agents' cut
        thb_rate = market[rate_month]["THB"] / PER_USD[code] * D("0.985")
        mmk_per_thb = market[rate_month]["MMK"] / market[rate_month]["THB"] * D("0.97")
        day = pledged + dt.timedelta(days=r.randint(5, 20))
        sent = quantize(amount * D(r.randint(80, 100)) / 100, code)
        hops: list[Hop] = [
            (donor, chain[0], sent, code, "THB", thb_rate, TransferChannel.BANK, D("0.005"))
        ]
        held = sent
        for k, (sender, receiver) in enumerate(zip(chain, [*chain[1:], local], strict=True)):
            hops.append((sender, receiver, None, "THB",
                         "MMK" if receiver is local else "THB",
                         mmk_per_thb if receiver is local else D(1),
                         LAST_HOP[(i + k) % len(LAST_HOP)] if receiver is local
                         else TransferChannel.LICENSED_REMITTANCE,
                         D("0.025") if receiver is local else D("0.01")))  # fmt: skip
        received_local = None
        for k, (sender, receiver, out, cur, to, exact, channel, fee_share) in enumerate(hops):
            rate = exact.quantize(D("0.000001"))  # as the ledger keeps it
            if out is None:  # pass on most of what arrived
                out = quantize(held * D(r.randint(85, 100)) / 100, cur)
            fee = quantize(out * fee_share, cur)
            expected = quantize((out - fee) * rate, to)
            # Now and then the agent pays a little short.
            received = expected - (quantize(expected / 200, to) if r.randint(0, 4) == 0 else 0)
            on = _after(day, 2, last)
            final = receiver is local
            state: LegState | str = LegState.CONFIRMED
            if final and i % 5 == 4:
                state = ""  # still in transit
            elif final and i % 5 == 3:
                state = LegState.CLAIMED  # the sender says it arrived; the group has not said so
            confirmed = state == LegState.CONFIRMED
            ledger.transfers.append(Transfer(
                received_note=_receipt_note(on) if confirmed and grant.wants_note else "",
                partner_confirmed_on=_after(on, 3, last)
                if confirmed and grant.wants_partner and not final else None,
                id=key_id(f"grant:{i}:hop:{k}"), from_organisation_id=sender.id,
                to_organisation_id=receiver.id, grant_id=grant.id, amount=out, currency=cur,
                fee=fee, sent_on=day, channel=channel, sent_state=LegState.CONFIRMED,
                rate=None if rate == 1 else rate,
                received_state=state, received_amount=received if state else None,
                received_currency=to if state else "", received_on=on if state else None,
                reference=f"DEMO-GR-{i + 1:02d}-{k + 1}",
                intermediary=f"Demo agent {i + 1:02d} {MARK_EN}" if channel in (
                    TransferChannel.INFORMAL, TransferChannel.CASH_CARRIED) else "",
            ))  # fmt: skip
            held, day = received, _after(day, r.randint(7, 30), last)
            if final and state == LegState.CONFIRMED:
                received_local = (received, on)
        if i == 2:  # the last hop of this grant is disputed by the local group
            ledger.disputes.append(Dispute(
                id=key_id("grant:2:dispute"), transfer_id=ledger.transfers[-1].id,
                opened_by_id=local.id, opened_on=ledger.transfers[-1].sent_on,
                note=f"Less arrived than the agent said {MARK_EN}",
            ))  # fmt: skip
        if received_local is not None:
            mmk, on = received_local
            spent_on = _after(on, 10, last)
            first, second = by_org[local.id][:2]
            share = quantize(mmk * D(r.randint(25, 45)) / 100, "MMK")
            for n, (activity, part) in enumerate(((first, share), (second, share))):
                ledger.spending.append(Spending(
                    id=key_id(f"grant:{i}:spent:{n}"), grant_id=grant.id, activity_id=activity.id,
                    amount=part, currency="MMK", spent_on=spent_on,
                ))  # fmt: skip
    # One claim: a local group says an intermediary sent it cash; the intermediary has not said so.
    if size.grants > 1:
        grant = ledger.grants[1]
        claimant = next(t for t in ledger.transfers if t.grant_id == grant.id).to_organisation_id
        on = _after(grant.pledged_on, 60, last)
        ledger.transfers.append(Transfer(
            id=key_id("grant:1:claim"), from_organisation_id=claimant,
            to_organisation_id=grant.recipient.id, grant_id=grant.id, amount=D("20000.00"),
            currency="THB", sent_on=on, channel=TransferChannel.CASH_CARRIED,
            sent_state=LegState.CLAIMED, received_state=LegState.CONFIRMED,
            received_amount=D("2000000"), received_currency="MMK", received_on=on,
            reference="DEMO-GR-02-CLAIM",
            received_note=_receipt_note(on) if grant.wants_note else "",
        ))  # fmt: skip
    return ledger
