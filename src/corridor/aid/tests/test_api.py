"""The activities API over HTTP: scoping, writes through the policy, validation, mass assignment."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.testing.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client

URL = "/api/aid/activities/"


@pytest.fixture
def setup(db):
    own, other = OrganisationFactory(), OrganisationFactory()
    editor, viewer = UserFactory(password=None), UserFactory(password=None)
    MembershipFactory(user=editor, organisation=own, role=OrgRole.EDITOR)
    MembershipFactory(user=viewer, organisation=own, role=OrgRole.VIEWER)
    return {
        "own": own,
        "other": other,
        "editor": signed_in_client(editor),
        "viewer": signed_in_client(viewer),
        "mine": ActivityFactory(organisation=own),
        "theirs": ActivityFactory(organisation=other),
        "township": township(),
    }


def _new(org, **extra):
    return {
        "organisation": str(org.pk),
        "sector": "health",
        "modality": "service",
        "admin_unit": "MMR005022",
        "reporting_month": "2024-04-01",
        "women": 3,
        "men": 2,
        **extra,
    }


def test_anonymous_gets_401(db):
    assert Client().get(URL).status_code == 401


def test_list_shows_own_organisation_only(setup):
    body = setup["viewer"].get(URL).json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == str(setup["mine"].pk)
    assert body["items"][0]["people_reached"] == setup["mine"].people_reached
    assert setup["viewer"].get(f"{URL}{setup['theirs'].pk}/").status_code == 404


def test_editor_records_changes_and_deletes(setup):
    client = setup["editor"]
    created = client.post(URL, _new(setup["own"]), content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    activity = Activity.objects.get(pk=pk)
    assert activity.people_reached == 5
    assert AuditEntry.objects.filter(action="create", object_id=pk).exists()

    changed = client.patch(f"{URL}{pk}/", {"women": 10}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["people_reached"] == 12

    assert client.delete(f"{URL}{pk}/").status_code == 400  # a removal gives its reason
    assert client.delete(f"{URL}{pk}/?reason=entered+twice").status_code == 204
    assert not Activity.objects.filter(pk=pk).exists()
    assert Activity.all_objects.get(pk=pk).removal_reason == "entered twice"


def test_viewer_cannot_write_and_the_denial_is_audited(setup):
    client = setup["viewer"]
    assert client.post(URL, _new(setup["own"]), content_type="application/json").status_code == 403
    pk = setup["mine"].pk
    answer = client.patch(f"{URL}{pk}/", {"women": 99}, content_type="application/json")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "you may not change this"}
    assert AuditEntry.objects.filter(action="denied", object_id=str(pk)).exists()
    setup["mine"].refresh_from_db()
    assert setup["mine"].women != 99


def test_editor_cannot_record_for_another_organisation(setup):
    answer = setup["editor"].post(URL, _new(setup["other"]), content_type="application/json")
    assert answer.status_code == 403
    assert not Activity.objects.filter(organisation=setup["other"], sector="health").exists()


def test_extra_fields_change_nothing(setup):
    mine = setup["mine"]
    answer = setup["editor"].patch(
        f"{URL}{mine.pk}/",
        {
            "notes": "checked",
            "organisation": str(setup["other"].pk),
            "id": "00000000-0000-0000-0000-000000000001",
            "created_by": None,
            "people_reached": 1,
        },
        content_type="application/json",
    )
    assert answer.status_code == 200
    mine.refresh_from_db()
    assert mine.notes == "checked"
    assert mine.organisation_id == setup["own"].pk
    assert Activity.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"admin_unit": "MMR999999"}, "admin_unit: unknown p-code 'MMR999999'"),
        ({"start_date": "2024-05-01", "end_date": "2024-04-01"}, ""),
        ({"value": "12.5"}, ""),
        ({"women": -1}, ""),
        ({"women": 10**12}, ""),
        ({"sector": None}, "sector"),
        ({"notes": "a\x00b"}, ""),
    ],
)
def test_bad_input_is_a_clear_4xx(setup, change, message):
    answer = setup["editor"].post(
        URL, _new(setup["own"], **change), content_type="application/json"
    )
    assert 400 <= answer.status_code < 500, answer.content
    assert message in answer.content.decode()
    assert "Traceback" not in answer.content.decode()


def test_writes_need_a_csrf_token(setup):
    editor = setup["editor"]
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = editor.cookies
    answer = strict.post(URL, _new(setup["own"]), content_type="application/json")
    assert answer.status_code == 403
    assert not Activity.objects.filter(sector="health").exists()


def test_lists_are_paged_with_the_total(setup):
    ActivityFactory(organisation=setup["own"])
    whole = setup["editor"].get(URL).json()
    first = setup["editor"].get(URL, {"limit": 1}).json()
    rest = setup["editor"].get(URL, {"limit": 500, "offset": 1}).json()

    assert whole["count"] == first["count"] == rest["count"] == len(whole["items"]) >= 2
    assert [a["id"] for a in first["items"] + rest["items"]] == [a["id"] for a in whole["items"]]
