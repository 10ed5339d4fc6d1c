"""Issue 17, Done when: a payment to a listed supplier warns before it is saved, is recorded
once confirmed, the warning shows on its page, it is dismissed with a reason, and the decision is
found in the audit trail (a real chromium against a live server; the list is synthetic)."""

from __future__ import annotations

import re

import pytest

from corridor.accounts.models import OrgRole
from corridor.audit.models import AuditEntry
from corridor.funds.models import Transfer
from corridor.screening.models import ScreeningDecision
from corridor.screening.services import list_import_bytes
from corridor.testing import factories as f
from corridor.web.tests import test_browser
from corridor.web.tests.test_browser import _signed_in_browser, shot

browser_page = test_browser.browser_page
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = (
    "name,aliases,type,country,programme,source,date,owned_by\n"
    "Padauk Economic Holdings Public Co. Ltd.,PEH,company,mm,SYN-CONGLOMERATE,synthetic,2023,\n"
    "Padauk Fuel Trading Co. Ltd.,,company,mm,,synthetic,,"
    "Padauk Economic Holdings Public Co. Ltd.\n"
)
REASON = "A namesake: the carrier's licence 4411 is from Hpa-an, owned by a family co-op"


def test_a_payment_to_a_listed_supplier_warns_and_the_dismissal_is_audited(
    live_server, browser_page
):
    page = browser_page
    list_import_bytes(by=None, data=LIST.encode(), file_name="synthetic.csv", name="synthetic")
    donor = f.OrganisationFactory(name="Nordic Relief Fund")
    f.OrganisationFactory(name="Salween Partners")
    treasurer = f.UserFactory(username="treasurer", language="en")
    f.MembershipFactory(user=treasurer, organisation=donor, role=OrgRole.EDITOR)
    _signed_in_browser(page, live_server, treasurer)

    # Record the payment: fuel bought through a carrier whose name is on the list.
    page.goto(f"{live_server.url}/money/transfers/new/")
    page.select_option("#id_from_organisation", label="Nordic Relief Fund")
    page.select_option("#id_to_organisation", label="Salween Partners")
    page.fill("#id_amount", "1200")
    page.fill("#id_currency", "USD")
    page.fill("#id_sent_on", "2024-06-03")
    page.select_option("#id_channel", index=1)
    # What arrived too: the form, as main stands, refuses a transfer without a received leg
    # (an empty received currency counts as a leg given); reported, not fixed here.
    page.fill("#id_received_amount", "1200")
    page.fill("#id_received_on", "2024-06-04")
    page.fill("#id_intermediary", "PADAUK FUEL TRADING COMPANY LIMITED")
    page.get_by_role("button", name="Save").click()

    # Warned before anything is saved (decision 0340): the form again, with the warning.
    page.wait_for_selector("#screening")
    assert page.url.endswith("/money/transfers/new/")
    before = page.locator("#screening")
    assert before.get_attribute("role") == "alert"
    text = before.inner_text()
    assert "Agent or carrier: PADAUK FUEL TRADING COMPANY LIMITED" in text
    assert "match: Padauk Fuel Trading Co. Ltd." in text
    assert "score" in text
    assert not Transfer.objects.exists()
    assert page.input_value("#id_intermediary") == "PADAUK FUEL TRADING COMPANY LIMITED"
    shot(page, "screening-warning-before-saving")
    page.get_by_label("I have read the screening warning: record it anyway").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/money/transfers/[0-9a-f-]+/$"))
    transfer_url = page.url
    assert Transfer.objects.count() == 1

    warning = page.locator("#screening")
    assert warning.get_attribute("role") == "alert"
    text = warning.inner_text()
    assert "this money may reach a listed entity" in text
    assert "Agent or carrier: PADAUK FUEL TRADING COMPANY LIMITED" in text
    assert "match: Padauk Fuel Trading Co. Ltd." in text
    assert "owned by listed company 'Padauk Economic Holdings Public Co. Ltd.'" in text
    shot(page, "screening-warning")

    # Dismiss it with a reason.
    warning.get_by_role("link", name="Confirm or dismiss").click()
    page.wait_for_url(re.compile(r"/money/screening/decide/"))
    assert "may be Padauk Fuel Trading Co. Ltd." in page.locator("#intro").inner_text()
    page.get_by_label("Dismissed: not the listed entity").check()
    page.get_by_role("button", name="Record the decision").click()
    assert page.locator(".error").first.is_visible()  # no reason given: refused, nothing kept
    assert not ScreeningDecision.objects.exists()
    page.get_by_label("Dismissed: not the listed entity").check()
    page.fill("#id_reason", REASON)
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(transfer_url)

    warning = page.locator("#screening")
    assert warning.get_attribute("role") is None  # no longer an alert
    assert "Dismissed by treasurer on" in warning.inner_text()
    assert REASON in warning.inner_text()

    # The decision in the audit trail: the page of decisions, and the hash-chained entry.
    page.goto(f"{live_server.url}/money/screening/")
    section = page.locator("section.decision").first
    assert (
        "PADAUK FUEL TRADING COMPANY LIMITED ~ Padauk Fuel Trading Co. Ltd." in section.inner_text()
    )
    trail = section.locator("table.audit tbody tr").first.inner_text()
    assert "treasurer" in trail
    assert "create" in trail
    shot(page, "screening-decisions")
    decision = ScreeningDecision.objects.get()
    entry = AuditEntry.objects.get(object_id=str(decision.pk), action="create")
    assert (entry.actor_label, entry.changes["reason"], entry.changes["verdict"]) == (
        "treasurer", REASON, "dismissed")  # fmt: skip
