"""`Cache-Control: no-store` on every signed-in page, API answer and download (core.middleware)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corridor.testing import factories as f
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2]
# The only code that may set its own Cache-Control (the middleware then leaves it alone).
OWN_CACHING = {
    "core/middleware.py",  # the rule itself
    "geo/api.py",  # boundary GeoJSON: shipped reference data, no record of anyone
    "accounts/views.py",  # never_cache on the sign-in steps
    "web/views/funds.py",  # an evidence photo: private, no-store (decision 0262)
    "core/staticfiles.py",  # the app's own static files, a year under hashed names (0395)
}


@pytest.fixture
def member():
    org = f.OrganisationFactory(name="Helping Hands")
    user = f.MembershipFactory(organisation=org, role="editor").user
    incident = f.IncidentFactory(reporting_organisation=org, latitude=21.9876, longitude=93.6543)
    return signed_in_client(user), incident


def test_a_signed_in_page_an_api_answer_with_coordinates_and_a_download_are_not_stored(member):
    client, incident = member

    page = client.get("/activities/")
    answer = client.get(f"/api/situation/incidents/{incident.pk}/")
    download = client.get("/api/exchange/exports/hxl/activities.csv")

    assert page.status_code == answer.status_code == download.status_code == 200
    assert answer.json()["latitude"] == pytest.approx(21.9876)
    assert download["Content-Disposition"].startswith("attachment;")
    for response in (page, answer, download):
        assert response["Cache-Control"] == "no-store"


def test_api_refusals_are_not_stored_either(client):
    response = client.get("/api/aid/activities/")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(member):
    client, _ = member
    response = client.get("/static/web/web.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]


def test_only_reference_data_sets_its_own_caching():
    setting = re.compile(r"Cache-Control|cache_control|never_cache|cache_page")
    found = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and setting.search(path.read_text(encoding="utf-8"))
    }
    assert found == OWN_CACHING
