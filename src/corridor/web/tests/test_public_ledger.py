"""The public transparency ledger (no sign-in): settled money only, small cells hidden with the
mark, no anonymous organisation, route or agent (testing/ledger.py's ledger_world)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from corridor.exchange.ledger_reports import BY_CHANNEL, BY_SECTOR, BY_STATE, public_ledger
from corridor.testing.ledger import (
    AGENT_NAME,
    CLAIMED_AMOUNT,
    HIDDEN_NAME,
    SMALL_AMOUNT,
    ledger_world,
)

D = Decimal
TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def world(db):
    return ledger_world()


def test_cells_with_enough_routes_show_and_a_small_one_is_hidden(world):
    ledger = public_ledger(today=TODAY)
    tables = {t.dimension: t for t in ledger.tables}
    channel = tables[BY_CHANNEL]
    assert channel.amount("2024-02", "formal") == D("6000.00")  # the claim is not in it
    assert channel.amount("2024-03", "informal") is None  # one route: hidden
    assert channel.amount("2024-03", None) is None  # and the month's total that would tell it
    # Nothing published lets it be worked out: February's informal cell is hidden with it, so
    # the informal total (shown) gives only the two together.
    assert channel.amount("2024-02", "informal") is None
    assert channel.amount(None, "informal") == D("1377.00")
    assert channel.amount(None, None) == D("7377.00")
    assert channel.amount("2024-02", None) is None  # else the total less it gives March
    assert tables[BY_SECTOR].amount("2024-02", "food_security") == D("500.00")
    assert tables[BY_STATE].amount("2024-02", "MMR001") == D("500.00")


def test_public_page_and_csv_answer_without_signing_in(world):
    client = Client()
    for url in ("/ledger/", "/ledger.csv"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = answer.content.decode("utf-8-sig")
        assert "6000.00" in text
        assert "•" in text
        for secret in (HIDDEN_NAME, AGENT_NAME, str(SMALL_AMOUNT), str(CLAIMED_AMOUNT), "55555"):
            assert secret not in text, (url, secret)
    assert client.get("/ledger/", {"currency": "XXX"}).status_code == 400


def test_months_after_the_publication_cutoff_are_not_shown(world):
    ledger = public_ledger(today=dt.date(2024, 2, 20))
    assert all(t.months == () for t in ledger.tables)
