"""The printable map in a real browser: it prints (to PDF) with its title, period, sources and
no menus, and its state names sit on the map."""

import datetime as dt

import pytest

from corridor.accounts.models import OrgRole
from corridor.geo.services import admin_units_load
from corridor.testing import factories as f
from corridor.web.tests.test_browser import _signed_in_browser, browser_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["browser_page"]  # the fixture, shared with test_browser.py


def test_the_map_prints_with_its_title_period_and_sources(live_server, browser_page):
    page = browser_page
    page.set_default_timeout(60_000)  # the first map of a process projects every boundary
    admin_units_load()
    org = f.OrganisationFactory(name="Helping Hands")
    user = f.UserFactory(username="printer", language="en")
    f.MembershipFactory(user=user, organisation=org, role=OrgRole.VIEWER)
    source = f.SourceFactory(title="Township report", publisher="Field team")
    for pcode, idps in (("MMR005022", 5000), ("MMR001001", 12000), ("MMR013008", 800)):
        f.DisplacementFigureFactory(
            admin_unit=f.township(pcode), as_of=dt.date(2024, 3, 20), idps=idps, source=source
        )
    _signed_in_browser(page, live_server, user)
    page.goto(f"{live_server.url}/?start=2024-01&end=2024-03&map=idps")
    page.get_by_role("link", name="Printable map (PDF, SVG)").click()
    page.wait_for_url("**/map/print/**")
    assert page.locator("h1").inner_text() == "IDPs by township (latest figure)"
    assert page.get_by_text("January 2024 – March 2024").is_visible()
    assert page.get_by_text("Sources: displacement figures from Field team.").is_visible()
    assert page.locator("svg.map g.region-names text", has_text="Sagaing").count() == 1

    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()  # no menus on paper
    assert not page.get_by_role("link", name="Download as SVG").is_visible()
    shot(page, "map-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000  # the map is in it, not an empty page

    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as SVG").click()
    assert download.value.suggested_filename == "corridor-map.svg"
