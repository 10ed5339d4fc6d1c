"""The new 4W fields over the API (decisions 0165-0167): "of whom" counts that never change the
total, conditionality of cash only, donor, and a village tract only its organisation reads."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid.models import Activity
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
def own(db):
    township()
    org = OrganisationFactory()
    editor = UserFactory(password=None)
    MembershipFactory(user=editor, organisation=org, role=OrgRole.EDITOR)
    return org, signed_in_client(editor)


def _new(org, **extra):
    return {
        "organisation": str(org.pk),
        "sector": "food_security",
        "modality": "cash",
        "admin_unit": "MMR005022",
        "reporting_month": "2024-04-01",
        "women": 30,
        "men": 20,
        "girls": 5,
        **extra,
    }


def test_record_and_read_the_new_fields(own):
    org, editor = own
    answer = editor.post(
        URL,
        _new(
            org,
            elderly_women=7,
            elderly_men=4,
            disabled=3,
            village_tract="Nat Gyi Kone",
            village="Ywar Thit",
            donor="Myanmar Humanitarian Fund",
            conditionality="unconditional",
        ),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["people_reached"] == 55  # the "of whom" counts are not added
    assert (body["elderly_women"], body["elderly_men"], body["disabled"]) == (7, 4, 3)
    assert (body["village_tract"], body["village"]) == ("Nat Gyi Kone", "Ywar Thit")
    assert (body["donor"], body["conditionality"]) == ("Myanmar Humanitarian Fund", "unconditional")

    # Not reported stays null, not 0 (other people: the same ones would be a likely
    # duplicate, decision 0215).
    plain = editor.post(URL, _new(org, boys=2), content_type="application/json").json()
    assert (plain["elderly_women"], plain["disabled"], plain["conditionality"]) == (None, None, "")

    # Clearing the conditionality on a change to a service is allowed; keeping it is not.
    refused = editor.patch(
        f"{URL}{body['id']}/", {"modality": "service"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "conditionality" in refused.content.decode()
    changed = editor.patch(
        f"{URL}{body['id']}/",
        {"modality": "service", "conditionality": ""},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"elderly_women": 31}, "elderly_women"),
        ({"elderly_men": 21}, "elderly_men"),
        ({"disabled": 56}, "disabled"),
        ({"modality": "in_kind", "conditionality": "conditional"}, "conditionality"),
    ],
)
def test_a_part_larger_than_its_whole_is_refused(own, extra, field):
    org, editor = own
    answer = editor.post(URL, _new(org, **extra), content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert field in answer.content.decode()
    assert not Activity.objects.exists()


def test_the_database_refuses_what_slipped_through(own):
    org, _ = own
    row = ActivityFactory(organisation=org, women=2, men=0, girls=0, boys=1)
    for values in ({"elderly_women": 3}, {"disabled": 4}, {"conditionality": "conditional"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Activity.objects.filter(pk=row.pk).update(modality="service", **values)


def test_a_coordinator_reads_the_row_but_not_its_village(own):
    org, _ = own
    row = ActivityFactory(organisation=org, village_tract="Nat Gyi Kone", village="Ywar Thit")
    coordinator = signed_in_client(UserFactory(password=None, global_role=GlobalRole.COORDINATOR))

    body = coordinator.get(f"{URL}{row.pk}/").json()
    assert body["id"] == str(row.pk)
    assert (body["village_tract"], body["village"]) == (None, None)
    listed = coordinator.get(URL).json()["items"]
    assert [(i["village_tract"], i["village"]) for i in listed] == [(None, None)]
    assert "Nat Gyi" not in coordinator.get(URL).content.decode()
