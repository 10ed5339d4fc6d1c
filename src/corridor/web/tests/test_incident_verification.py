"""An incident's verification status (decision 0216): set on the form and the API, shown on
its page with its source, description and township map; an import leaves it "not verified"."""

from __future__ import annotations

import json

import pytest

from corridor.exchange.services import file_import
from corridor.situation.models import Incident, Verification
from corridor.web.tests.test_records import client_for, url, world  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def _edit(world: dict, verification: str) -> dict:  # noqa: F811
    incident = world["incident"]
    return {
        "occurred_on": "2024-03-03",
        "incident_type": "shelling",
        "township": incident.admin_unit_id,
        "fatalities": 0,
        "injuries": 0,
        "detained": 0,
        "description": "Shelling near the market",
        "verification": verification,
        "source": world["source"].pk,
        "source_reliability": "F",
    }


def test_the_incident_page_shows_verification_source_description_and_map(world):  # noqa: F811
    c = client_for(world, "editor")
    incident = world["incident"]
    page = c.get(url(incident)).content.decode()
    assert "Not verified: reported, not yet checked" in page
    assert "Shelling near the market" in page
    assert "Camp committee count" in page  # the source
    assert 'class="record-map"' in page  # the township map
    form = c.get(url(incident, "edit")).content.decode()
    assert 'name="verification"' in form
    answer = c.post(url(incident, "edit"), _edit(world, Verification.CORROBORATED))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    page = c.get(url(incident)).content.decode()
    assert "Corroborated: more than one independent source" in page
    assert "Verification: unverified → corroborated" in page  # the history says so


def test_the_api_sets_and_returns_verification(world):  # noqa: F811
    c = client_for(world, "editor")
    incident = world["incident"]
    answer = c.patch(
        f"/api/situation/incidents/{incident.pk}/",
        json.dumps({"verification": "disputed"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["verification"] == "disputed"
    refused = c.patch(
        f"/api/situation/incidents/{incident.pk}/",
        json.dumps({"verification": "rumoured"}),
        content_type="application/json",
    )
    assert refused.status_code in (400, 422)
    incident.refresh_from_db()
    assert incident.verification == Verification.DISPUTED


def test_an_imported_incident_is_not_verified(world, tmp_path):  # noqa: F811
    path = tmp_path / "incidents.csv"
    path.write_text(
        "#date+occurred,#adm3+code,#event+type,#affected+killed\n"
        f"2024-03-05,{world['incident'].admin_unit_id},airstrike,2\n",
        encoding="utf-8",
    )
    result = file_import(
        by=world["people"]["editor"],
        path=path,
        kind="incidents",
        format="hxl",
        organisation=world["own"],
    )
    assert result.ok, [e.line() for e in result.errors]
    imported = Incident.objects.exclude(pk=world["incident"].pk).get()
    assert imported.verification == Verification.UNVERIFIED
