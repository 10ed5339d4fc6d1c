"""A receiver confirms a transfer with a photo from a phone-sized screen (issue 13, Done when):
390 × 844, a real chromium against a live server; the photo carries GPS tags, the stored copy
does not, and the grant's donor sees it on the transfer's page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from corridor.accounts.models import OrgRole
from corridor.funds.models import Evidence, LegState, ReportingRule, Transfer
from corridor.testing import factories as f
from corridor.testing.photos import MAKE, gps_jpeg, gps_of
from corridor.web.tests.test_browser import _signed_in_browser, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                   has_touch=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_a_receiver_confirms_a_transfer_with_a_photo_from_a_phone(live_server, phone, tmp_path):
    page = phone
    donor = f.OrganisationFactory(name="Nordic Relief Fund")
    partner = f.OrganisationFactory(name="Salween Partners")
    grant = f.GrantFactory(
        donor=donor, recipient=partner, title="Rice for Hpakant", reporting=ReportingRule.RECEIPT
    )
    transfer = f.TransferFactory(
        from_organisation=donor,
        to_organisation=partner,
        grant=grant,
        amount=Decimal(5000),
        fee=Decimal(50),
        currency="USD",
        sent_on=dt.date(2024, 5, 1),
        # The donor wrote what it thinks arrived: only a claim of the partner's leg.
        received_amount=Decimal(4950),
        received_state=LegState.CLAIMED,
        received_on=dt.date(2024, 5, 2),
    )
    receiver = f.UserFactory(username="field-treasurer", language="en")
    f.MembershipFactory(user=receiver, organisation=partner, role=OrgRole.EDITOR)
    photo = tmp_path / "IMG_20240502_091400.jpg"
    photo.write_bytes(gps_jpeg(size=(1200, 1600)))
    assert gps_of(photo.read_bytes())
    _signed_in_browser(page, live_server, receiver)

    # From the menu to the grant, to the transfer waiting for this side's word.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Money").click()
    page.get_by_role("link", name="Rice for Hpakant").click()
    page.wait_for_url(re.compile(rf"/money/grants/{grant.pk}/$"))
    assert "confirm or dispute it" in page.locator("#mismatches").inner_text()
    page.get_by_role("link", name="Nordic Relief Fund → Salween Partners").click()
    page.wait_for_url(re.compile(rf"/money/transfers/{transfer.pk}/$"))
    assert page.locator("#received-state").inner_text() == "claimed"
    page.get_by_role("link", name="Confirm what arrived").click()
    page.wait_for_url(re.compile(r"/confirm/$"))
    # Only 4900 arrived: the receiver corrects the figure and attaches the receipt's photo.
    assert page.locator("#id_received_amount").input_value() == "4950.00"
    page.fill("#id_received_amount", "4900")
    page.set_input_files("#id_photo", str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-confirm-with-photo")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(rf"/money/transfers/{transfer.pk}/$"))

    assert "Confirmed." in page.locator(".messages").inner_text()
    assert page.locator("#received-state").inner_text() == "confirmed"
    image = page.locator("figure.evidence img")
    assert image.count() == 1
    # The picture loaded and fits the phone's screen. It loads lazily, so the page's load event
    # does not wait for it: scroll to it as the reader does and wait until the browser is done
    # with it (a broken picture is done too, with no width).
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    assert image.bounding_box()["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-transfer-confirmed")

    transfer = Transfer.objects.get(pk=transfer.pk)
    assert (transfer.received_amount, transfer.received_state) == (Decimal(4900), "confirmed")
    kept = bytes(Evidence.objects.get(transfer=transfer).content)
    assert gps_of(kept) == {}
    assert MAKE.encode() not in kept
