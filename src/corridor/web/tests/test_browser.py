"""The app in a real browser: Debian's chromium driven by Playwright against a live server.

Screenshots go to test-artifacts/ (gitignored). Without /usr/bin/chromium the tests skip with
a message; in CI (CI=true) a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.geo.models import AdminUnit
from corridor.geo.services import admin_units_load
from corridor.testing import factories as f
from corridor.testing.signin import totp_code, totp_device
from corridor.web.tests.conftest import ARTIFACTS

TOWNSHIP = "MMR005022"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_sign_in_switch_language_browse_filter_and_report(live_server, browser_page):
    page = browser_page
    admin_units_load()
    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    org = f.OrganisationFactory(name="Helping Hands")
    user = f.UserFactory(username="fieldworker")
    f.MembershipFactory(user=user, organisation=org, role=OrgRole.EDITOR)
    device = totp_device(user)
    f.DisplacementFigureFactory(admin_unit=unit, as_of=dt.date(2024, 3, 20), idps=5000)
    f.DisplacementFigureFactory(
        admin_unit=AdminUnit.objects.get(pcode="MMR005023"), as_of=dt.date(2024, 3, 20), idps=800
    )
    f.ActivityFactory(admin_unit=unit, organisation=org, reporting_month=dt.date(2024, 3, 1))
    f.ActivityFactory(
        admin_unit=unit,
        organisation=org,
        sector="health",
        reporting_month=dt.date(2024, 3, 1),
        women=3,
        men=2,
        girls=0,
        boys=0,
    )
    f.IncidentFactory(admin_unit=unit, occurred_on=dt.date(2024, 3, 3))

    # Sign in with password and a TOTP code, through the real pages.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "fieldworker")
    page.fill("#id_password", f.TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.fill("#id_code", totp_code(device))
    page.press("#id_code", "Enter")
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("h1").inner_text() == "Situation"
    assert page.locator("#headline-idps .value").inner_text() == "5,800"
    shot(page, "dashboard-en")

    # Switch to Burmese: the choice sticks to the user.
    page.get_by_role("button", name="မြန်မာ").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "my"
    assert page.locator("h1").inner_text() == "အခြေအနေ"
    assert page.locator("#headline-idps .value").inner_text() == "၅,၈၀၀"
    user.refresh_from_db()
    assert user.language == "my"
    page.get_by_role("link", name="လွှမ်းခြုံမှု").first.click()
    page.wait_for_load_state()
    assert "map=coverage" in page.url
    shot(page, "dashboard-my")

    # The township page.
    page.goto(f"{live_server.url}/townships/{TOWNSHIP}/")
    assert unit.name_my in page.locator("h1").inner_text()
    assert "Helping Hands" in page.locator("body").inner_text()
    shot(page, "township-my")

    # Filter the gap table to one sector.
    page.goto(f"{live_server.url}/gaps/")
    page.select_option("#id_sector", "health")
    page.fill("#id_month", "2024-03")
    page.get_by_role("button", name="စစ်ထုတ်ရန်").click()
    page.wait_for_url(re.compile(r"sector=health"))
    sectors = page.locator("#gap-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.sector)"
    )
    assert sectors
    assert set(sectors) == {"health"}
    shot(page, "gaps-my")

    def reached_food() -> str:
        page.goto(f"{live_server.url}/gaps/?month=2024-03&sector=food_security")
        row = page.locator(f'#gap-table tr[data-pcode="{TOWNSHIP}"] td.reached')
        return row.inner_text()

    assert reached_food() == "၂၇"

    # Report an activity, picking the township by its Burmese name.
    page.goto(f"{live_server.url}/enter/activity/")
    picker = page.locator("#id_township")
    assert picker.get_attribute("list") == "townships"
    picker.fill(unit.name_my)
    page.fill("#id_reporting_month", "2024-03")
    page.select_option("#id_sector", "food_security")
    page.select_option("#id_modality", "cash")
    for name, value in (("women", "40"), ("men", "30"), ("girls", "20"), ("boys", "10")):
        page.fill(f"#id_{name}", value)
    shot(page, "entry-my")
    page.get_by_role("button", name="သိမ်းရန်").click()
    page.wait_for_url(re.compile(rf"/townships/{TOWNSHIP}/"))
    assert "သိမ်းပြီးပါပြီ" in page.locator(".messages").inner_text()
    assert Activity.objects.filter(women=40, admin_unit=unit).count() == 1
    assert reached_food() == "၁၂၇"


def test_api_docs_render_under_the_csp_from_our_own_files(live_server, browser_page):
    page = browser_page
    refused, outside = [], []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else outside.append(request.url)
        ),
    )
    page.goto(f"{live_server.url}/api/docs")
    page.locator('[data-path="/api/web/headlines"]').first.wait_for()
    assert page.locator('[data-path="/api/web/townships/{pcode}"]').count() >= 1
    shot(page, "api-docs")
    assert not refused, refused
    assert not outside, outside


def _signed_in_browser(page, live_server, user) -> None:
    """Carry a fully signed-in session (password and second factor) into the browser."""
    from django.conf import settings

    from corridor.testing.signin import signed_in_client

    cookie = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def _editor(language: str = "my") -> tuple:
    admin_units_load()
    org = f.OrganisationFactory(name="Helping Hands")
    user = f.UserFactory(username="picker", language=language)
    f.MembershipFactory(user=user, organisation=org, role=OrgRole.EDITOR)
    return user, org


def test_township_picker_searches_burmese_as_you_type(live_server, browser_page):
    page = browser_page
    user, org = _editor()
    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    _signed_in_browser(page, live_server, user)
    searches = []
    page.on(
        "request",
        lambda request: (
            searches.append(request.url) if "/enter/townships/" in request.url else None
        ),
    )
    page.goto(f"{live_server.url}/enter/activity/")
    assert page.locator("html").get_attribute("lang") == "my"
    picker = page.locator("#id_township")
    picker.click()
    # Typed key by key, as on a phone: htmx waits for a pause, then asks once.
    picker.press_sequentially(unit.name_my[:3], delay=60)
    choice = page.get_by_role("listbox").get_by_role("option").filter(has_text=TOWNSHIP)
    choice.wait_for()
    assert searches, "the picker did not ask the server"
    assert unit.name_my in choice.inner_text()
    assert page.locator("datalist#townships option").count() == 0  # one list, not two
    assert picker.get_attribute("aria-expanded") == "true"
    shot(page, "picker-my")
    # The arrow keys move through the matches (the box keeps the focus); Enter picks.
    options = page.get_by_role("listbox").get_by_role("option")
    picker.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert picker.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    picker.press("ArrowUp")  # from the first match up to the last
    assert options.last.get_attribute("aria-selected") == "true"
    position = options.evaluate_all(
        "(all, pcode) => all.findIndex(o => o.dataset.pcode === pcode)", TOWNSHIP
    )
    for _step in range(position + 1):
        picker.press("ArrowDown")
    assert choice.get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "id_township"
    picker.press("Enter")
    page.wait_for_function(
        "pcode => document.querySelector('#id_township').value.endsWith(pcode)", arg=TOWNSHIP
    )
    assert page.locator("#id_township").input_value() == (
        f"{unit.name_en} · {unit.name_my} · {TOWNSHIP}"
    )
    assert page.get_by_role("listbox").count() == 0
    assert page.evaluate("document.activeElement.id") == "id_township"
    assert page.locator("#id_township").get_attribute("aria-expanded") == "false"

    # Inline validation: a negative number is refused next to its field, before saving.
    page.fill("#id_women", "-5")
    page.press("#id_women", "Tab")
    error = page.locator("#id_women").locator("xpath=..").locator(".error")
    error.wait_for()
    assert Activity.objects.count() == 0
    page.fill("#id_women", "40")
    page.press("#id_women", "Tab")
    page.locator("#id_women").locator("xpath=..").locator(".error").wait_for(state="detached")

    page.fill("#id_reporting_month", "2024-03")
    page.select_option("#id_sector", "health")
    page.select_option("#id_modality", "service")
    page.get_by_role("button", name="သိမ်းရန်").click()
    page.wait_for_url(re.compile(rf"/townships/{TOWNSHIP}/"))
    saved = Activity.objects.get()
    assert (saved.admin_unit_id, saved.women, saved.organisation_id) == (TOWNSHIP, 40, org.pk)


def test_gap_filters_swap_the_table_in_place(live_server, browser_page):
    page = browser_page
    user, org = _editor(language="en")
    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    f.DisplacementFigureFactory(admin_unit=unit, as_of=dt.date(2024, 3, 20), idps=5000)
    f.ActivityFactory(admin_unit=unit, organisation=org, reporting_month=dt.date(2024, 3, 1))
    _signed_in_browser(page, live_server, user)
    page.goto(f"{live_server.url}/gaps/?month=2024-03")
    assert page.locator("#coverage-map svg").count() == 1
    loads = []
    page.on("load", lambda: loads.append(page.url))
    township_on_map = f'#coverage-map a[href="/townships/{TOWNSHIP}/"] title'
    before = page.locator(township_on_map).text_content()
    page.select_option("#id_sector", "health")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"sector=health"))
    # The map is redrawn for the health sector alone, in place: no health activity, 0 %.
    page.wait_for_function(
        "([sel, old]) => document.querySelector(sel).textContent !== old",
        arg=[township_on_map, before],
    )
    assert page.locator(township_on_map).text_content().endswith(": 0%")
    assert before.endswith("%")
    assert not before.endswith(": 0%")
    assert page.locator("#coverage-map svg").count() == 1
    assert not loads, "the whole page was reloaded"
    sectors = page.locator("#gap-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.sector)"
    )
    assert set(sectors) == {"health"}


def test_upload_check_shows_the_error_report(live_server, browser_page, tmp_path):
    page = browser_page
    user, _org = _editor()
    _signed_in_browser(page, live_server, user)
    bad = tmp_path / "4w-bad.csv"
    bad.write_text(
        "#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
        f"health,service,{TOWNSHIP},2024-03,9\r\n"
        f"football,service,{TOWNSHIP},2024-03,-3\r\n",
        encoding="utf-8",
    )
    page.goto(f"{live_server.url}/enter/upload/")
    assert page.locator("h1").inner_text() == "ဖိုင် တင်ရန်"
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="ဖိုင်ကို စစ်ဆေးရန်").click()
    page.locator("#upload-errors").wait_for()
    rows = page.locator("#upload-errors tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText))"
    )
    assert rows[0][:3] == ["3", "#sector", "football"]
    # The reasons are in the page's language, with the codes to type left as they are.
    assert rows[0][3].startswith("ကဏ္ဍ 'football' ကို မသိပါ။ food_security, health,")
    assert ["3", "#reached+f+adults", "-3", "၀ သို့မဟုတ် ထို့ထက်များရမည်၊ -3 မဖြစ်ရ"] in rows
    assert "ပြဿနာ ၂ ခု" in page.locator("#upload-report").inner_text()
    assert page.get_by_role("button", name="ယခု ထည့်သွင်းရန်").count() == 0
    shot(page, "upload-errors-my")
    with page.expect_download() as download:
        page.locator('#upload-report a[href$="errors.csv"]').click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "4w-bad.csv,3,#sector,football" in report
    assert Activity.objects.count() == 0
    # The Files page, reached from the menu, in Burmese too.
    page.get_by_role("navigation").get_by_role("link", name="ဖိုင်များ").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "ဖိုင် တင်သွင်းခြင်းနှင့် ထုတ်ယူခြင်း"
    shot(page, "files-my")


def test_files_page_downloads_hxl_iati_and_a_field_form(live_server, browser_page):
    from openpyxl import load_workbook

    from corridor.exchange.formats import iati

    page = browser_page
    user, org = _editor(language="en")
    f.ActivityFactory(organisation=org, admin_unit_id=TOWNSHIP, sector="health", women=21)
    _signed_in_browser(page, live_server, user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Files").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Files in and out"
    shot(page, "files-en")

    with page.expect_download() as download:
        page.locator("#hxl-exports tbody tr").first.get_by_role(
            "link", name="HXL CSV", exact=True
        ).click()
    assert download.value.suggested_filename == "corridor-activities-shared.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    # A title row, the header, the hashtags, then counts by township, sector, month and
    # organisation; 4 boys is too few to show, so it and a partner are hidden (•).
    assert lines[0].startswith('"Corridor activities for sharing')
    assert lines[2].startswith("#adm1+code,#adm1+name")
    assert len(lines) == 4
    assert ",health,2024-03,Helping Hands," in lines[3]
    assert lines[3].count("•") >= 2
    # Then the three "of whom" columns (elderly women, elderly men, disabled): not reported.
    assert lines[3].endswith(",38,,,")

    with page.expect_download() as download:
        page.locator("#org-exports").get_by_role("link", name="IATI XML").click()
    data = Path(download.value.path()).read_bytes()
    assert iati.validate(data) == []
    assert b"Helping Hands" in data

    with page.expect_download() as download:
        page.locator("#field-forms").get_by_role("link", name="Activity report (4W)").click()
    assert download.value.suggested_filename == "corridor-activity-form.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[:2] == ["survey", "choices"]


def test_sign_out_from_the_dashboard(live_server, browser_page):
    page = browser_page
    user, _org = _editor(language="en")
    _signed_in_browser(page, live_server, user)
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Situation"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    # The old session is gone: the dashboard sends the browser back to sign in.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("button", name="Sign out").count() == 0


def test_an_org_admin_adds_a_member(live_server, browser_page):
    """The organisation admin makes an invitation link; the new person opens it in their own
    browser, makes an account, signs in with a second factor; the admin then sees them."""
    page = browser_page
    org = f.OrganisationFactory(name="Helping Hands")
    admin = f.UserFactory(username="hh-admin")
    f.MembershipFactory(user=admin, organisation=org, role=OrgRole.ORG_ADMIN)
    _signed_in_browser(page, live_server, admin)
    page.goto(f"{live_server.url}/organisations/{org.pk}/")
    page.get_by_role("link", name="Members and invitations").click()
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    shot(page, "members-invitation")

    newcomer = page.context.browser.new_context().new_page()
    newcomer.goto(link)
    newcomer.get_by_label("Choose a user name").fill("new-field-worker")
    newcomer.get_by_label("Choose a password").fill("a long enough passphrase for tests 7")
    newcomer.get_by_label("The password again").fill("a long enough passphrase for tests 7")
    newcomer.get_by_role("button", name="Make my account and join").click()
    newcomer.wait_for_url(re.compile(r"/accounts/login/"))
    newcomer.context.close()

    page.reload()  # a reload shows the page again, and makes no second invitation
    assert page.get_by_label("Invitation link").count() == 0
    assert page.get_by_text("Invitations not used yet").count() == 0
    row = page.get_by_role("row").filter(has_text="new-field-worker")
    assert row.get_by_role("combobox").input_value() == "editor"
    shot(page, "members-added")


def test_coordinator_corrects_a_mistyped_activity_and_sees_the_history(live_server, browser_page):
    """A cluster coordinator who also edits for one organisation (the policy lets only an
    organisation's editors correct its rows, decision 0030) finds a mistyped row, corrects it
    through the entry form and reads the change in the record's history."""
    from corridor.accounts.models import GlobalRole
    from corridor.aid.services import activity_record

    page = browser_page
    admin_units_load()
    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    org = f.OrganisationFactory(name="Helping Hands")
    user = f.UserFactory(username="cluster-lead", language="en")
    user.global_role = GlobalRole.COORDINATOR
    user.save()
    f.MembershipFactory(user=user, organisation=org, role=OrgRole.EDITOR)
    typed = activity_record(
        by=user,
        organisation=org,
        sector="health",
        modality="service",
        admin_unit=unit,
        reporting_month=dt.date(2024, 3, 1),
        women=120_000,  # a zero too many: 12,000 were reached
        men=30,
    )
    _signed_in_browser(page, live_server, user)

    page.goto(f"{live_server.url}/activities/")
    page.get_by_role("link", name="Health").click()
    page.wait_for_url(re.compile(rf"/activities/{typed.pk}/$"))
    assert "120,000" in page.locator("dl.record").inner_text()
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    assert page.locator("#id_women").input_value() == "120000"
    page.fill("#id_women", "12000")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/activities/{typed.pk}/$"))
    assert "Corrected." in page.locator(".messages").inner_text()
    assert "12,000" in page.locator("dl.record").inner_text()
    history = page.locator("#history").inner_text()
    assert "Women: 120000 → 12000" in history
    assert "cluster-lead" in history
    shot(page, "activity-corrected")
    typed.refresh_from_db()
    assert typed.women == 12_000


def test_entry_form_refuses_what_the_rules_refuse_and_saves_once_corrected(
    live_server, browser_page
):
    """Impossible counts, a month years ahead and a state p-code: each refused on its field,
    in the rules' words (docs/rules.md); corrected, the activity lands in the month typed."""
    page = browser_page
    user, org = _editor(language="en")
    _signed_in_browser(page, live_server, user)
    today = timezone.localdate()
    far = f"{today.year + 3}-01"
    page.goto(f"{live_server.url}/enter/activity/")
    page.fill("#id_township", "MMR005")
    page.fill("#id_reporting_month", far)
    page.select_option("#id_sector", "health")
    page.select_option("#id_modality", "service")
    # Checked as the person leaves the field, before anything is saved.
    page.fill("#id_women", "99999999999")
    page.press("#id_women", "Tab")
    inline = page.locator("#id_women").locator("xpath=..").locator(".error")
    inline.wait_for()
    assert "more people than live in any township" in inline.inner_text()
    page.get_by_role("button", name="Save").click()
    page.locator("#id_township").locator("xpath=..").locator(".error").wait_for()
    body = page.locator("main").inner_text()
    assert "MMR005 is a State/Region, not a township" in body
    assert f"{far} is more than 366 days ahead" in body
    assert "99999999999 is more people than live in any township" in body
    shot(page, "entry-rules-refused")
    assert Activity.objects.count() == 0

    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    page.fill("#id_township", TOWNSHIP)
    page.fill("#id_reporting_month", last_month.strftime("%Y-%m"))
    page.fill("#id_women", "40")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/townships/{TOWNSHIP}/"))
    saved = Activity.objects.get()
    assert (saved.women, saved.organisation_id) == (40, org.pk)
    assert saved.reporting_month == last_month
