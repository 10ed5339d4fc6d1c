"""The gazetteer API over HTTP, as a browser or script calls it."""

import json

import pytest
from django.test import Client

from corridor.testing.factories import UserFactory
from corridor.testing.signin import signed_in_client


@pytest.fixture
def client(units):
    return signed_in_client(UserFactory())


def test_sign_in_is_required(units):
    assert Client().get("/api/geo/resolve", {"name": "Kale"}).status_code == 401
    half = Client()
    half.force_login(UserFactory())  # password only, no second factor: still signed out
    assert half.get("/api/geo/units/MMR005027").status_code == 401


def test_resolve_one_name(client):
    data = client.get("/api/geo/resolve", {"name": "Kalemyo"}).json()
    assert (data["status"], data["pcode"], data["method"], data["accepted"]) == (
        "matched",
        "MMR005027",
        "alias",
        True,
    )
    scoped = client.get("/api/geo/resolve", {"name": "Minhla", "parent": "Magway"}).json()
    assert scoped["pcode"] == "MMR009013"
    assert client.get("/api/geo/resolve", {"name": "Kale", "level": 7}).status_code == 400


def test_a_retired_code_answers_with_its_successors_and_a_note(client):
    data = client.get("/api/geo/resolve", {"name": "MMR013008"}).json()
    assert (data["status"], data["method"], data["accepted"]) == ("ambiguous", "crosswalk", False)
    assert [c["pcode"] for c in data["candidates"]] == ["MMR013046", "MMR013047"]
    assert data["note"].startswith("MMR013008 Hlaingtharya was retired")
    doubled = client.get("/api/geo/resolve", {"name": "MMR015202"}).json()
    assert (doubled["pcode"], doubled["accepted"]) == ("MMR015022", True)
    assert "same place" in doubled["note"]


def test_resolve_many_names(client):
    response = client.post(
        "/api/geo/resolve",
        data=json.dumps({"names": ["ကလေး", "Htantabin", "Qwzxv"], "level": 3}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json()] == ["matched", "ambiguous", "not_found"]


def test_units_list_and_detail(client):
    states = client.get("/api/geo/units", {"level": 1}).json()
    assert len(states) == 18
    townships = client.get("/api/geo/units", {"level": 3, "parent": "MMR002"}).json()
    assert {u["pcode"][:6] for u in townships} == {"MMR002"}
    detail = client.get("/api/geo/units/MMR005D005").json()
    assert detail["name_en"] == "Kale"
    assert "MMR005027" in detail["children"]
    assert client.get("/api/geo/units/MMR999").status_code == 404
    assert client.get("/api/geo/units", {"parent": "Atlantis"}).status_code == 400


def test_boundaries_are_geojson_and_cacheable(client):
    response = client.get("/api/geo/boundaries", {"level": 3, "parent": "Kayah"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age" in response["Cache-Control"]
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["pcode"] for f in collection["features"]} == {
        f"MMR00200{n}" for n in range(1, 8)
    }
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in collection["features"])
    again = client.get(
        "/api/geo/boundaries",
        {"level": 3, "parent": "Kayah"},
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304
    assert client.get("/api/geo/boundaries", {"level": 2}).status_code == 400
