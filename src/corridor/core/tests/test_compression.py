"""Every text answer is gzipped for a client that accepts it (decision 0135)."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from corridor.testing import factories as f
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def member():
    org = f.OrganisationFactory(name="Helping Hands")
    user = f.MembershipFactory(organisation=org, role="editor").user
    f.ActivityFactory.create_batch(12, organisation=org)
    # Enough rows that gzip wins even with the up to 100 random bytes Django adds to each
    # answer: an answer that would not shrink is sent as it is.
    incidents = f.IncidentFactory.create_batch(12, reporting_organisation=org)
    return signed_in_client(user), incidents


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _gunzipped(response) -> bytes:
    assert response.get("Content-Encoding") == "gzip", (dict(response.headers), _body(response))
    assert "Accept-Encoding" in response["Vary"]
    return gzip.decompress(_body(response))


def _without_csrf(html: bytes) -> str:
    # Django masks the CSRF token afresh in every answer (one reason compression is safe here).
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def test_a_page_comes_gzipped_and_decodes_to_the_same_page(member):
    client, _ = member
    plain = client.get("/activities/")
    packed = client.get("/activities/", **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    unpacked = _gunzipped(packed)
    assert _without_csrf(unpacked) == _without_csrf(plain.content)
    assert len(packed.content) < len(unpacked) / 2
    # Compression changes nothing about what may be kept.
    assert packed["Cache-Control"] == "no-store"


def test_an_api_answer_comes_gzipped_and_decodes_to_the_same_json(member):
    client, _ = member
    path = "/api/situation/incidents/"
    plain = client.get(path)
    packed = client.get(path, **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert json.loads(_gunzipped(packed)) == plain.json()
    assert packed["Cache-Control"] == "no-store"


def test_a_download_and_a_stylesheet_come_gzipped(member):
    client, _ = member
    path = "/api/exchange/exports/hxl/activities.csv"
    packed = client.get(path, **GZIP)
    assert packed.status_code == 200
    assert _gunzipped(packed) == _body(client.get(path))
    sheet = client.get("/static/web/web.css", **GZIP)
    assert sheet.status_code == 200
    assert b"form.lang" in _gunzipped(sheet)
