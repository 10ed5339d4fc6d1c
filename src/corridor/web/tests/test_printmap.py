"""The map's state borders and names, and the printable map (/map/print/, /map/print.svg)."""

import datetime as dt

import pytest
from django.urls import reverse
from lxml import etree

from corridor.testing import factories as f

PERIOD = {"start": "2024-01", "end": "2024-03"}


@pytest.fixture
def incidents_world(data, gazetteer):
    """One township with a single incident (a count the shared map must hide) and one with
    five."""
    other = f.township("MMR001001")
    for day in range(1, 6):
        f.IncidentFactory(admin_unit=other, occurred_on=dt.date(2024, 2, day))
    return {"small": gazetteer, "large": other}


def test_the_dashboard_map_has_state_borders_and_names(editor, client):
    html = client.get(reverse("web:dashboard"), PERIOD).content.decode()
    assert '<g class="regions"' in html
    assert ">Kachin</text>" in html
    assert ">Yangon</text>" in html


def test_state_names_are_burmese_on_a_burmese_page(editor, client):
    editor.language = "my"
    editor.save()
    html = client.get(reverse("web:dashboard"), PERIOD).content.decode()
    assert 'lang="my">ကချင်' in html


def test_the_printable_map_shows_title_period_sources_and_notes(editor, client):
    html = client.get(reverse("web:map_print"), {**PERIOD, "map": "idps"}).content.decode()
    assert "<h1>IDPs by township (latest figure)</h1>" in html
    assert "January 2024 – March 2024" in html
    assert "Sources: displacement figures from Field team." in html
    assert "Produced with Corridor on" in html
    assert "data up to" in html
    assert '<g class="regions"' in html


def test_the_printable_map_hides_small_counts_the_dashboard_shows(incidents_world, editor, client):
    query = {**PERIOD, "map": "incidents"}
    small = incidents_world["small"].name_en
    inside = client.get(reverse("web:dashboard"), query).content.decode()
    assert f"<title>{small}" in inside
    assert f"{small} {incidents_world['small'].name_my}: 1</title>" in inside
    printed = client.get(reverse("web:map_print"), query).content.decode()
    assert f"{small} {incidents_world['small'].name_my}: 1</title>" not in printed
    assert f"{small} {incidents_world['small'].name_my}: no data</title>" in printed


def test_the_map_downloads_as_one_standalone_svg(editor, client):
    response = client.get(reverse("web:map_print_svg"), {**PERIOD, "map": "idps"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in response["Content-Disposition"]
    root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "IDPs by township (latest figure)" in texts
    assert "January 2024 – March 2024" in texts
    assert any(t and t.startswith("Produced with Corridor on") for t in texts)


def test_the_dashboard_links_to_the_printable_map(editor, client):
    html = client.get(reverse("web:dashboard"), PERIOD).content.decode()
    assert reverse("web:map_print") + "?" in html


def test_signing_in_is_needed(client, data):
    assert client.get(reverse("web:map_print"))["Location"].startswith("/accounts/login/")
    assert client.get(reverse("web:map_print_svg"))["Location"].startswith("/accounts/login/")
