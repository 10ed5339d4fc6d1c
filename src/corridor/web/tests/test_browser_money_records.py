"""A coordinator who also edits for a partner records a grant, a spending of it with a photo
taken on a phone, and the exchange rate the reports convert with — from the menu, in a real
chromium at 390 × 844 against a live server. The photo's GPS does not reach the database."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.funds.models import Evidence, ExchangeRate, Grant, Spending
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


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_person_records_a_grant_a_spending_with_a_photo_and_a_rate(live_server, phone, tmp_path):
    page = phone
    f.OrganisationFactory(name="Nordic Relief Fund")
    partner = f.OrganisationFactory(name="Salween Partners")
    activity = f.ActivityFactory(organisation=partner, reporting_month=dt.date(2024, 6, 1))
    person = f.UserFactory(
        username="network-treasurer", language="en", global_role=GlobalRole.COORDINATOR
    )
    f.MembershipFactory(user=person, organisation=partner, role=OrgRole.EDITOR)
    photo = tmp_path / "IMG_20240620_101500.jpg"
    photo.write_bytes(gps_jpeg(size=(1200, 1600)))
    assert gps_of(photo.read_bytes())
    _signed_in_browser(page, live_server, person)

    # A grant, from the money menu.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Money", exact=True).click()
    page.get_by_role("link", name="Record a grant").click()
    page.wait_for_url(re.compile(r"/money/grants/new/$"))
    page.select_option("#id_donor", label="Nordic Relief Fund")
    page.select_option("#id_recipient", label="Salween Partners")
    page.fill("#id_title", "Shelter kits for Mindat")
    page.fill("#id_amount", "12000")
    page.fill("#id_currency", "usd")
    page.fill("#id_pledged_on", "2024-06-01")
    page.fill("#id_starts_on", "2024-06-15")
    page.get_by_label("Shelter and non-food items").check()
    page.select_option("#id_reporting", "receipt")
    _fits(page)
    shot(page, "phone-record-grant")
    page.get_by_role("button", name="Save").click()
    grant = Grant.objects.get(title="Shelter kits for Mindat")
    page.wait_for_url(re.compile(rf"/money/grants/{grant.pk}/$"))
    assert (grant.amount, grant.currency, grant.sectors) == (Decimal(12000), "USD", ["shelter_nfi"])

    # Its spending on the partner's activity, with the distribution list's photo.
    page.get_by_role("link", name="Record spending").click()
    page.wait_for_url(re.compile(rf"/money/grants/{grant.pk}/spending/$"))
    page.select_option("#id_activity", str(activity.pk))
    page.fill("#id_amount", "850.50")
    assert page.input_value("#id_currency") == "USD"  # the grant's, offered
    page.fill("#id_spent_on", "2024-06-20")
    page.set_input_files("#id_photo", str(photo))
    _fits(page)
    shot(page, "phone-record-spending")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/money/grants/{grant.pk}/$"))
    spending = Spending.objects.get(grant=grant)
    assert (spending.activity, spending.amount) == (activity, Decimal("850.50"))
    stored = bytes(Evidence.objects.get(spending=spending).content)
    assert gps_of(stored) == {}
    assert MAKE.encode() not in stored
    row = page.locator("#spending tbody tr").first
    assert "850.50 USD" in row.inner_text()
    row.get_by_role("link", name="Photo 1").click()
    page.wait_for_load_state()
    assert page.evaluate("document.contentType") == "image/jpeg"
    page.go_back()

    # The rate the reports convert the kyat with, from the main menu.
    page.get_by_role("link", name="Rates", exact=True).click()
    page.wait_for_url(re.compile(r"/money/rates/$"))
    page.get_by_role("link", name="Add an exchange rate").click()
    page.fill("#id_on", "2024-06-20")
    page.fill("#id_from_currency", "USD")
    page.fill("#id_to_currency", "mmk")
    page.fill("#id_rate", "3650.50")
    page.select_option("#id_kind", "market")
    page.fill("#id_source", "Yangon market survey")
    _fits(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/money/rates/$"))
    assert "1 USD → MMK" in page.locator("#rates").inner_text()
    rate = ExchangeRate.objects.get()
    assert (rate.on, rate.to_currency, rate.rate) == (
        dt.date(2024, 6, 20),
        "MMK",
        Decimal("3650.50"),
    )
    _fits(page)
    shot(page, "phone-rates")
