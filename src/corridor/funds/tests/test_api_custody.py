"""GET /api/funds/grants/{pk}/custody over HTTP: in the grant's currency or a chosen one, for
the grant's parties only; a missing rate is a 400 naming the pair and the day."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.funds.models import ExchangeRate
from corridor.funds.tests.test_currency import HAND_IN
from corridor.funds.tests.test_walk import HAND
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.ledger import currency_rates, walk
from corridor.testing.signin import signed_in_client

D = Decimal


@pytest.fixture
def w(db):
    found = walk()
    currency_rates()
    return found


def _url(w):
    return f"/api/funds/grants/{w.grant.pk}/custody"


def test_custody_in_the_grant_currency_and_in_euro(w):
    client = signed_in_client(w.editors["donor"])
    plain = client.get(_url(w), {"on": "2024-04-15"})
    assert plain.status_code == 200, plain.content
    data = plain.json()
    assert (data["amount"], data["currency"]) == ("10000.00", "USD")
    assert data["breakdown"] == {key: f"{value:.2f}" for key, value in HAND.items()}
    answer = client.get(_url(w), {"on": "2024-04-15", "currency": "EUR", "rates": "official"})
    assert answer.status_code == 200, answer.content
    data = answer.json()
    amount, hand = HAND_IN[("EUR", "official")]
    assert (data["amount"], data["currency"]) == (str(amount), "EUR")
    assert (data["grant_amount"], data["grant_currency"]) == ("10000.00", "USD")
    assert data["breakdown"] == {key: str(value) for key, value in hand.items()}
    assert sum(D(v) for v in data["breakdown"].values()) == amount
    assert {r["kind"] for r in data["rates"]} == {"official"}
    # Like the custody page: no transfer, reference or agent.
    text = answer.content.decode()
    assert "HUNDI-0305" not in text
    assert "U Ko Ko" not in text
    assert str(w.t3.pk) not in text


def test_only_the_grant_parties_read_it(w):
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory())
    assert signed_in_client(outsider).get(_url(w)).status_code == 404
    assert signed_in_client(w.editors["local"]).get(_url(w), {"on": "2024-04-15"}).status_code \
        == 200  # fmt: skip


def test_a_missing_rate_or_a_bad_choice_is_a_400(w):
    ExchangeRate.objects.filter(from_currency="THB", to_currency="MMK", kind="market").delete()
    client = signed_in_client(w.editors["donor"])
    answer = client.get(_url(w), {"on": "2024-04-15", "currency": "MMK"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["missing_rate"] == {"kind": "market", "from": "THB", "to": "MMK",
                                    "on": "2024-02-07"}  # fmt: skip
    assert "no market rate THB→MMK (or MMK→THB) on or before 2024-02-07" in body["detail"]
    bad = client.get(_url(w), {"rates": "street"})
    assert bad.status_code == 400
    assert "rates: street is not one of official, market, agent" in bad.json()["detail"]
