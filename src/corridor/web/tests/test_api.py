"""The pages' JSON API over HTTP: the same numbers as the pages and their CSVs, the same scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.templatetags.static import static
from django.utils import timezone

from corridor.accounts.models import OrgRole
from corridor.aid.queries import reach_visible_to
from corridor.gaps.shared import shared_gap_table
from corridor.orgs.models import Visibility
from corridor.situation.queries import figures_visible_to
from corridor.testing import factories as f
from corridor.testing.signin import sign_in
from corridor.web.tests.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2023-04", "end": "2024-03"}


def _csv(client, url: str, params: dict) -> dict[str, str]:
    """The rows of a shared CSV download (without its header and its two lines of notes)."""
    lines = client.get(url, params).content.decode("utf-8-sig").splitlines()
    assert lines[-2].startswith('"• = hidden')
    assert lines[-1].startswith("shared:")
    return dict(line.split(",", 1) for line in lines[1:-2])


def test_the_api_needs_sign_in(client, data):
    for url in ("/api/web/headlines", "/api/web/trends", "/api/web/map"):
        assert client.get(url).status_code == 401
    assert client.get(f"/api/web/townships/{TOWNSHIP}").status_code == 401


def test_headlines_have_the_pages_numbers_with_source_and_date(client, editor, data):
    answer = client.get("/api/web/headlines", PERIOD).json()
    assert answer["filters"] == {
        "start": "2023-04",
        "end": "2024-03",
        "state": None,
        "sector": None,
    }
    by_key = {h["key"]: h for h in answer["headlines"]}
    assert set(by_key) == {"idps", "incidents", "reached", "planned", "organisations"}
    assert by_key["idps"]["value"] == 5000
    assert by_key["idps"]["as_of"] == "2024-03-20"
    assert "1 townships" in by_key["idps"]["source"]
    assert by_key["incidents"]["value"] == 1
    assert by_key["reached"]["value"] == 54  # two factory rows of 27
    assert by_key["organisations"]["value"] == 1
    page = client.get("/", PERIOD).content.decode()
    for headline in answer["headlines"]:
        assert headline["source"] in page


def test_trends_equal_the_csv_downloads(client, editor, data):
    answer = client.get("/api/web/trends", PERIOD).json()
    assert [s["key"] for s in answer["series"]] == ["idps", "incidents", "reached"]
    for series in answer["series"]:
        # IDPs: only months with a figure; counts: every month of the period.
        assert len(series["points"]) == (1 if series["key"] == "idps" else 12)
        csv = _csv(client, f"/data/{series['key']}.csv", PERIOD)
        assert {
            p["month"]: "•" if p["value"] is None else str(p["value"]) for p in series["points"]
        } == csv
    incidents = next(s for s in answer["series"] if s["key"] == "incidents")
    assert {p["month"]: p["value"] for p in incidents["points"]}["2024-03"] is None  # one


@pytest.mark.parametrize("layer", ["idps", "incidents", "coverage"])
def test_map_values_equal_the_map_csv(client, editor, data, layer):
    answer = client.get("/api/web/map", {**PERIOD, "layer": layer}).json()
    assert answer["layer"] == layer
    csv = _csv(client, "/data/map.csv", {**PERIOD, "map": layer})
    assert {t["pcode"]: t["value"] for t in answer["townships"]} == {
        p: None if v == "•" else float(v) for p, v in csv.items()
    }
    assert csv  # the fixture's township has a value in every layer
    township = next(t for t in answer["townships"] if t["pcode"] == TOWNSHIP)
    assert township["township"] == data["township"].name_en
    assert township["township_my"] == data["township"].name_my


def test_bad_filters_are_refused_with_the_reason(client, editor, data):
    answer = client.get("/api/web/headlines", {"start": "March"})
    assert answer.status_code == 400
    assert "start" in answer.json()["detail"]
    assert client.get("/api/web/map", {"layer": "rainfall"}).status_code == 400
    assert client.get("/api/web/trends", {"sector": "football"}).status_code == 400


def test_township_summary_is_the_township_page(client, editor, data):
    answer = client.get(f"/api/web/townships/{TOWNSHIP}", {"month": "2024-03"}).json()
    assert answer["township"] == data["township"].name_en
    assert answer["state_pcode"] == "MMR005"
    assert answer["month"] == "2024-03"
    assert [fig["idps"] for fig in answer["figures"]] == [5000]
    assert answer["figures"][0]["source_publisher"] == "Field team"
    assert [i["incident_type"] for i in answer["incidents"]] == ["airstrike"]
    assert [(p["label"], p["people_reached"], p["reports"]) for p in answer["present"]] == [
        ("Helping Hands", 54, 2)
    ]
    # The page's own (internal) rows agree with the table to share wherever it shows a figure.
    shared = [
        r
        for r in client.get("/api/gaps/", {"month": "2024-03"}).json()["rows"]
        if r["pcode"] == TOWNSHIP
    ]
    assert [(r["pcode"], r["sector"]) for r in answer["gaps"]] == [
        (r["pcode"], r["sector"]) for r in shared
    ]
    for mine, theirs in zip(answer["gaps"], shared, strict=True):
        for key, value in theirs.items():
            if key != "suppressed" and key not in theirs["suppressed"]:
                assert mine[key] == value, key
    assert {"organisations"} <= {name for r in shared for name in r["suppressed"]}
    assert client.get("/api/web/townships/MMR999999").status_code == 404


def test_summaries_respect_visibility(client, data):
    quiet = f.OrganisationFactory(name="Quiet Group", visibility=Visibility.ANONYMOUS, alias="")
    masked = f.OrganisationFactory(
        name="Real Name Ltd", visibility=Visibility.PSEUDONYMOUS, alias="Group K"
    )
    f.ActivityFactory(organisation=quiet, admin_unit=data["township"])
    f.ActivityFactory(organisation=masked, admin_unit=data["township"])
    user = f.UserFactory()
    f.MembershipFactory(user=user, organisation=data["org"], role=OrgRole.VIEWER)
    sign_in(client, user)
    township = client.get(f"/api/web/townships/{TOWNSHIP}").json()
    text = str(township)
    assert "Quiet Group" not in text
    assert "Real Name Ltd" not in text
    # A plain member sees only their own organisation's 4W rows (the access policy).
    assert [p["label"] for p in township["present"]] == ["Helping Hands"]
    assert township["hidden_organisations"] == 0
    assert client.get(f"/api/web/organisations/{quiet.pk}").status_code == 404
    own = client.get(f"/api/web/organisations/{data['org'].pk}").json()
    assert own["name"] == "Helping Hands"
    assert own["people_reached"] == 54
    assert own["townships"] == 1
    assert {a["sector"] for a in own["activities"]} == {"food_security", "health"}


def test_coordinator_sees_pseudonymous_organisations_by_alias(client, coordinator, data):
    masked = f.OrganisationFactory(
        name="Real Name Ltd", visibility=Visibility.PSEUDONYMOUS, alias="Group K"
    )
    f.ActivityFactory(
        organisation=masked, admin_unit=data["township"], reporting_month=dt.date(2024, 3, 1)
    )
    township = client.get(f"/api/web/townships/{TOWNSHIP}").json()
    labels = {p["label"] for p in township["present"]}
    assert "Group K" in labels
    assert "Real Name Ltd" not in str(township)


def test_the_api_is_documented_without_a_cdn(client):
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/api/web/headlines",
        "/api/web/trends",
        "/api/web/map",
        "/api/web/townships/{pcode}",
        "/api/web/organisations/{pk}",
    ):
        assert path in schema["paths"]
    docs = client.get("/api/docs").content.decode()
    assert f'src="{static("ninja/swagger-ui-bundle.js")}"' in docs
    assert "cdn" not in docs.lower()
    assert "https://" not in docs


def test_schema_names_are_unique_across_routers():
    """django-ninja names OpenAPI components by class name: two routers' ``FigureOut`` would
    silently share one schema, and one of them would document the wrong fields."""
    from ninja import Schema

    import corridor.api  # noqa: F401 — loads every router and its schemas

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    seen: dict[str, str] = {}
    clashes = []
    for cls in walk(Schema):
        if not cls.__module__.startswith("corridor."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert not clashes


def test_shared_series_are_figures_of_the_gap_table(client, editor, data):
    """The chart of people reached and IDPs by state shows figures of the same suppressed table
    as the gap download, so the two cannot be subtracted from each other."""
    gaps = shared_gap_table(
        "2024-03",
        today=timezone.localdate(),
        reach_rows=reach_visible_to(editor),
        figures=figures_visible_to(editor),
    )
    query = {**PERIOD, "state": "MMR005", "sector": "food_security"}
    series = {s["key"]: s for s in client.get("/api/web/trends", query).json()["series"]}
    march = {k: {p["month"]: p["value"] for p in s["points"]} for k, s in series.items()}
    assert march["reached"]["2024-03"] == gaps.reached.group_cell("MMR005", "food_security") == 27
    assert march["idps"]["2024-03"] == gaps.idps.group_cell("MMR005", "idps") == 5000
