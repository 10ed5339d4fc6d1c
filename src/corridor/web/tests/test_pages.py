"""Pages through the test client: content, scoping, CSV, language and the page-weight budget."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest

from corridor.aid.models import Activity
from corridor.orgs.models import Visibility
from corridor.testing import factories as f
from corridor.web.tests.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db

BUDGET = 100 * 1024  # issue 12: every page, first visit, gzip (bench/pages.py on the demo)
PERIOD = {"start": "2023-04", "end": "2024-03"}


def test_pages_need_sign_in(client):
    for url in (
        "/",
        "/gaps/",
        f"/townships/{TOWNSHIP}/",
        "/incidents/",
        "/activities/",
        "/enter/activity/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_dashboard_headlines_map_and_trends(client, editor, data):
    page = client.get("/", PERIOD).content.decode()
    assert 'id="headline-idps"' in page
    assert "Field team: Township report" not in page  # no national indicator: township sum
    assert "5,000" in page
    assert page.count("<path ") > 300  # every township drawn
    assert 'aria-current="true">IDPs<' in page
    coverage = client.get("/", {**PERIOD, "map": "coverage"}).content.decode()
    assert 'aria-current="true">Coverage<' in coverage


def test_national_indicator_is_the_idp_headline(client, editor, data):
    from corridor.situation.models import Indicator

    source = f.SourceFactory(title="Humanitarian Update 36", publisher="OCHA")
    Indicator.objects.create(
        code="idps_total", label="IDPs", value=3_500_000, as_of=dt.date(2024, 3, 11), source=source
    )
    page = client.get("/", PERIOD).content.decode()
    assert "3,500,000" in page
    assert "OCHA: Humanitarian Update 36" in page


def test_csv_downloads_match_the_tables(client, editor, data):
    trend = client.get("/data/reached.csv", PERIOD)
    assert trend["Content-Type"].startswith("text/csv")
    lines = trend.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "month,reached"
    assert "2024-03,27" in lines
    assert "2024-02,27" in lines
    # One incident in the township: shown as the suppressed mark, explained below the rows.
    mapped = client.get("/data/map.csv", {**PERIOD, "map": "incidents"}).content.decode()
    assert f"{TOWNSHIP},•" in mapped.splitlines()
    assert "• = hidden: fewer than 5" in mapped
    gaps = client.get("/gaps.csv", {"month": "2024-03"}).content.decode("utf-8-sig")
    assert f"2024-03,{TOWNSHIP}," in gaps
    assert client.get("/data/nothing.csv").status_code == 404


def test_township_page(client, editor, data):
    page = client.get(f"/townships/{TOWNSHIP}/").content.decode()
    assert "Helping Hands" in page
    assert "5,000" in page
    assert "Airstrike" in page
    assert client.get("/townships/MMR999999/").status_code == 404
    assert client.get(f"/townships/{TOWNSHIP}/", {"month": "garbage"}).status_code == 200


def test_organisation_page_respects_visibility(client, editor, data):
    hidden = f.OrganisationFactory(name="Quiet Group", visibility=Visibility.ANONYMOUS, alias="")
    f.ActivityFactory(organisation=hidden, admin_unit=data["township"])
    assert client.get(f"/organisations/{hidden.pk}/").status_code == 404
    page = client.get(f"/organisations/{data['org'].pk}/").content.decode()
    assert "Helping Hands" in page
    township = client.get(f"/townships/{TOWNSHIP}/").content.decode()
    assert "Quiet Group" not in township


def test_organisation_page_names_the_other_side_of_a_transfer_as_the_viewer_may(
    client, editor, data
):
    masked = f.OrganisationFactory(
        name="Masked Real Name", visibility=Visibility.PSEUDONYMOUS, alias="Blue Lotus"
    )
    hidden = f.anonymous_organisation("Quiet Real Name")
    f.TransferFactory(from_organisation=data["org"], to_organisation=masked)
    f.TransferFactory(from_organisation=hidden, to_organisation=data["org"])

    page = client.get(f"/organisations/{data['org'].pk}/").content.decode()
    answer = client.get(f"/api/web/organisations/{data['org'].pk}").json()

    sides = {t["to_organisation"] for t in answer["transfers"]} | {
        t["from_organisation"] for t in answer["transfers"]
    }
    assert sides == {"Helping Hands", "Blue Lotus", "Anonymous organisation"}
    for text in (page, str(answer)):
        assert "Blue Lotus" in text
        assert "Masked Real Name" not in text
        assert "Quiet Real Name" not in text
        assert str(hidden.pk)[:8] not in text  # nor the anonymous one's label, which holds it


def test_lists_filter(client, editor, data):
    page = client.get("/incidents/", {"incident_type": "arson"}).content.decode()
    assert "No incidents match." in page
    page = client.get("/incidents/", {"incident_type": "airstrike", "state": "MMR005"})
    assert "Airstrike" in page.content.decode()
    page = client.get("/activities/", {"sector": "health"}).content.decode()
    assert page.count("<tr>") == 2  # header + one row


def test_activity_entry_counts_in_the_gap_table(client, editor, data):
    page = client.get("/enter/activity/").content.decode()
    assert '<datalist id="townships">' in page
    unit = data["township"]
    assert f'<option value="{unit.name_en} · {unit.name_my} · {TOWNSHIP}">' in page
    response = client.post(
        "/enter/activity/",
        {
            "organisation": data["org"].pk,
            "township": unit.name_my,
            "reporting_month": "2024-03",
            "sector": "food_security",
            "modality": "in_kind",
            "channel": "in_country",
            "women": 40,
            "men": 30,
            "girls": 20,
            "boys": 10,
            "notes": "မ်ားသည္",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    saved = Activity.objects.get(women=40)
    assert saved.admin_unit_id == TOWNSHIP
    assert saved.notes == "များသည်"  # Zawgyi converted to Unicode
    api = client.get("/api/gaps/", {"month": "2024-03", "sector": "food_security"}).json()
    row = next(r for r in api["rows"] if r["pcode"] == TOWNSHIP)
    assert row["people_reached"] == 27 + 100


def test_entry_errors_are_inline(client, editor, data):
    response = client.post(
        "/enter/activity/",
        {
            "organisation": data["org"].pk,
            "township": "Nowhere at all",
            "reporting_month": "03/24",
            "sector": "food_security",
            "modality": "in_kind",
            "channel": "in_country",
            "women": -1,
            "men": 0,
            "girls": 0,
            "boys": 0,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('role="alert"') >= 3
    assert "Pick one from the list" in page
    assert "YYYY-MM" in page


def test_figure_and_incident_entry(client, editor, data):
    response = client.post(
        "/enter/figure/",
        {
            "organisation": data["org"].pk,
            "township": TOWNSHIP,
            "as_of": "2024-03-28",
            "idps": 7000,
            "source": data["source"].pk,
            "source_reliability": "F",
        },
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    response = client.post(
        "/enter/incident/",
        {
            "organisation": data["org"].pk,
            "occurred_on": "2024-03-29",
            "incident_type": "shelling",
            "township": TOWNSHIP,
            "fatalities": 1,
            "injuries": 2,
            "detained": 0,
            "source_title": "Witness account",
            "source_reliability": "C",
        },
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    page = client.get(f"/townships/{TOWNSHIP}/").content.decode()
    assert "7,000" in page
    assert "Shelling" in page


def test_viewer_without_editor_role_cannot_enter(client, data):
    from corridor.testing.signin import sign_in

    user = f.UserFactory()
    f.MembershipFactory(user=user, organisation=data["org"], role="viewer")
    sign_in(client, user)
    assert client.get("/enter/activity/").status_code == 403


def test_language_switch_is_remembered(client, editor, data):
    response = client.post("/language/", {"language": "my", "next": "/"})
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.language == "my"
    client.cookies.pop("django_language", None)
    page = client.get("/", PERIOD).content.decode()
    assert '<html lang="my">' in page
    assert "ဒက်ရှ်ဘုတ်" in page or "အခြေအနေ" in page
    assert "၅,၀၀၀" in page  # Myanmar digits


def _weight(client, url: str, params: dict | None = None) -> int:
    response = client.get(url, params or {})
    assert response.status_code == 200
    html = response.content
    total = len(gzip.compress(html))
    for href in set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)):
        served = client.get(href.decode())
        assert served.status_code == 200, href
        total += len(gzip.compress(b"".join(served.streaming_content)))
    return total


def test_page_weight_budget(client, editor, data):
    for url, params in (
        ("/", PERIOD),
        ("/", {**PERIOD, "map": "coverage"}),
        (f"/townships/{TOWNSHIP}/", {}),
        ("/enter/activity/", {}),
        ("/gaps/", {"month": "2024-03"}),
        ("/activities/", {}),
        ("/incidents/", {}),
        ("/organisations/", {}),
        ("/exchange/", {}),
    ):
        weight = _weight(client, url, params)
        assert 0 < weight <= BUDGET, f"{url}: {weight} bytes"


def test_pages_open_on_the_latest_reported_month_not_on_plans(client, editor, data):
    from corridor.aid.models import Status
    from corridor.web.views.common import this_month

    upcoming = this_month() + dt.timedelta(days=40)
    f.ActivityFactory(
        admin_unit=data["township"],
        organisation=data["org"],
        reporting_month=upcoming.replace(day=1),
        status=Status.PLANNED,
    )
    page = client.get("/gaps/").content.decode()
    assert "March 2024" in page
    assert upcoming.replace(day=1).strftime("%B %Y") not in page


def _signout_form(page: str) -> str:
    forms = re.findall(r'<form class="signout[^"]*"[^>]*>.*?</form>', page, re.S)
    assert len(forms) == 1, forms
    return forms[0]


def test_sign_out_from_the_dashboard_ends_the_session(client, editor, data):
    form = _signout_form(client.get("/", PERIOD).content.decode())
    assert 'action="/accounts/logout/"' in form
    assert 'method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    after = client.get("/")
    assert after.status_code == 302
    assert after["Location"].startswith("/accounts/login/")
    # The sign-in page offers no sign-out to someone signed out.
    assert 'class="signout' not in client.get("/accounts/login/").content.decode()


def test_sign_out_is_on_every_signed_in_page(client, editor, data):
    for url in ("/gaps/", "/incidents/", "/activities/", "/exchange/", "/accounts/tokens/"):
        _signout_form(client.get(url).content.decode())


MENU_PAGES = ("/", "/gaps/", "/activities/", "/incidents/", "/exchange/")


def _links(client) -> set[str]:
    found = set()
    for url in MENU_PAGES:
        page = client.get(url)
        assert page.status_code == 200, url
        found |= set(re.findall(r'href="(/[^"]*)"', page.content.decode()))
    return {link for link in found if not link.startswith(("/static/", "/api/"))}


def test_menus_offer_a_viewer_only_what_a_viewer_may_do(client, data):
    from corridor.testing.signin import sign_in

    viewer = f.UserFactory()
    f.MembershipFactory(user=viewer, organisation=data["org"], role="viewer")
    sign_in(client, viewer)
    links = _links(client)
    assert not [link for link in links if link.startswith("/enter/")], links
    # Every link a viewer is shown opens for them.
    refused = {link: client.get(link).status_code for link in links}
    assert not {link: code for link, code in refused.items() if code >= 400}


def test_menus_offer_an_editor_the_entry_pages(client, editor, data):
    links = _links(client)
    assert {"/enter/activity/", "/enter/incident/", "/enter/upload/"} <= links
