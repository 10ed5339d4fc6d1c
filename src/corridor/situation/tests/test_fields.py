"""An incident's sub-event type and place precision over the API (decision 0168)."""

from __future__ import annotations

from corridor.accounts.models import OrgRole
from corridor.situation.models import Incident
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client

URL = "/api/situation/incidents/"


def test_sub_event_type_and_geo_precision_are_kept(db):
    township()
    org = OrganisationFactory()
    user = UserFactory(password=None)
    MembershipFactory(user=user, organisation=org, role=OrgRole.EDITOR)
    editor = signed_in_client(user)
    body = {
        "reporting_organisation": str(org.pk),
        "occurred_on": "2024-03-05",
        "incident_type": "explosive_device",
        "sub_event_type": "Remote explosive/landmine/IED",
        "geo_precision": 2,
        "admin_unit": "MMR005022",
        "sources": [str(SourceFactory().pk)],
    }

    created = editor.post(URL, body, content_type="application/json")

    assert created.status_code == 201, created.content
    answer = created.json()
    assert (answer["incident_type"], answer["geo_precision"]) == ("explosive_device", 2)
    assert answer["sub_event_type"] == "Remote explosive/landmine/IED"
    listed = editor.get(URL).json()["items"]
    assert [(i["sub_event_type"], i["geo_precision"]) for i in listed] == [
        ("Remote explosive/landmine/IED", 2)
    ]
    refused = editor.post(URL, {**body, "geo_precision": 4}, content_type="application/json")
    assert refused.status_code == 422
    assert "geo_precision" in refused.content.decode()
    assert Incident.objects.count() == 1
