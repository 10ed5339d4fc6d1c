"""Planned reach and need by sector as a coordinator sees them in a real browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from corridor.accounts.models import GlobalRole
from corridor.geo.models import AdminUnit
from corridor.geo.services import admin_units_load
from corridor.testing import factories as f
from corridor.testing.signin import totp_code, totp_device
from corridor.web.tests.test_browser import browser_page, shot  # noqa: F401 — the fixture

TOWNSHIP = "MMR005022"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_sees_planned_apart_and_need_by_sector(live_server, browser_page):  # noqa: F811
    page = browser_page
    admin_units_load()
    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    user = f.UserFactory(username="coordinator", global_role=GlobalRole.COORDINATOR)
    device = totp_device(user)
    hno = f.SourceFactory(title="HNO 2024", publisher="OCHA")
    f.DisplacementFigureFactory(admin_unit=unit, as_of=dt.date(2024, 2, 10), idps=1000)
    f.DisplacementFigureFactory(
        admin_unit=unit,
        as_of=dt.date(2023, 12, 15),
        idps=None,
        people_in_need=8000,
        sector="food_security",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2024, 12, 31),
        source=hno,
    )
    org = f.OrganisationFactory(name="Helping Hands")
    people = {"men": 0, "girls": 0, "boys": 0}
    month = dt.date(2024, 6, 1)
    f.ActivityFactory(admin_unit=unit, organisation=org, reporting_month=month, women=40, **people)
    f.ActivityFactory(
        admin_unit=unit,
        organisation=org,
        reporting_month=month,
        status="planned",
        women=700,
        **people,
    )
    f.ActivityFactory(
        admin_unit=unit,
        organisation=org,
        reporting_month=month,
        status="cancelled",
        women=900,
        **people,
    )

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", f.TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.fill("#id_code", totp_code(device))
    page.press("#id_code", "Enter")
    page.wait_for_url(re.compile(r"/$"))
    # The dashboard opens on June 2024 (the latest reached month): 40 reached, 700 planned.
    assert page.locator("#headline-reached .value").inner_text() == "40"
    assert page.locator("#headline-planned .value").inner_text() == "700"
    assert page.locator("#headline-reached .period").inner_text().strip() != ""

    # The township page opens on June 2024 too; food security's need is the HNO's line.
    page.goto(f"{live_server.url}/townships/{TOWNSHIP}/")
    food = page.locator('#township-gaps tr[data-sector="food_security"]')
    assert food.locator("td.reached").inner_text() == "40"
    assert food.locator("td.planned").inner_text() == "700"
    assert "8,000" in food.inner_text()
    assert "OCHA: HNO 2024" in food.locator("td.need-from").inner_text()
    health = page.locator('#township-gaps tr[data-sector="health"]')
    assert "1,000" in health.inner_text()  # its need is the IDPs, not food security's
    assert "900" not in page.locator("body").inner_text()
    shot(page, "township-planned-and-need")
