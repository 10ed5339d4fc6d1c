"""What htmx asks the server for: picker matches, one field's errors, the gap table alone.

Each answer is checked as the fragment htmx swaps in; the pages themselves keep working
without JavaScript (test_pages.py) and in a real browser with it (test_browser.py).
"""

from __future__ import annotations

import re

import pytest
from django.templatetags.static import static

from corridor.aid.models import Activity
from corridor.geo.models import AdminUnit
from corridor.web.tests.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _picks(client, text: str) -> list[str]:
    response = client.get("/enter/townships/", {"township": text}, **HTMX)
    assert response.status_code == 200
    return re.findall(r'data-pcode="(MMR\d+)"', response.content.decode())


def test_pages_load_htmx_from_our_own_static_files_without_inline_script(client, editor, data):
    page = client.get("/enter/activity/").content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts
    assert all('src="/static/' in attrs for attrs in scripts), scripts
    htmx = static("django_htmx/htmx-2.min.js")  # named by its content (decision 0395)
    assert re.fullmatch(r"/static/django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js", htmx), htmx
    assert f'src="{htmx}"' in page
    assert '"includeIndicatorStyles":false' in page
    assert '"historyCacheSize":0' in page
    assert " style=" not in page
    assert "<style" not in page
    assert client.get(htmx).status_code == 200


def test_picker_finds_townships_by_english_burmese_and_pcode(client, editor, data):
    unit = data["township"]
    assert TOWNSHIP in _picks(client, unit.name_en[:4])
    assert TOWNSHIP in _picks(client, unit.name_en.upper())
    assert TOWNSHIP in _picks(client, unit.name_my[:3])
    assert _picks(client, TOWNSHIP) == [TOWNSHIP]
    assert _picks(client, "q") == []  # one Latin letter is too little to search
    nothing = client.get("/enter/townships/", {"township": "Zzyzxqq"}, **HTMX).content.decode()
    assert "No township matches" in nothing


def test_picker_offers_the_gazetteers_fuzzy_matches(client, editor, data):
    unit = data["township"]
    misspelt = unit.name_en[:-2] + unit.name_en[-1] + unit.name_en[-2]  # last letters swapped
    assert misspelt.lower() not in unit.name_en.lower()
    assert TOWNSHIP in _picks(client, misspelt)


def test_picking_fills_the_box_and_clears_the_matches(client, editor, data):
    unit = data["township"]
    response = client.get("/enter/townships/", {"pick": TOWNSHIP}, **HTMX)
    page = response.content.decode()
    assert 'id="id_township"' in page
    assert f'value="{unit.name_en} · {unit.name_my} · {TOWNSHIP}"' in page
    assert 'hx-get="/enter/townships/"' in page  # the new box searches too
    assert '<div id="township-results" aria-live="polite" hx-swap-oob="true"></div>' in page
    assert client.get("/enter/townships/", {"pick": "MMR999999"}).status_code == 404


def test_a_changed_field_comes_back_alone_with_its_error_and_nothing_is_saved(client, editor, data):
    form = {
        "organisation": str(data["org"].pk),
        "township": TOWNSHIP,
        "reporting_month": "2024-03",
        "sector": "health",
        "modality": "cash",
        "channel": "in_country",
        "women": "-4",
        "men": "1",
        "girls": "0",
        "boys": "0",
    }
    before = Activity.objects.count()
    response = client.post(
        "/enter/activity/", form, **HTMX, HTTP_HX_TRIGGER_NAME="women", HTTP_HX_TRIGGER="id_women"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div class="field invalid">')
    assert 'id="id_women"' in page
    assert 'value="-4"' in page
    assert "greater than or equal to 0" in page
    assert "<html" not in page
    fine = client.post(
        "/enter/activity/",
        {**form, "women": "4"},
        **HTMX,
        HTTP_HX_TRIGGER_NAME="women",
    ).content.decode()
    assert fine.lstrip().startswith('<div class="field">')
    assert 'role="alert"' not in fine
    assert Activity.objects.count() == before
    # The form still saves when submitted as a plain form, without htmx.
    assert client.post("/enter/activity/", {**form, "women": "4"}).status_code == 302
    assert Activity.objects.count() == before + 1


def test_entry_fields_validate_on_change_except_the_picker(client, editor, data):
    page = client.get("/enter/figure/").content.decode()
    idps = re.search(r"<input[^>]*id=\"id_idps\"[^>]*>", page).group(0)
    assert 'hx-post="/enter/figure/"' in idps
    assert 'hx-trigger="change"' in idps
    picker = re.search(r"<input[^>]*id=\"id_township\"[^>]*>", page).group(0)
    assert "hx-post" not in picker
    assert 'hx-get="/enter/townships/"' in picker
    assert 'list="townships"' in picker  # the no-JavaScript list stays


def test_gap_filters_swap_only_the_table(client, editor, data):
    full = client.get("/gaps/", {"month": "2024-03"}).content.decode()
    assert 'hx-target="#gap-results"' in full
    assert "<svg" in full
    part = client.get("/gaps/", {"month": "2024-03", "sector": "health"}, **HTMX)
    assert part.status_code == 200
    assert "HX-Request" in part["Vary"]
    page = part.content.decode()
    assert page.startswith('<section id="gap-results"')
    assert "<html" not in page
    sectors = set(re.findall(r'data-sector="(\w+)"', page))
    assert sectors == {"health"}
    assert 'id="gaps-title" hx-swap-oob="true"' in page
    assert 'id="worst" aria-labelledby="worst-heading" hx-swap-oob="true"' in page
    # The map is redrawn for the same choice, out of band; the filters and the page around
    # the results are not sent again.
    assert '<section id="coverage-map" class="mapbox"' in page
    assert 'hx-swap-oob="true"><div class="map-wrap"><svg class="map"' in page
    assert 'class="filters' not in page
    assert "<header" not in page
    # Going back in history asks for the whole page again.
    restore = client.get(
        "/gaps/", {"month": "2024-03"}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_burmese_picker_text_in_zawgyi_still_finds_the_township(client, editor, data):
    from myanmar import converter

    unit = AdminUnit.objects.get(pcode=TOWNSHIP)
    zawgyi = converter.convert(unit.name_my, "unicode", "zawgyi")
    if zawgyi == unit.name_my:
        pytest.skip("this name is written the same in Zawgyi and Unicode")
    assert TOWNSHIP in _picks(client, zawgyi)
