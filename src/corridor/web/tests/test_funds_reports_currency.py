"""The donor report (page and CSV) and the custody page in a currency the reader chooses, at
official, market or both kinds of rate, through the test client; a missing rate is a 400 that
names the pair and the day (docs/money.md, "Reports in another currency")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from corridor.funds.models import ExchangeRate
from corridor.funds.tests.test_currency import HAND_IN
from corridor.testing.ledger import currency_rates, walk
from corridor.testing.signin import signed_in_client

D = Decimal
ON = dt.date(2024, 4, 15)


@pytest.fixture
def w(db):
    found = walk()
    currency_rates()
    return found


def _page(client, url, **query):
    return client.get(url, {"on": ON.isoformat(), **query})


def _cells(page: str, key: str) -> list[str]:
    row = re.search(rf'<tr data-part="{re.escape(key)}"><th scope="row">.*?</th>(.*?)</tr>', page)
    assert row, key
    return re.findall(r'<td class="n">([^<]*)</td>', row.group(1))


def _csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.content
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_donor_report_page_in_kyat_at_market_rates(w):
    client = signed_in_client(w.editors["donor"])
    page = _page(client, f"/money/grants/{w.grant.pk}/report/", currency="MMK",
                 rates="market").content.decode()  # fmt: skip
    amount, hand = HAND_IN[("MMK", "market")]
    for key in ("in_transit", "fees", "unaccounted", "spent_on_activities",
                "exchange_differences"):  # fmt: skip
        assert _cells(page, key) == [str(hand[key])]
    assert f'<td class="n">{amount}</td>' in page  # the total: the grant, in kyat
    assert "10000.00 USD" in page  # the grant in its own currency, in the heading
    # The rates used, each with its day, pair, kind and source.
    assert "2024-04-01: 1 THB = 106 MMK (market, walk market (currencies))" in page


def test_donor_report_page_official_and_market_side_by_side(w):
    client = signed_in_client(w.editors["local"])
    page = _page(client, f"/money/grants/{w.grant.pk}/report/", currency="MMK",
                 rates="both").content.decode()  # fmt: skip
    official, market = HAND_IN[("MMK", "official")], HAND_IN[("MMK", "market")]
    assert _cells(page, "grant") == ["21000000", "37000000", "16000000"]
    assert _cells(page, "fees") == ["339800", "580500", "240700"]
    assert _cells(page, "exchange_differences") == [
        str(official[1]["exchange_differences"]), str(market[1]["exchange_differences"]),
        str(market[1]["exchange_differences"] - official[1]["exchange_differences"]),
    ]  # fmt: skip
    assert "(official, walk official (currencies))" in page
    assert "(market, walk market (currencies))" in page


def test_donor_report_csv_in_euro_and_both(w):
    client = signed_in_client(w.editors["donor"])
    url = f"/money/grants/{w.grant.pk}/report.csv"
    rows = _csv(_page(client, url, currency="eur", rates="official"))
    assert rows[0][7] == "value_in_EUR"  # no longer the grant's currency: the column says so
    grant = next(r for r in rows if r[0] == "grant")
    assert grant[5:8] == ["10000.00", "USD", "9100.00"]
    parts = [D(r[7]) for r in rows if r[0] == "part"]
    assert sum(parts) == D("9100.00")
    assert any(r == ["valued on 2024-04-15 in EUR with official rates"] for r in rows)
    both = _csv(_page(client, url, currency="EUR", rates="both"))
    assert both[0][7:10] == ["official_value_in_EUR", "market_value_in_EUR", "difference"]
    grant = next(r for r in both if r[0] == "grant")
    assert grant[5:10] == ["10000.00", "USD", "9100.00", "9000.00", "-100.00"]
    parts = [r for r in both if r[0] == "part"]
    assert sum(D(r[7]) for r in parts) == D("9100.00")
    assert sum(D(r[8]) for r in parts) == D("9000.00")
    assert all(D(r[9]) == D(r[8]) - D(r[7]) for r in parts)
    spent = [r for r in both if r[0] == "spent"]
    assert [(r[7], r[8]) for r in spent] == [("2631.58", "1518.99"), ("1973.68", "1139.24")]
    assert any(r[0].startswith("rate 2024-01-01 1 USD = 0.91 EUR (official") for r in both)


def test_default_report_is_unchanged(w):
    client = signed_in_client(w.editors["donor"])
    rows = _csv(_page(client, f"/money/grants/{w.grant.pk}/report.csv"))
    assert rows[0][7] == "value_in_grant_currency"
    assert next(r for r in rows if r[0] == "grant")[5:8] == ["10000.00", "USD", "10000.00"]
    same = _csv(_page(client, f"/money/grants/{w.grant.pk}/report.csv", currency="USD"))
    assert same == rows


def test_custody_page_and_picture_in_kyat(w):
    client = signed_in_client(w.editors["first"])
    answer = _page(client, f"/money/grants/{w.grant.pk}/custody/", currency="MMK",
                   rates="official")  # fmt: skip
    assert answer.status_code == 200
    page = answer.content.decode()
    _, hand = HAND_IN[("MMK", "official")]
    assert _cells(page, "spent_on_activities") == [f"{hand['spent_on_activities']} MMK"]
    assert _cells(page, "held_by:Walk Intermediary (Chiang Mai)") == ["4930800 MMK"]
    assert _cells(page, "exchange_differences") == ["-5741996 MMK"]
    # The picture's bands carry the same kyat figures.
    assert 'data-amount="10500000"' in page
    assert "in MMK" in page
    assert "1 THB = 58.7 MMK (official" in page


@pytest.mark.parametrize("url", ["report/", "report.csv", "custody/"])
def test_a_missing_rate_is_a_400_naming_it(w, url):
    ExchangeRate.objects.filter(from_currency="EUR", to_currency="THB").delete()
    client = signed_in_client(w.editors["donor"])
    answer = _page(client, f"/money/grants/{w.grant.pk}/{url}", currency="EUR")
    assert answer.status_code == 400
    assert "no market rate THB→EUR (or EUR→THB) on or before 2024-02-07" in answer.content.decode()
    bad = _page(client, f"/money/grants/{w.grant.pk}/{url}", currency="XYZ")
    assert bad.status_code == 400
    assert "XYZ is not a currency" in bad.content.decode()


def test_both_is_only_for_the_donor_report(w):
    client = signed_in_client(w.editors["donor"])
    answer = _page(client, f"/money/grants/{w.grant.pk}/custody/", rates="both")
    assert answer.status_code == 400
    assert "not one of official, market, agent" in answer.content.decode()
