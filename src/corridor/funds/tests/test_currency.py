"""Reports in another currency: the walk (USD → THB → MMK) valued in MMK and in EUR, at official
and at market rates, every number worked by hand; the parts add up exactly in any currency
(a property); a missing rate is refused naming the pair and the day.

The hand computation (valued 2024-04-15; rates: testing/ledger.py MARKET, OFFICIAL and
CURRENCY_RATES). Flows on their own day, stocks (the grant, not yet sent, held) on 2024-04-15
(decision 0364); each part rounded half to even; exchange differences the rest (decision 0365).

In MMK at market rates (USD→MMK 3,600 from 02-01, 3,650 from 03-01, 3,700 from 04-01;
THB→MMK 100 from 02-01, 106 from 04-01):
  grant      10,000 USD × 3,700 = 37,000,000
  fees       40 USD × 3,600 = 144,000; 1,000 THB × 100 = 100,000; 3,000 THB × 100 = 300,000;
             10 USD × 3,650 = 36,500                                        → 580,500
  in transit 1,990 USD × 3,650                                             → 7,263,500
  unaccounted 172 THB × 100 (received 02-07)                               → 17,200
  spent      6,000,000 + 4,500,000 MMK, in kyat already                    → 10,500,000
  held       Chiang Mai 84,000 THB × 106 = 8,904,000; Mae Sot 49,000 × 106 = 5,194,000;
             Hpa-an 3,906,000 MMK
  exchange differences = 37,000,000 − 36,365,200 = 634,800
In MMK at official rates (USD→MMK 2,100; THB→MMK 58.70, from 01-01):
  grant 21,000,000; fees 84,000 + 58,700 + 176,100 + 21,000 = 339,800; in transit 4,179,000;
  unaccounted 172 × 58.70 = 10,096.4 → 10,096; spent 10,500,000; held 4,930,800, 2,876,300,
  3,906,000; exchange differences = 21,000,000 − 26,741,996 = −5,741,996: at the official
  rate the dollars bought far fewer kyat than the market paid.
In EUR at market rates (USD→EUR 0.92 from 02-01, 0.90 from 04-01; EUR→THB 39.00, 38.50;
EUR→MMK 3,900, 3,950 from 03-01, 4,100 from 04-01):
  grant 9,000.00; fees 36.80 + 25.64 + 76.92 + 9.20 = 148.56; in transit 1,830.80;
  unaccounted 172 / 39 = 4.41; spent 6,000,000 / 3,950 = 1,518.99 + 4,500,000 / 3,950 =
  1,139.24 = 2,658.23; held 84,000 / 38.50 = 2,181.82, 49,000 / 38.50 = 1,272.73,
  3,906,000 / 4,100 = 952.68; exchange differences = 9,000.00 − 9,049.23 = −49.23
In EUR at official rates (USD→EUR 0.91; EUR→THB 39.20; EUR→MMK 2,280):
  grant 9,100.00; fees 36.40 + 25.51 + 76.53 + 9.10 = 147.54; in transit 1,810.90;
  unaccounted 4.39; spent 2,631.58 + 1,973.68 = 4,605.26; held 2,142.86, 1,250.00, 1,713.16;
  exchange differences = 9,100.00 − 11,674.11 = −2,574.11
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.core.errors import InvalidInput
from corridor.core.money import quantum
from corridor.funds.custody import custody
from corridor.funds.models import ExchangeRate, RateKind
from corridor.funds.rates import MissingRate, RateBook, reporting_choice
from corridor.funds.reconcile import grant_reconcile
from corridor.funds.tests.test_walk import CHIANG_MAI, HAND, HPA_AN, MAE_SOT
from corridor.testing.ledger import currency_rates, walk

D = Decimal
ON = dt.date(2024, 4, 15)


def parts(**values: str) -> dict[str, Decimal]:
    keys = ("not_yet_sent", "in_transit", "fees", "unaccounted", "disputed",
            "spent_on_activities", MAE_SOT, CHIANG_MAI, HPA_AN, "exchange_differences")  # fmt: skip
    return {key: D(values[key.replace("held_by:", "").split(" ")[-1].strip("()").lower()
                       if key.startswith("held_by:") else key]) for key in keys}  # fmt: skip


HAND_IN = {
    ("MMK", RateKind.MARKET): (D("37000000"), parts(
        not_yet_sent="0", in_transit="7263500", fees="580500", unaccounted="17200",
        disputed="0", spent_on_activities="10500000", sot="5194000", mai="8904000",
        **{"hpa-an": "3906000"}, exchange_differences="634800")),
    ("MMK", RateKind.OFFICIAL): (D("21000000"), parts(
        not_yet_sent="0", in_transit="4179000", fees="339800", unaccounted="10096",
        disputed="0", spent_on_activities="10500000", sot="2876300", mai="4930800",
        **{"hpa-an": "3906000"}, exchange_differences="-5741996")),
    ("EUR", RateKind.MARKET): (D("9000.00"), parts(
        not_yet_sent="0.00", in_transit="1830.80", fees="148.56", unaccounted="4.41",
        disputed="0.00", spent_on_activities="2658.23", sot="1272.73", mai="2181.82",
        **{"hpa-an": "952.68"}, exchange_differences="-49.23")),
    ("EUR", RateKind.OFFICIAL): (D("9100.00"), parts(
        not_yet_sent="0.00", in_transit="1810.90", fees="147.54", unaccounted="4.39",
        disputed="0.00", spent_on_activities="4605.26", sot="1250.00", mai="2142.86",
        **{"hpa-an": "1713.16"}, exchange_differences="-2574.11")),
}  # fmt: skip


@pytest.fixture
def w(db):
    found = walk()
    currency_rates()
    return found


@pytest.mark.parametrize(("currency", "kind"), list(HAND_IN))
def test_the_walk_in_another_currency_by_hand(w, currency, kind):
    report = custody(w.grant, valued_on=ON, rate_kind=kind, currency=currency)
    amount, hand = HAND_IN[(currency, kind)]
    assert (report.currency, report.amount) == (currency, amount)
    assert report.breakdown == hand
    assert sum(report.breakdown.values()) == amount  # exactly, to the minor unit
    for value in report.breakdown.values():
        assert value == value.quantize(quantum(currency))
    data = report.as_dict()
    assert (data["amount"], data["currency"]) == (str(amount), currency)
    assert (data["grant_amount"], data["grant_currency"]) == ("10000.00", "USD")
    # Every rate used is named with its day, pair, kind and source; none of the other kind.
    assert {r["kind"] for r in data["rates"]} == {kind}
    assert all(r["source"].startswith("walk ") for r in data["rates"])


def test_market_and_official_kyat_part_widely(w):
    market = custody(w.grant, valued_on=ON, rate_kind=RateKind.MARKET, currency="MMK")
    official = custody(w.grant, valued_on=ON, rate_kind=RateKind.OFFICIAL, currency="MMK")
    # What was spent in kyat is the same whichever the rate; the grant's worth is not.
    assert market.breakdown["spent_on_activities"] == official.breakdown["spent_on_activities"]
    assert market.amount - official.amount == D("16000000")


def test_the_grant_currency_is_unchanged(w):
    report = custody(w.grant, valued_on=ON, currency="USD")
    assert report.breakdown == HAND
    assert "grant_amount" not in report.as_dict()


def test_rates_used_name_the_rows(w):
    data = custody(w.grant, valued_on=ON, currency="MMK").as_dict()
    assert {"on": "2024-04-01", "from": "THB", "to": "MMK", "rate": "106", "kind": "market",
            "source": "walk market (currencies)", "inverse": False} in data["rates"]  # fmt: skip
    eur = custody(w.grant, valued_on=ON, currency="EUR").as_dict()
    # MMK → EUR divides by the EUR → MMK row: said so.
    assert {"on": "2024-03-01", "from": "EUR", "to": "MMK", "rate": "3950", "kind": "market",
            "source": "walk market (currencies)", "inverse": True} in eur["rates"]  # fmt: skip


def test_a_missing_rate_is_refused_naming_the_pair_and_day(w):
    ExchangeRate.objects.filter(from_currency="THB", to_currency="MMK", kind="official").delete()
    with pytest.raises(MissingRate) as refused:
        custody(w.grant, valued_on=ON, rate_kind=RateKind.OFFICIAL, currency="MMK")
    assert refused.value.as_dict() == {
        "kind": "official", "from": "THB", "to": "MMK", "on": "2024-02-07"
    }  # fmt: skip
    assert "no official rate THB→MMK (or MMK→THB) on or before 2024-02-07" in str(refused.value)
    with pytest.raises(MissingRate, match="no agent rate USD→EUR"):
        custody(w.grant, valued_on=ON, rate_kind=RateKind.AGENT, currency="EUR")


def test_a_conversion_says_which_row_it_used(w):
    book = RateBook(RateKind.MARKET)
    found = book.convert(D("1000.00"), "THB", "MMK", dt.date(2024, 3, 1))
    assert (found.amount, found.currency) == (D("100000"), "MMK")
    assert found.rate is not None
    assert found.rate.on == dt.date(2024, 2, 1)
    assert book.rates_used()[0]["rate"] == "100"
    with pytest.raises(MissingRate, match="on or before 2024-01-31"):
        book.convert(D("1"), "THB", "MMK", dt.date(2024, 1, 31))


def test_reporting_choice_reads_and_refuses_in_words():
    today = dt.date(2024, 5, 1)
    got = reporting_choice(currency="eur", rates="both", on="2024-04-15", today=today)
    assert (got.currency, got.kinds, got.on, got.both) == (
        "EUR", ("official", "market"), dt.date(2024, 4, 15), True
    )  # fmt: skip
    plain = reporting_choice(currency=None, rates=None, on=None, today=today)
    assert (plain.currency, plain.kinds, plain.on) == (None, ("market",), today)
    assert plain.is_default("USD")
    assert reporting_choice(currency="USD", rates="", on="", today=today).is_default("USD")
    for kwargs, message in (
        ({"currency": "XYZ"}, "currency: XYZ is not a currency Corridor knows"),
        ({"rates": "street"}, "rates: street is not one of official, market, agent, both"),
        ({"on": "15/04/2024"}, "on: 15/04/2024 is not a day (YYYY-MM-DD)"),
    ):
        with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
            reporting_choice(**{"currency": None, "rates": None, "on": None, **kwargs},
                             today=today)  # fmt: skip
    with pytest.raises(InvalidInput, match=r"not one of official, market, agent$"):
        reporting_choice(currency=None, rates="both", on=None, today=today, allow_both=False)


def test_reconcile_in_another_currency(w):
    plain = grant_reconcile(w.grant, today=ON).as_dict()
    assert "value_currency" not in plain
    found = grant_reconcile(w.grant, today=ON, currency="MMK", rate_kind=RateKind.MARKET)
    data = found.as_dict()
    assert data["value_currency"] == "MMK"
    values = {m["kind"]: m["value"] for m in data["mismatches"]}
    # 172 THB short (02-07) at 100; 1,990 USD not received (03-10) at 3,650; the claim
    # 3,000,000 MMK as it is.
    assert values == {"received_short": "17200", "not_received": "7263500",
                      "claimed_leg": "3000000"}  # fmt: skip
    assert data["mismatches_value"] == "10280700"
    held = {(o["organisation"], o["currency"]): o["held_value"] for o in data["organisations"]}
    assert held[("Walk Intermediary (Chiang Mai)", "THB")] == "8904000"
    assert held[("Walk Local Group (Hpa-an)", "MMK")] == "3906000"
    assert data["rates"]
    with pytest.raises(MissingRate):
        grant_reconcile(w.grant, today=ON, currency="EUR", rate_kind=RateKind.AGENT)


CODES = ("USD", "EUR", "THB", "MMK", "JPY", "GBP")
RATES = st.decimals(min_value=D("0.0001"), max_value=D("50000"), places=4)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    target=st.sampled_from(CODES),
    rates=st.fixed_dictionaries(dict.fromkeys(CODES, RATES)),
    on=st.dates(min_value=dt.date(2024, 2, 1), max_value=dt.date(2024, 12, 31)),
)
def test_the_parts_add_up_exactly_in_any_currency(w, target, rates, on):
    """Whatever the rates (one agent rate of each currency in USD), the parts add up exactly
    to the grant's amount in the chosen currency, each to its minor unit."""
    rows = [ExchangeRate(on=dt.date(2024, 1, 1), from_currency="USD", to_currency=code,
                         rate=rates[code], kind=RateKind.AGENT, source="property")
            for code in CODES if code != "USD"]  # fmt: skip
    for pair in (("THB", "MMK"), ("EUR", "THB"), ("EUR", "MMK")):
        cross = rates[pair[1]] / rates[pair[0]]
        rows.append(ExchangeRate(on=dt.date(2024, 1, 1), from_currency=pair[0],
                                 to_currency=pair[1], rate=cross.quantize(D("0.0000000001")),
                                 kind=RateKind.AGENT, source="property"))  # fmt: skip
    for code in ("JPY", "GBP"):
        for held in ("THB", "MMK"):
            cross = rates[code] / rates[held]
            rows.append(ExchangeRate(on=dt.date(2024, 1, 1), from_currency=held,
                                     to_currency=code, rate=cross.quantize(D("0.0000000001")),
                                     kind=RateKind.AGENT, source="property"))  # fmt: skip
    book = RateBook(RateKind.AGENT, rows)
    report = custody(w.grant, valued_on=on, rate_kind=RateKind.AGENT, book=book,
                     currency=target)  # fmt: skip
    assert report.amount == book.value(w.grant.amount, "USD", target, on)
    assert sum(report.breakdown.values(), D(0)) == report.amount
    for value in report.breakdown.values():
        assert value == value.quantize(quantum(target))
