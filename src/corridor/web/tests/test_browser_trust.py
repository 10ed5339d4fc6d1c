"""Issue 12 in a real browser: a viewer's menu, and a likely duplicate confirmed (0215)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.aid.services import activity_record
from corridor.geo.models import AdminUnit
from corridor.testing import factories as f
from corridor.web.tests.test_browser import (  # noqa: F401 — the fixture
    TOWNSHIP,
    _editor,
    _signed_in_browser,
    browser_page,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_sees_no_menu_item_it_cannot_use(live_server, browser_page):  # noqa: F811
    """Every link of the main menu a viewer is shown opens for them; none is an entry page."""
    page = browser_page
    # It opens every page of the menu, the dashboard's first drawing of the map among them:
    # on a busy shared machine with PostgreSQL that took over the fixture's 20 s.
    page.set_default_navigation_timeout(60_000)
    org = f.OrganisationFactory(name="Helping Hands")
    viewer = f.UserFactory(username="reader", language="en")
    f.MembershipFactory(user=viewer, organisation=org, role=OrgRole.VIEWER)
    _signed_in_browser(page, live_server, viewer)
    page.goto(f"{live_server.url}/")
    menu = page.get_by_role("navigation", name="Main").get_by_role("link")
    items = {link.inner_text(): link.get_attribute("href") or "" for link in menu.all()}
    assert {"Dashboard", "Gaps", "Activities", "Files"} <= set(items)
    assert "Report activity" not in items
    assert not [href for href in items.values() if href.startswith("/enter/")]
    for name, href in items.items():
        response = page.goto(f"{live_server.url}{href}")
        assert response is not None
        assert response.status == 200, (name, href)
        assert page.get_by_role("link", name="Report activity").count() == 0, href
    shot(page, "viewer-menu")


def test_an_editor_confirms_a_likely_duplicate(live_server, browser_page):  # noqa: F811
    """The same report typed twice: refused with the reason and a box to confirm; ticked, it
    is saved."""
    page = browser_page
    user, org = _editor(language="en")
    first = activity_record(
        by=user,
        organisation=org,
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        reporting_month=dt.date(2026, 5, 1),
        sector="health",
        modality="service",
        women=40,
    )
    _signed_in_browser(page, live_server, user)
    page.goto(f"{live_server.url}/enter/activity/")
    assert page.get_by_label("I have checked").count() == 0
    page.fill("#id_township", TOWNSHIP)
    page.fill("#id_reporting_month", "2026-05")
    page.select_option("#id_sector", "health")
    page.select_option("#id_modality", "service")
    page.fill("#id_women", "40")
    page.get_by_role("button", name="Save").click()
    alert = page.locator("form.entry > .error")
    alert.wait_for()
    assert f"looks like a duplicate of activity {str(first.pk)[:8]}" in alert.inner_text()
    assert Activity.objects.count() == 1
    shot(page, "entry-duplicate-flagged")
    page.get_by_label("I have checked").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/townships/{TOWNSHIP}/"))
    assert Activity.objects.count() == 2
