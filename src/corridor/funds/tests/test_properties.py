"""Property tests of the ledger's invariants (hypothesis): conversions round-trip within the
minor unit; a hop's legs balance with its fee and rate; a grant's parts are the sums of its hops
and add up exactly to its amount; every figure is a Decimal exact to its currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.core.money import CURRENCY_TABLE, currency, is_exact, quantize
from corridor.funds.custody import custody
from corridor.funds.models import ExchangeRate, Grant, LegState, Transfer, TransferChannel
from corridor.funds.rates import RateBook
from corridor.testing.factories import OrganisationFactory

DAY = dt.date(2024, 2, 1)
CODES = sorted(CURRENCY_TABLE)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("50000"), places=4)


def amounts(code: str, low: str = "0", high: str = "100000000") -> st.SearchStrategy[Decimal]:
    places = currency(code).minor_units
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False
    ).filter(lambda a: a > 0)


def book(pairs: dict[tuple[str, str], Decimal]) -> RateBook:
    rows = [
        ExchangeRate(on=DAY, from_currency=a, to_currency=b, rate=r, kind="market", source="t")
        for (a, b), r in pairs.items()
    ]
    return RateBook("market", rows)


@given(
    pair=st.tuples(st.sampled_from(CODES), st.sampled_from(CODES)).filter(lambda p: p[0] != p[1]),
    rate=rates,
    data=st.data(),
)
def test_conversions_round_trip_within_the_minor_unit(pair, rate, data):
    source, target = pair
    x = data.draw(amounts(source, high="1000000"))
    rates_ = book({(source, target): rate})
    there = rates_.convert(x, source, target, DAY)
    back = rates_.convert(there.amount, target, source, DAY)
    assert there.rate is not None
    assert back.rate is not None
    assert back.rate.inverse
    unit_x, unit_y = currency(source).quantum, currency(target).quantum
    # Each rounding is at most half a unit: half of X's, and half of Y's carried back over.
    assert abs(back.amount - x) <= unit_x / 2 + unit_y / (2 * rate)
    if unit_y / rate <= unit_x:  # the target is at least as fine: back within one minor unit
        assert abs(back.amount - x) <= unit_x
    assert is_exact(there.amount, target)
    assert is_exact(back.amount, source)


def _rolled_back(build):
    class Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            result.update(build())
            raise Rollback
    except Rollback:
        pass
    return result


hop = st.fixed_dictionaries(
    {
        "currency": st.sampled_from(["USD", "THB", "MMK", "JPY", "NOK", "EUR"]),
        "amount": st.integers(min_value=1, max_value=10_000_000),
        "fee_share": st.integers(min_value=0, max_value=20),  # per cent of the amount
        "received": st.sampled_from(["", LegState.CLAIMED, LegState.CONFIRMED]),
        "sent": st.sampled_from([LegState.CLAIMED, LegState.CONFIRMED]),
        "shortfall": st.integers(min_value=-50, max_value=50),
        "to": st.sampled_from(["USD", "THB", "MMK"]),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    grant_currency=st.sampled_from(["USD", "JPY", "NOK", "EUR"]),
    hops=st.lists(hop, min_size=1, max_size=4),
    to_thb=rates,
    to_mmk=rates,
)
def test_parts_are_sums_of_hops_and_add_up_exactly(grant_currency, hops, to_thb, to_mmk):
    pairs = {(grant_currency, "THB"): to_thb, (grant_currency, "MMK"): to_mmk}
    if grant_currency != "USD":
        pairs[(grant_currency, "USD")] = to_thb
    for code in ("JPY", "NOK", "EUR"):
        if code != grant_currency:
            pairs[(grant_currency, code)] = to_mmk
    rates_ = book(pairs)

    def build() -> dict:
        orgs = [OrganisationFactory() for _ in range(len(hops) + 1)]
        grant = Grant.objects.create(
            donor=orgs[0], recipient=orgs[-1], title="p", amount=Decimal("1000000"),
            currency=grant_currency, pledged_on=DAY, starts_on=DAY,
        )  # fmt: skip
        for n, h in enumerate(hops):
            amount = quantize(Decimal(h["amount"]), h["currency"])
            fee = quantize(amount * h["fee_share"] / 100, h["currency"])
            if fee >= amount:
                fee = Decimal(0)
            rate = Decimal(1) if h["to"] == h["currency"] else Decimal("1.5")
            expected = quantize((amount - fee) * rate, h["to"])
            received = expected - currency(h["to"]).quantum * h["shortfall"]
            leg = bool(h["received"]) and received > 0
            Transfer.objects.create(
                from_organisation=orgs[n], to_organisation=orgs[n + 1], grant=grant,
                amount=amount, currency=h["currency"], fee=fee, sent_on=DAY,
                channel=TransferChannel.INFORMAL, sent_state=h["sent"],
                rate=None if rate == 1 else rate,
                received_state=h["received"] if leg else "",
                received_amount=received if leg else None,
                received_currency=h["to"] if leg else "", received_on=DAY if leg else None,
            )  # fmt: skip
        report = custody(grant, valued_on=DAY, book=rates_)
        return {"report": report, "grant": grant}

    found = _rolled_back(build)
    report, grant = found["report"], found["grant"]
    parts = report.breakdown
    assert sum(parts.values()) == grant.amount
    counted = [h for h in report.hops if h.counted]
    assert parts["fees"] == sum((h.fee_value for h in counted), Decimal(0))
    assert parts["in_transit"] == sum((h.in_transit_value for h in counted), Decimal(0))
    assert parts["unaccounted"] == sum((h.unaccounted_value for h in counted), Decimal(0))
    donor_sent = sum(
        (h.sent_value for h in counted if h.transfer.from_organisation_id == grant.donor_id),
        Decimal(0),
    )
    assert parts["not_yet_sent"] == grant.amount - donor_sent
    for value in parts.values():
        assert isinstance(value, Decimal)
        assert is_exact(value, grant_currency)
    # A hop's legs balance: what was sent is the fee, what the hop's rate passed on, and the
    # shortfall, each in the sent currency (exactly, before converting to the grant's).
    for h in counted:
        t = h.transfer
        if h.shortfall is None:
            continue
        if t.rate is None:
            assert t.amount == (t.fee or 0) + t.received_amount + h.shortfall
        else:  # through the rate, within half the received currency's unit carried back
            passed_on = (t.received_amount + h.shortfall) / t.rate
            half = currency(t.received_currency).quantum / (2 * t.rate)
            assert abs(t.amount - (t.fee or 0) - passed_on) <= half
