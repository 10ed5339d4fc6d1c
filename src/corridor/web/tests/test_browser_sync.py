"""A person settles a sync conflict in a real browser, on a phone-sized screen: opens the sync
page from the menu, sees the peer and the conflict, compares the two versions and takes the one
that lost (decision 0296)."""

from __future__ import annotations

import pytest

from corridor.accounts.models import GlobalRole
from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.sync.models import Conflict, Version
from corridor.testing import factories as f
from corridor.web.tests.test_browser import (  # noqa: F401 — browser_page is a fixture
    _signed_in_browser,
    browser_page,
    shot,
)
from corridor.web.tests.test_sync_pages import LOST_VILLAGE, sync_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_takes_the_lost_side_of_a_conflict(live_server, browser_page):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    conflict = sync_state()
    admin = f.UserFactory(username="hub-admin", global_role=GlobalRole.ADMIN, language="en")
    _signed_in_browser(page, live_server, admin)

    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync").click()
    page.get_by_role("heading", name="Sync by file").wait_for()
    peer = page.locator("tr[data-peer='field-kalay']")
    assert "field instance" in peer.inner_text()
    page.get_by_role("link", name=f"aid.activity {str(conflict.record_id)[:8]}").click()

    page.get_by_role("heading", name="Conflict to review").wait_for()
    women = page.locator("tr[data-field='women']")
    assert "differs" in women.inner_text()
    assert "77" in women.inner_text()
    assert LOST_VILLAGE in page.locator("tr[data-field='village']").inner_text()
    shot(page, "sync-conflict-phone")
    page.get_by_role("button", name="Take the version that lost").click()

    page.get_by_text("The version that lost is now the record's").wait_for()
    assert "No conflicts to review." in page.content()
    activity = Activity.objects.get(pk=conflict.record_id)
    assert (activity.women, activity.village) == (77, LOST_VILLAGE)
    assert Conflict.objects.get().resolution == "took_lost"
    version = Version.objects.get(kind="aid.activity", record_id=conflict.record_id)
    assert conflict.lost_hlc in version.superseded
    entry = AuditEntry.objects.filter(object_type="sync.conflict").latest("seq")
    assert (entry.actor_label, entry.changes["resolution"]) == ("hub-admin", "took_lost")
