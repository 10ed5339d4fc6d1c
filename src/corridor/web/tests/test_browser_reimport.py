"""Re-importing an updated 5W on the upload page, in a real browser (issue 11 §4)."""

from __future__ import annotations

import pytest

from corridor.aid.models import Activity
from corridor.exchange.tests.test_reimport import HEADERS, PEOPLE, ROWS, TAGS, TITLE, people_stored
from corridor.web.tests.test_browser import (  # noqa: F401 — browser_page is a fixture
    _editor,
    _signed_in_browser,
    browser_page,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _five_w(path, rows):
    rows = [r.replace("CRN,", "Helping Hands,") for r in rows]
    path.write_text(TITLE + HEADERS + TAGS + "".join(r + "\r\n" for r in rows), encoding="utf-8")
    return str(path)


def _check(page, url: str, path: str, *, replace: bool) -> str:
    page.goto(f"{url}/enter/upload/")
    page.set_input_files("#id_file", path)
    if replace:
        page.check("#id_replace")
    page.get_by_role("button", name="Check the file").click()
    page.locator("#upload-counts").wait_for()
    return page.locator("#upload-preview").inner_text()


def test_re_import_a_re_sorted_copy_with_one_row_removed(
    live_server,
    browser_page,  # noqa: F811 — the fixture imported above
    tmp_path,
):
    page = browser_page
    user, _org = _editor(language="en")
    _signed_in_browser(page, live_server, user)

    first = _check(page, live_server.url, _five_w(tmp_path / "5w.csv", ROWS), replace=False)
    assert "If you import it: 7 new, 0 changed, 0 removed, 0 unchanged." in first
    page.get_by_role("button", name="Import now").click()
    page.locator("#upload-done").wait_for()
    assert Activity.objects.count() == 7

    update = _five_w(tmp_path / "5w-update.csv", [ROWS[n] for n in (6, 5, 4, 3, 1, 0)])
    kept = _check(page, live_server.url, update, replace=False)
    assert "If you import it: 0 new, 0 changed, 0 removed, 6 unchanged." in kept
    assert "One record it covers is not in this file; it will be kept." in kept

    preview = _check(page, live_server.url, update, replace=True)
    assert "If you import it: 0 new, 0 changed, 1 removed, 6 unchanged." in preview
    assert "Helping Hands: activities of 2024-03 to 2024-04" in preview
    assert "MMR004002 health service 2024-03: 41 people reached" in preview
    shot(page, "reimport-check-en")
    assert Activity.objects.count() == 7  # the check changed nothing

    page.get_by_role("button", name="Import now").click()
    page.locator("#upload-done").wait_for()
    assert (
        "Imported: 0 new, 0 changed, 1 removed, 6 unchanged."
        in page.locator("#upload-done").inner_text()
    )
    assert Activity.objects.count() == 6
    assert people_stored() == sum(PEOPLE) - 41
