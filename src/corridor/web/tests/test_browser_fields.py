"""The 4W entry form's new fields in a real browser (decisions 0165-0167): a person types more
elderly women than women, reads why, corrects it, and the row is saved with its village tract
encrypted and its total unchanged by the "of whom" counts."""

from __future__ import annotations

import re

import pytest

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.geo.models import AdminUnit
from corridor.geo.services import admin_units_load
from corridor.testing import factories as f
from corridor.web.tests.test_browser import (  # noqa: F401 — browser_page is a fixture
    TOWNSHIP,
    _signed_in_browser,
    browser_page,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_elderly_disability_village_and_donor(live_server, browser_page):  # noqa: F811
    page = browser_page
    admin_units_load()
    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    org = f.OrganisationFactory(name="Helping Hands")
    user = f.UserFactory(username="fieldworker")
    f.MembershipFactory(user=user, organisation=org, role=OrgRole.EDITOR)
    _signed_in_browser(page, live_server, user)

    page.goto(f"{live_server.url}/enter/activity/")
    page.locator("#id_township").fill(unit.name_en)
    page.fill("#id_reporting_month", "2024-03")
    page.select_option("#id_sector", "food_security")
    page.select_option("#id_modality", "cash")
    page.select_option("#id_conditionality", "unconditional")
    for name, value in (("women", "30"), ("men", "20"), ("girls", "0"), ("boys", "0")):
        page.fill(f"#id_{name}", value)
    page.fill("#id_elderly_women", "40")
    page.fill("#id_disabled", "3")
    page.fill("#id_village_tract", "Nat Gyi Kone")
    page.fill("#id_donor", "Myanmar Humanitarian Fund")
    page.get_by_role("button", name="Save").click()

    error = page.locator("#id_elderly_women").locator("xpath=..")
    assert "40 is more than the 30 women they are part of" in error.inner_text()
    assert not Activity.objects.exists()
    shot(page, "entry-elderly-refused")

    page.fill("#id_elderly_women", "7")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/townships/{TOWNSHIP}/"))
    assert "Saved: 50 people reached" in page.locator(".messages").inner_text()
    saved = Activity.objects.get()
    assert (saved.women, saved.elderly_women, saved.elderly_men, saved.disabled) == (30, 7, None, 3)
    assert (saved.village_tract, saved.village) == ("Nat Gyi Kone", "")
    assert (saved.donor, saved.conditionality) == ("Myanmar Humanitarian Fund", "unconditional")
    assert saved.people_reached == 50
