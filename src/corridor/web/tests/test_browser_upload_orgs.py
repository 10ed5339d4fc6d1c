"""A coordinator brings in a cluster-wide 5W in a real browser: no organisation chosen, the new
partners reviewed (acronym and type edited) and created with the import (decision 0160)."""

from __future__ import annotations

import pytest

from corridor.accounts.models import GlobalRole
from corridor.aid.models import Activity
from corridor.geo.services import admin_units_load
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.testing import factories as f
from corridor.web.tests import test_browser
from corridor.web.tests.test_browser import TOWNSHIP, _signed_in_browser, shot

# The browser fixture of the other browser tests (chromium, headless, screenshots).
browser_page = test_browser.browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_creates_the_new_partners_and_imports(live_server, browser_page, tmp_path):
    page = browser_page
    admin_units_load()
    known = f.OrganisationFactory(name="Helping Hands", acronym="HH")
    coordinator = f.UserFactory(
        username="cluster", language="en", global_role=GlobalRole.COORDINATOR
    )
    _signed_in_browser(page, live_server, coordinator)
    cluster = tmp_path / "cluster-5w.csv"
    cluster.write_text(
        "Organisation,Acronym,Org type,Sector,Modality,Township Pcode,Month,Women reached\r\n"
        "#org+name,#org+acronym,#org+type,#sector,#modality,#adm3+code,#date+reported,"
        "#reached+f+adults\r\n"
        f"Helping Hands,HH,NNGO,health,service,{TOWNSHIP},2024-04,9\r\n"
        f"Sagaing Youth Relief,SYR,NNGO,health,service,{TOWNSHIP},2024-04,7\r\n"
        f"Delta Women Network,,,wash,in_kind,{TOWNSHIP},2024-04,5\r\n",
        encoding="utf-8",
    )

    page.goto(f"{live_server.url}/enter/upload/")
    page.set_input_files("#id_file", str(cluster))
    page.get_by_role("button", name="Check the file").click()
    page.locator("#new-organisations").wait_for()
    names = page.locator("#new-organisations tbody tr td:nth-child(2)").all_inner_texts()
    assert names == ["Sagaing Youth Relief", "Delta Women Network"]
    page.locator('input[name="new-1-acronym"]').fill("DWN")
    page.locator('select[name="new-1-type"]').select_option("ethnic")
    shot(page, "upload-new-organisations")
    page.get_by_role("button", name="Create the ticked organisations and import").click()
    page.locator("#upload-done").wait_for()

    assert "Delta Women Network" in page.locator("#created-organisations").inner_text()
    dwn = Organisation.objects.get(name="Delta Women Network")
    assert (dwn.acronym, dwn.kind) == ("DWN", OrgKind.ETHNIC)
    assert dwn.visibility == Visibility.PSEUDONYMOUS
    assert Organisation.objects.get(name="Sagaing Youth Relief").acronym == "SYR"
    assert Activity.objects.filter(organisation=known).count() == 1
    assert Activity.objects.filter(organisation=dwn).count() == 1
