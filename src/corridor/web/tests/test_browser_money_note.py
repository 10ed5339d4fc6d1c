"""A receiver confirms a transfer with the note the donor asks for, from a phone-sized screen
(decision 0366): 390 × 844, a real chromium against a live server. Without the note the form
says so at the field; with it the leg is confirmed and the donor reads the note."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from corridor.accounts.models import OrgRole
from corridor.funds.models import LegState, ReportingRule, Transfer
from corridor.testing import factories as f
from corridor.web.tests.test_browser import _signed_in_browser, shot
from corridor.web.tests.test_browser_money import PHONE, phone  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_receiver_confirms_with_a_note_from_a_phone(live_server, phone):  # noqa: F811
    page = phone
    donor = f.OrganisationFactory(name="Nordic Relief Fund")
    partner = f.OrganisationFactory(name="Salween Partners")
    grant = f.GrantFactory(
        donor=donor, recipient=partner, title="Oil for Hpa-an", reporting=ReportingRule.NOTE
    )
    transfer = f.TransferFactory(
        from_organisation=donor, to_organisation=partner, grant=grant, amount=Decimal(3000),
        currency="USD", sent_on=dt.date(2024, 6, 1), received_amount=Decimal(3000),
        received_state=LegState.CLAIMED, received_on=dt.date(2024, 6, 3),
    )  # fmt: skip
    receiver = f.UserFactory(username="hpa-an-treasurer", language="en")
    f.MembershipFactory(user=receiver, organisation=partner, role=OrgRole.EDITOR)
    _signed_in_browser(page, live_server, receiver)

    page.goto(f"{live_server.url}/money/transfers/{transfer.pk}/")
    page.get_by_role("link", name="Confirm what arrived").click()
    page.wait_for_url(re.compile(r"/confirm/$"))
    assert "asks for a note" in page.locator("#note-wanted").inner_text()
    # Sent without the note: the form comes back saying what is missing; nothing confirmed.
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.locator("#id_received_note").count() == 1
    assert Transfer.objects.get(pk=transfer.pk).received_state == LegState.CLAIMED
    page.fill("#id_received_note", "3,000 USD counted at the office with two members")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("#id_received_note").bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    shot(page, "phone-confirm-with-note")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(rf"/money/transfers/{transfer.pk}/$"))

    assert "Confirmed." in page.locator(".messages").inner_text()
    assert page.locator("#received-state").inner_text() == "confirmed"
    assert "counted at the office" in page.locator("#received-note").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    stored = Transfer.objects.get(pk=transfer.pk)
    assert stored.received_state == LegState.CONFIRMED
    assert stored.received_note == "3,000 USD counted at the office with two members"
