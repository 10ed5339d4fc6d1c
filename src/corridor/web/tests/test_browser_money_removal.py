"""A partner's editor removes a spending row typed twice, with a reason, from the grant's page
on a phone-sized screen, and restores it; a coordinator removes a mistyped exchange rate from
the rates page. In a real chromium against a live server: the removed rows leave custody."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.funds.custody import custody
from corridor.funds.models import ExchangeRate, Spending
from corridor.testing import factories as f
from corridor.web.tests.test_browser import _signed_in_browser, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DAY = dt.date(2024, 6, 20)


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                   has_touch=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _spent(grant) -> str:
    return custody(grant, valued_on=DAY).as_dict()["breakdown"]["spent_on_activities"]


def test_a_person_removes_a_spending_row_with_a_reason_and_restores_it(live_server, phone):
    page = phone
    donor = f.OrganisationFactory(name="Nordic Relief Fund")
    partner = f.OrganisationFactory(name="Salween Partners")
    grant = f.GrantFactory(donor=donor, recipient=partner, title="Shelter kits for Mindat",
                           amount=Decimal(12000), currency="USD")  # fmt: skip
    activity = f.ActivityFactory(organisation=partner, reporting_month=dt.date(2024, 6, 1))
    kept, twice = (
        Spending.objects.create(
            grant=grant, activity=activity, amount=Decimal(amount), currency="USD", spent_on=DAY
        )
        for amount in ("850.50", "120.00")
    )
    person = f.UserFactory(username="partner-editor", language="en")
    f.MembershipFactory(user=person, organisation=partner, role=OrgRole.EDITOR)
    assert _spent(grant) == "970.50"
    _signed_in_browser(page, live_server, person)

    page.goto(f"{live_server.url}/money/grants/{grant.pk}/")
    row = page.locator("#spending tbody tr", has_text="120.00 USD")
    row.get_by_role("link", name="Remove").click()
    page.wait_for_url(re.compile(rf"/money/spending/{twice.pk}/remove/$"))
    assert page.get_by_role("heading", name="Remove this spending").is_visible()
    # No reason: refused on the page, nothing removed.
    page.evaluate("document.getElementById('id_reason').removeAttribute('required')")
    page.get_by_role("button", name="Remove").click()
    assert page.get_by_role("alert").inner_text() == "Say why this spending is removed."
    assert Spending.objects.filter(pk=twice.pk).exists()
    page.fill("#id_reason", "typed twice")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-remove-spending")
    page.get_by_role("button", name="Remove").click()
    page.wait_for_url(re.compile(rf"/money/grants/{grant.pk}/$"))

    assert "120.00 USD" not in page.locator("#spending").inner_text()
    assert "850.50 USD" in page.locator("#spending").inner_text()
    removed = page.locator("#removed-spending tbody tr")
    assert removed.count() == 1
    assert "typed twice" in removed.inner_text()
    row = Spending.all_objects.get(pk=twice.pk)
    assert (row.is_removed, row.removal_reason, row.removed_by) == (True, "typed twice", person)
    assert AuditEntry.objects.filter(object_id=str(twice.pk), action="remove").exists()
    assert _spent(grant) == "850.50"

    removed.get_by_role("button", name="Restore").click()
    page.wait_for_url(re.compile(rf"/money/grants/{grant.pk}/$"))
    assert page.locator("#removed-spending").count() == 0
    assert "120.00 USD" in page.locator("#spending").inner_text()
    assert _spent(grant) == "970.50"
    assert kept.pk in set(Spending.objects.values_list("pk", flat=True))


def test_a_coordinator_removes_a_mistyped_rate(live_server, phone):
    page = phone
    good, typo = (
        ExchangeRate.objects.create(
            on=DAY,
            from_currency="USD",
            to_currency="MMK",
            rate=Decimal(rate),
            kind="market",
            source=source,
        )
        for rate, source in (("3650", "Yangon market survey"), ("36500", "Mandalay survey"))
    )
    person = f.UserFactory(username="network-treasurer", language="en",
                           global_role=GlobalRole.COORDINATOR)  # fmt: skip
    _signed_in_browser(page, live_server, person)
    page.goto(f"{live_server.url}/money/rates/")
    page.locator("#rates tbody tr", has_text="Mandalay survey").get_by_role(
        "link", name="Remove"
    ).click()
    page.wait_for_url(re.compile(rf"/money/rates/{typo.pk}/remove/$"))
    page.fill("#id_reason", "a zero too many")
    page.get_by_role("button", name="Remove").click()
    page.wait_for_url(re.compile(r"/money/rates/$"))
    assert "Mandalay survey" not in page.locator("#rates").inner_text()
    assert "a zero too many" in page.locator("#removed-rates").inner_text()
    assert list(ExchangeRate.objects.all()) == [good]
    assert ExchangeRate.all_objects.get(pk=typo.pk).removal_reason == "a zero too many"
