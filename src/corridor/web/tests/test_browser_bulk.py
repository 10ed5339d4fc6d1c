"""Issue 12 in a real browser: correcting a selection of activities at once (the bulk status
form), and what a viewer is offered on the same pages — nothing to correct."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity, Status
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


def _planned(user, org, *, sectors: tuple[str, ...]) -> list[Activity]:
    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    return [
        activity_record(
            by=user,
            organisation=org,
            admin_unit=unit,
            reporting_month=dt.date(2026, 5, 1),
            sector=sector,
            modality="service",
            status=Status.PLANNED,
            women=20 + n,
        )
        for n, sector in enumerate(sectors)
    ]


def test_an_editor_sets_the_status_of_a_selection(live_server, browser_page):  # noqa: F811
    """Two of three planned activities took place: the editor ticks them, sets "Completed"
    once, and each row's history shows the change."""
    page = browser_page
    user, org = _editor(language="en")
    health, wash, food = _planned(user, org, sectors=("health", "wash", "food_security"))
    _signed_in_browser(page, live_server, user)
    page.goto(f"{live_server.url}/activities/")
    page.locator(f"#choose-{health.pk}").check()
    page.locator(f"#choose-{wash.pk}").check()
    page.get_by_label("Set the status of the chosen activities to").select_option("completed")
    page.get_by_role("button", name="Set status").click()
    page.wait_for_url(re.compile(r"/activities/"))
    assert "Status set to Completed on 2 activities." in page.locator(".messages").inner_text()
    rows = {
        row.get_by_role("link").nth(1).inner_text(): row.locator("td").nth(5).inner_text()
        for row in page.locator("tbody tr").all()
    }
    assert rows == {
        "Health": "Completed",
        "Water, sanitation and hygiene": "Completed",
        "Food security": "Planned",
    }
    shot(page, "activities-bulk-status")
    statuses = dict(Activity.objects.values_list("pk", "status"))
    assert (statuses[health.pk], statuses[wash.pk], statuses[food.pk]) == (
        Status.COMPLETED,
        Status.COMPLETED,
        Status.PLANNED,
    )
    page.get_by_role("link", name="Water, sanitation and hygiene").click()
    page.wait_for_url(re.compile(rf"/activities/{wash.pk}/$"))
    history = page.locator("#history").inner_text()
    assert re.search(r"Status: \S+ → \S+", history), history
    assert "picker" in history  # who changed it


def test_a_viewer_is_offered_nothing_to_correct(live_server, browser_page):  # noqa: F811
    """The same pages for a viewer of the organisation: no boxes to choose rows, no status
    form, no Edit or Remove; the edit address typed by hand is a styled refusal."""
    page = browser_page
    editor, org = _editor(language="en")
    (activity,) = _planned(editor, org, sectors=("health",))
    viewer = f.UserFactory(username="reader", language="en")
    f.MembershipFactory(user=viewer, organisation=org, role=OrgRole.VIEWER)
    _signed_in_browser(page, live_server, viewer)
    page.goto(f"{live_server.url}/activities/")
    assert page.get_by_role("link", name="Health").count() == 1
    assert page.get_by_role("checkbox").count() == 0
    assert page.get_by_role("button", name="Set status").count() == 0
    page.get_by_role("link", name="Health").click()
    page.wait_for_url(re.compile(rf"/activities/{activity.pk}/$"))
    assert page.locator("#history").count() == 1
    assert page.get_by_role("link", name="Edit").count() == 0
    assert page.get_by_role("link", name="Remove").count() == 0
    refused = page.goto(f"{live_server.url}/activities/{activity.pk}/edit/")
    assert refused is not None
    assert refused.status == 403
    assert page.locator("link[rel=stylesheet]").count() >= 1  # the site's page, not a bare 403
    assert page.locator("h1").inner_text() == "Not allowed"
    assert page.get_by_role("link", name="Back to the dashboard").count() == 1
