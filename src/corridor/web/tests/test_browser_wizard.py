"""A new information-management officer brings in a cluster 5W they already have, in a real
browser, from the first upload to next month's update (issue 11, "Done when"):

an untagged XLSX with three partners (one known, two not), its proposed mapping corrected,
the two new partners created in the review, the bad rows held, one of them fixed in the review
list and the other dropped, then the updated file — re-sorted, one row gone — checked as
replacing what it covers: exactly 1 removed and nothing else changed.

The screenshots of docs/exchange.md ("Bring in a file you already have") are taken here:

    SCREENSHOTS_TO_DOCS=1 .venv/bin/pytest -p no:cacheprovider \
        src/corridor/web/tests/test_browser_wizard.py

writes them to docs/screenshots/wizard-*.png; without the variable they go to test-artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from corridor.accounts.models import GlobalRole
from corridor.aid.models import Activity
from corridor.exchange.models import HeldRow, HeldStatus, SavedMapping
from corridor.geo.services import admin_units_load
from corridor.orgs.models import Organisation, OrgKind
from corridor.testing import factories as f
from corridor.web.tests.conftest import ARTIFACTS
from corridor.web.tests.test_browser import (  # noqa: F401 — browser_page is a fixture
    _signed_in_browser,
    browser_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT_HEIGHT = 1000
DOCS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
TITLE = "Chin and Sagaing 5W - April 2024"
HEADER = [
    "Implementing Partner",
    # Headers of this partner's own making, which no template uses: the person maps them.
    "Abbrev.",
    "Partner category",
    "Cluster",
    "State/Region",
    "Township",
    "Modality",
    "Reporting Month",
    "Female (18-59)",
    "Male (18-59)",
    "Girls (<18)",
    "Boys (<18)",
    "HH reached",
    "Remarks",
]
HH = ["Helping Hands", "HH", "NNGO"]
SYR = ["Sagaing Youth Relief", "SYR", "CBO"]
CWN = ["Chin Women Network", "CWN", "LNGO"]
# The file as the partners sent it; spreadsheet row = index + 3 (a title row, then the header).
ROWS = [
    [*HH, "Health", "Chin", "Hakha", "Service delivery", "2024-04", 30, 20, 10, 5, 12, ""],
    [*HH, "WASH", "Chin", "Falam", "In-kind distribution", "2024-04", 40, 35, 22, 18, 25, ""],
    [*SYR, "Food", "Sagaing", "Kalay", "Cash transfer", "2024-04", 120, 100, 60, 55, 70, ""],
    [*SYR, "Food", "Sagaing", "Tamoo", "Cash transfer", "2024-04", 33, 30, 14, 12, 20, ""],
    [*SYR, "Shelter/NFI", "Sagaing", "Tamu", "In-kind", "2024-04", 15, 12, 8, 6, 9, ""],
    [*CWN, "Protection", "Chin", "Tedim", "Services", "2024-04", 25, 0, 12, 0, "", "case work"],
    [*CWN, "WASH", "Chin", "Matupi", "In-kind", "2024-04", 9999999, 8, 5, 5, 6, ""],
    [*CWN, "Health", "Chin", "Mindat", "Service delivery", "2024-04", 18, 9, 7, 7, 10, ""],
    [*HH, "Food", "Chin", "Hakha", "Cash transfer", "2024-03", 50, 45, 30, 25, 40, ""],
]
TAMOO, MATUPI, MINDAT = 3, 6, 7  # a misspelt township, an absurd count, the row to remove
PEOPLE = {at: sum(row[8:12]) for at, row in enumerate(ROWS)}


def _workbook(path: Path, rows: list[list]) -> str:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "5W"
    sheet.append([TITLE])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def _shot(page, name: str, target, height: int = SHOT_HEIGHT) -> None:
    """One part of the page, at most ``height`` tall, for the docs or the test artifacts."""
    folder = DOCS if os.environ.get("SCREENSHOTS_TO_DOCS") else ARTIFACTS
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    top = page.evaluate("window.scrollY")
    clip = {
        "x": box["x"],
        "y": box["y"] + top,
        "width": box["width"],
        "height": min(box["height"], height),
    }
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True, clip=clip)


def _table(page, selector: str) -> list[list[str]]:
    return page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )


def _listed(page, url: str) -> list[tuple[str, str, int]]:
    """The activities list as a person reads it: township, sector, people reached."""
    page.goto(f"{url}/activities/")
    heads = page.locator("table thead th").all_inner_texts()
    at = {name: heads.index(name) for name in ("Township", "Sector", "People reached")}
    return sorted(
        (row[at["Township"]], row[at["Sector"]], int(row[at["People reached"]].replace(",", "")))
        for row in _table(page, "table")
    )


def test_bring_in_a_cluster_5w_then_its_update(live_server, browser_page, tmp_path):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 1040, "height": 900})
    admin_units_load()
    f.OrganisationFactory(name="Helping Hands", acronym="HH")
    officer = f.UserFactory(
        username="im-officer", language="en", global_role=GlobalRole.COORDINATOR
    )
    _signed_in_browser(page, live_server, officer)

    # 1. Upload the file as it is, asking for rows with problems to be held.
    page.goto(f"{live_server.url}/enter/upload/")
    assert "or a sheet with its own headers" in page.locator("form.entry").inner_text()
    page.set_input_files("#id_file", _workbook(tmp_path / "chin-sagaing-5w.xlsx", ROWS))
    page.check("#id_partial")
    _shot(page, "wizard-1-upload", page.locator("form.entry"))
    page.get_by_role("button", name="Check the file").click()

    # 2. The mapping: Corridor's proposal, two columns it left out set by hand, saved by name.
    page.locator("#upload-mapping").wait_for()
    assert page.get_by_label("Implementing Partner").input_value() == "org"
    assert page.get_by_label("Township", exact=True).input_value() == "adm3_name"
    assert page.get_by_label("Female (18-59)").input_value() == "women"
    assert page.get_by_label("Abbrev.").input_value() == ""
    assert page.get_by_label("Partner category").input_value() == ""
    # Picked by what the list shows, as a person does.
    page.get_by_label("Abbrev.").select_option(label="Organisation acronym (org_acronym)")
    page.get_by_label("Partner category").select_option(label="Organisation type (org_type)")
    assert page.get_by_label("Abbrev.").input_value() == "org_acronym"
    page.get_by_label("Save this mapping as (optional)").fill("Chin-Sagaing 5W")
    # A wide file scrolls in its own box; the page itself does not run off the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "wizard-2-mapping", page.locator("#upload-mapping"), height=885)
    page.get_by_role("button", name="Check the file with this mapping").click()

    # 3. The check: rows to hold, partners to create, what the import will do. Nothing saved.
    page.locator("#new-organisations").wait_for()
    assert (
        "7 rows can be imported; 2 rows have problems and will be held for review."
        in page.locator("#upload-held").inner_text()
    )
    held = _table(page, "#upload-held-rows")
    assert [(row[0], row[1], row[2]) for row in held] == [
        (str(TAMOO + 3), "Township", "Tamoo"),
        (str(MATUPI + 3), "Female (18-59)", "9999999"),
    ]
    assert "more people than live in any township" in held[1][3]
    # Left unticked, a partner's rows would wait in the review list, not refuse the file.
    caption = page.locator("#new-organisations caption").inner_text()
    assert "its rows are held for review with the others" in caption
    new = _table(page, "#new-organisations")
    assert [row[1] for row in new] == ["Sagaing Youth Relief", "Chin Women Network"]
    assert page.locator('input[name="new-0-acronym"]').input_value() == "SYR"
    assert page.locator('select[name="new-0-type"]').input_value() == OrgKind.LOCAL_CSO
    page.locator('select[name="new-1-type"]').select_option(OrgKind.LOCAL_CSO)
    assert (
        "If you import it: 7 new, 0 changed, 0 removed, 0 unchanged."
        in page.locator("#upload-counts").inner_text()
    )
    scope = page.locator("#upload-scope").inner_text()
    assert "Sagaing Youth Relief: activities of 2024-04" in scope
    assert "Chin Women Network: activities of 2024-04" in scope
    assert not Activity.objects.exists()
    assert not Organisation.objects.filter(name="Sagaing Youth Relief").exists()
    _shot(page, "wizard-3-check", page.locator("#upload-report"), height=482)
    _shot(page, "wizard-4-organisations", page.locator("#upload-report form"))

    # 4. Import: the partners are created, the valid rows applied, the others held.
    page.get_by_role("button", name="Create the ticked organisations and import").click()
    page.locator("#upload-done").wait_for()
    assert (
        "Imported: 7 new, 0 changed, 0 removed, 0 unchanged."
        in page.locator("#upload-done").inner_text()
    )
    assert "2 rows are held for review." in page.locator("#upload-held-done").inner_text()
    created = page.locator("#created-organisations").inner_text()
    assert "Sagaing Youth Relief" in created
    assert "Chin Women Network" in created
    assert {o.name: o.acronym for o in Organisation.objects.all()} == {
        "Helping Hands": "HH",
        "Sagaing Youth Relief": "SYR",
        "Chin Women Network": "CWN",
    }
    assert SavedMapping.objects.get().name == "Chin-Sagaing 5W"

    # 5. The review list: pick the township of the misspelt row, drop the absurd one.
    page.get_by_role("link", name="Review held rows").click()
    page.locator("#held-rows").wait_for()
    tamoo = page.locator(".held-row", has_text=f"row {TAMOO + 3}")
    tamoo.get_by_label("Tamu", exact=False).check()
    _shot(page, "wizard-5-held", page.locator("#held-rows"))
    tamoo.get_by_role("button", name="Fix and import").click()
    page.get_by_text(f"chin-sagaing-5w.xlsx, row {TAMOO + 3}: fixed and imported.").wait_for()
    matupi = page.locator(".held-row", has_text=f"row {MATUPI + 3}")
    matupi.get_by_role("button", name="Drop this row").click()
    page.locator("#held-none").wait_for()
    assert HeldRow.objects.get(row=TAMOO + 3).status == HeldStatus.APPLIED
    assert HeldRow.objects.get(row=MATUPI + 3).status == HeldStatus.DROPPED

    stored = [at for at in range(len(ROWS)) if at != MATUPI]
    before = _listed(page, live_server.url)
    assert len(before) == len(stored) == 8
    assert sum(people for *_rest, people in before) == sum(PEOPLE[at] for at in stored)
    assert ("Mindat", "Health", PEOPLE[MINDAT]) in before
    assert ("Tamu", "Food security", PEOPLE[TAMOO]) in before

    # 6. Next month's file: re-sorted, the Mindat row gone, "Tamoo" corrected as in the
    # review, the dropped row left out. Checked as replacing what it covers.
    update = [list(ROWS[at]) for at in reversed(stored) if at != MINDAT]
    for row in update:
        if row[5] == "Tamoo":
            row[5] = "Tamu"
    page.goto(f"{live_server.url}/enter/upload/")
    page.set_input_files("#id_file", _workbook(tmp_path / "chin-sagaing-5w-may.xlsx", update))
    page.check("#id_replace")
    page.get_by_role("button", name="Check the file").click()
    page.locator("#upload-counts").wait_for()
    assert (
        "Read through the saved mapping “Chin-Sagaing 5W”"
        in page.locator("#upload-saved-mapping").inner_text()
    )
    preview = page.locator("#upload-preview").inner_text()
    assert "If you import it: 0 new, 0 changed, 1 removed, 7 unchanged." in preview
    assert f"MMR004006 health service 2024-04: {PEOPLE[MINDAT]} people reached" in preview
    assert "Chin Women Network: activities of 2024-04" in preview
    assert Activity.objects.count() == 8  # the check changed nothing
    _shot(page, "wizard-6-reimport", page.locator("#upload-report"))

    page.get_by_role("button", name="Import now").click()
    page.locator("#upload-done").wait_for()
    assert (
        "Imported: 0 new, 0 changed, 1 removed, 7 unchanged."
        in page.locator("#upload-done").inner_text()
    )

    # 7. What the pages show now: the Mindat row gone, every other figure as it was.
    after = _listed(page, live_server.url)
    assert after == [row for row in before if row[0] != "Mindat"]
    assert (
        sum(people for *_rest, people in after)
        == sum(PEOPLE[at] for at in stored) - (PEOPLE[MINDAT])
    )
