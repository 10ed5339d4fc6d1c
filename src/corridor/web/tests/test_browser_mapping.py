"""The upload page's mapping step in a real browser: an untagged XLSX 5W with a title row,
merged header cells and "NA", its proposed mapping changed by hand, checked, then imported."""

from __future__ import annotations

import openpyxl
import pytest

from corridor.aid.models import Activity
from corridor.exchange.models import SavedMapping
from corridor.web.tests.test_browser import (  # noqa: F401 (browser_page is a fixture)
    TOWNSHIP,
    _editor,
    _signed_in_browser,
    browser_page,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_untagged_xlsx_mapped_in_the_browser(live_server, browser_page, tmp_path):  # noqa: F811
    page = browser_page
    user, _org = _editor(language="en")
    _signed_in_browser(page, live_server, user)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "5W"
    sheet.append(["Health Cluster 5W - April 2024"])
    sheet.append(
        [
            "Partner",
            "Cluster",
            "Tsp Pcode",
            "Modality",
            "Reporting Month",
            "Female",
            "",
            "Male",
            "",
            "Col X",
        ]
    )
    sheet.append(["", "", "", "", "", "18-59", "60+", "18-59", "60+", ""])
    sheet.merge_cells("F2:G2")
    sheet.merge_cells("H2:I2")
    sheet.append(["Helping Hands", "Health", TOWNSHIP, "Services", "2024-04", 9, 1, "NA", 2, 3])
    sheet.append(["Helping Hands", "WASH", TOWNSHIP, "Cash", "2024-04", 20, "-", 11, 0, 12])
    path = tmp_path / "health-5w.xlsx"
    book.save(path)

    page.goto(f"{live_server.url}/enter/upload/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Check the file").click()
    page.locator("#upload-mapping").wait_for()
    assert page.get_by_label("Female 60+").input_value() == "women"
    assert page.get_by_label("Tsp Pcode").input_value() == "adm3_code"
    assert page.get_by_label("Col X").input_value() == ""
    preview = page.locator("#mapping-preview tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText))"
    )
    assert preview[0][0] == "4"  # the file's own row number, under a title and two header rows
    assert "10" in preview[0]  # 9 + 1 women
    page.get_by_label("Col X").select_option("households")
    page.get_by_label("Save this mapping as (optional)").fill("Health 5W")
    shot(page, "upload-mapping-en")
    page.get_by_role("button", name="Check the file with this mapping").click()
    page.locator("#upload-ok").wait_for()
    assert Activity.objects.count() == 0
    page.get_by_role("button", name="Import now").click()
    page.locator("#upload-done").wait_for()
    assert "Imported: 2 new" in page.locator("#upload-done").inner_text()
    wash = Activity.objects.get(sector="wash")
    assert (wash.women, wash.men, wash.households, wash.modality) == (20, 11, 12, "cash")
    assert SavedMapping.objects.get().name == "Health 5W"
