"""A partial upload and its review list in a real browser, on a phone-sized screen
(issue 11 §3): upload a 5W with bad rows, see them held, import the rest, fix one held row,
pick the township of another, drop the third."""

from __future__ import annotations

import pytest

from corridor.aid.models import Activity
from corridor.exchange.models import HeldRow, HeldStatus
from corridor.exchange.tests.test_partial import HEADER, ROWS
from corridor.web.tests.test_browser import (  # noqa: F401 — browser_page is a fixture
    _editor,
    _signed_in_browser,
    browser_page,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_hold_bad_rows_and_fix_them_in_review(live_server, browser_page, tmp_path):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    user, _org = _editor(language="en")
    _signed_in_browser(page, live_server, user)
    path = tmp_path / "5w.csv"
    rows = [r.replace("CRN,", "Helping Hands,") for r in ROWS]
    path.write_text(HEADER + "\r\n".join(rows) + "\r\n", encoding="utf-8")

    page.goto(f"{live_server.url}/enter/upload/")
    page.set_input_files("#id_file", str(path))
    page.check("#id_partial")
    page.get_by_role("button", name="Check the file").click()
    held = page.locator("#upload-held-rows")
    held.wait_for()
    assert (
        "2 rows can be imported; 3 rows have problems" in page.locator("#upload-held").inner_text()
    )
    assert "not a whole number: 'NA'" in held.inner_text()
    assert "unknown sector 'rocketry'" in held.inner_text()
    assert not Activity.objects.exists()  # the check changed nothing

    page.get_by_role("button", name="Import the valid rows, hold the others").click()
    page.locator("#upload-held-done").wait_for()
    assert Activity.objects.count() == 2
    assert HeldRow.objects.filter(status=HeldStatus.HELD).count() == 3

    page.get_by_role("link", name="Review held rows").click()
    page.locator("#held-rows").wait_for()
    shot(page, "held-review-phone")
    falam = page.locator(".held-row", has_text="row 3")
    falam.get_by_label("#reached+f+adults").fill("0")
    falam.get_by_role("button", name="Fix and import").click()
    page.get_by_text("5w.csv, row 3: fixed and imported.").wait_for()

    place = page.locator(".held-row", has_text="row 4")
    place.get_by_label("Hlaingtharya (West)").check()
    place.get_by_role("button", name="Fix and import").click()
    page.get_by_text("5w.csv, row 4: fixed and imported.").wait_for()

    page.locator(".held-row", has_text="row 5").get_by_role("button", name="Drop this row").click()
    page.locator("#held-none").wait_for()

    assert Activity.objects.count() == 4
    assert Activity.objects.get(admin_unit__name_en="Falam").women == 0
    assert Activity.objects.filter(admin_unit_id="MMR013047").exists()
    assert HeldRow.objects.get(row=5).status == HeldStatus.DROPPED
