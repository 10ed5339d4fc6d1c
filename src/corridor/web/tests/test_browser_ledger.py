"""The public transparency ledger in a real browser, signed in as nobody: the page shows the
settled totals and the suppressed mark, and no hidden figure, anonymous name, agent or claim
(issue 13, "Done when"). Data: testing/ledger.py's ledger_world."""

from __future__ import annotations

import pytest

from corridor.testing.ledger import (
    AGENT_NAME,
    CLAIMED_AMOUNT,
    HIDDEN_NAME,
    SMALL_AMOUNT,
    ledger_world,
)
from corridor.web.tests import test_browser
from corridor.web.tests.test_browser import shot

browser_page = test_browser.browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_ledger_page_shows_no_suppressed_cell_anonymous_name_or_agent(
    live_server, browser_page
):
    page = browser_page
    ledger_world()
    page.goto(f"{live_server.url}/ledger/")
    table = page.locator('table[data-by="channel_family"]')
    table.wait_for()
    shot(page, "public-ledger")
    cells = table.locator("td").all_inner_texts()
    assert "6000.00" in cells  # February by bank: six routes, shown
    assert "•" in cells  # March's one informal route: the mark, not the amount
    assert str(SMALL_AMOUNT) not in cells
    text = page.locator("main").inner_text()
    for secret in (HIDDEN_NAME, AGENT_NAME, str(SMALL_AMOUNT), "777", str(CLAIMED_AMOUNT)):
        assert secret not in text, secret
    assert "hidden: fewer than" in text
    assert "Ledger Donor" not in text  # no organisation is named, not even a public one
    # The same in another currency the visitor chooses (no rate: everything left out, said so).
    page.select_option("#currency", "MMK")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**currency=MMK**")
    assert "no rate to value" in page.locator("main").inner_text()
