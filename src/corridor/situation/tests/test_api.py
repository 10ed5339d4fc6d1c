"""The situation API over HTTP: shared reading, writes by the reporter, protected coordinates."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.orgs.models import Visibility
from corridor.situation.models import DisplacementFigure, Incident, Source
from corridor.testing.factories import (
    DisplacementFigureFactory,
    IncidentFactory,
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client


def _client(organisation=None, role=OrgRole.EDITOR, **user_fields):
    user = UserFactory(password=None, **user_fields)
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return signed_in_client(user)


@pytest.fixture
def setup(db):
    own = OrganisationFactory()
    other = OrganisationFactory()
    hidden = OrganisationFactory(visibility=Visibility.ANONYMOUS)
    township()
    return {
        "own": own,
        "other": other,
        "hidden": hidden,
        "editor": _client(own),
        "other_editor": _client(other),
        "coordinator": _client(global_role=GlobalRole.COORDINATOR),
        "no_role": _client(),
        "incident": IncidentFactory(reporting_organisation=own, latitude=20.5, longitude=96.5),
        "hidden_incident": IncidentFactory(reporting_organisation=hidden),
        "figure": DisplacementFigureFactory(reporting_organisation=own),
    }


def test_members_of_any_organisation_read_situation_data(setup):
    for name in ("editor", "other_editor", "coordinator"):
        body = setup[name].get("/api/situation/incidents/").json()
        assert body["count"] == 2, name
    for path in ("incidents", "figures", "sources"):
        assert setup["no_role"].get(f"/api/situation/{path}/").json()["count"] == 0
        assert Client().get(f"/api/situation/{path}/").status_code == 401


def test_anonymous_reporter_is_not_named(setup):
    pk = setup["hidden_incident"].pk
    seen = setup["other_editor"].get(f"/api/situation/incidents/{pk}/").json()
    assert seen["reporting_organisation"] is None


def test_coordinates_only_for_the_reporter_and_audited(setup):
    pk = setup["incident"].pk
    listed = setup["editor"].get("/api/situation/incidents/").json()["items"]
    assert all(item["latitude"] is None for item in listed)
    before = AuditEntry.objects.filter(action="view_protected").count()
    mine = setup["editor"].get(f"/api/situation/incidents/{pk}/").json()
    assert (mine["latitude"], mine["longitude"]) == (20.5, 96.5)
    assert AuditEntry.objects.filter(action="view_protected").count() == before + 1
    for name in ("other_editor", "coordinator"):
        theirs = setup[name].get(f"/api/situation/incidents/{pk}/").json()
        assert theirs["latitude"] is None
        assert theirs["longitude"] is None


def test_incident_written_by_the_reporting_organisation_only(setup):
    source = SourceFactory()
    body = {
        "reporting_organisation": str(setup["own"].pk),
        "occurred_on": "2024-05-02",
        "incident_type": "shelling",
        "admin_unit": "MMR005022",
        "sources": [str(source.pk)],
        "latitude": 21.0,
        "longitude": 95.0,
    }
    url = "/api/situation/incidents/"
    assert setup["other_editor"].post(url, body, content_type="application/json").status_code == 403
    created = setup["editor"].post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    incident = Incident.objects.get(pk=created.json()["id"])
    assert list(incident.sources.all()) == [source]
    assert incident.reporting_organisation == setup["own"]

    patch = {"fatalities": 2, "reporting_organisation": str(setup["other"].pk)}
    detail = f"{url}{incident.pk}/"
    assert (
        setup["other_editor"].patch(detail, patch, content_type="application/json").status_code
        == 403
    )
    assert setup["editor"].patch(detail, patch, content_type="application/json").status_code == 200
    incident.refresh_from_db()
    assert incident.fatalities == 2
    assert incident.reporting_organisation == setup["own"]
    far = {"latitude": 40.0, "longitude": 95.0}
    assert setup["editor"].patch(detail, far, content_type="application/json").status_code == 422
    assert setup["editor"].delete(detail).status_code == 400  # a removal gives its reason
    assert setup["editor"].delete(detail + "?reason=entered+twice").status_code == 204
    assert Incident.all_objects.get(pk=incident.pk).removal_reason == "entered twice"


def test_figures_and_sources(setup):
    editor = setup["editor"]
    source = editor.post(
        "/api/situation/sources/",
        {"title": "Camp committee count", "reliability": "B", "url": "https://example.org/r"},
        content_type="application/json",
    )
    assert source.status_code == 201, source.content
    source_id = source.json()["id"]
    figure = editor.post(
        "/api/situation/figures/",
        {
            "reporting_organisation": str(setup["own"].pk),
            "admin_unit": "MMR005022",
            "as_of": "2024-06-30",
            "idps": 800,
            "source": source_id,
        },
        content_type="application/json",
    )
    assert figure.status_code == 201, figure.content
    assert DisplacementFigure.objects.filter(pk=figure.json()["id"], idps=800).exists()
    # Cited: cannot go; the other organisation's editor cannot touch it at all.
    assert editor.delete(f"/api/situation/sources/{source_id}/").status_code == 400
    other = setup["other_editor"]
    answer = other.patch(
        f"/api/situation/sources/{source_id}/", {"title": "x"}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert Source.objects.get(pk=source_id).title == "Camp committee count"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"admin_unit": "MMR999999"}, "admin_unit: unknown p-code 'MMR999999'"),
        ({"as_of": None}, "as_of cannot be null"),
    ],
)
def test_a_figure_with_a_bad_township_or_a_null_is_a_clear_400(setup, change, message):
    figure = setup["figure"]
    before = (figure.admin_unit_id, figure.as_of)
    answer = setup["editor"].patch(
        f"/api/situation/figures/{figure.pk}/", change, content_type="application/json"
    )
    assert (answer.status_code, answer.json()["detail"]) == (400, message)
    figure.refresh_from_db()
    assert (figure.admin_unit_id, figure.as_of) == before
