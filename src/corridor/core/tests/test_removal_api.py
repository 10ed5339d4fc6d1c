"""The API's DELETE removes softly, with the reason given, audited (issue 12 §3, decision 0282).

Over HTTP with a signed-in editor, for each record type the API deletes: without a reason it is
refused and nothing changes; with one (query parameter or JSON body) the record leaves the API
but stays in the table with who removed it, when and why, and a ``remove`` audit entry holds the
reason; whoever may remove it may restore it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from corridor.accounts.models import OrgRole
from corridor.aid.services import activity_record, activity_restore
from corridor.audit.models import AuditEntry
from corridor.funds.services import transfer_record
from corridor.geo.models import AdminUnit
from corridor.geo.resolver import invalidate_resolver
from corridor.situation.services import figure_record, incident_record
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client

TOWNSHIP = "MMR005022"


@pytest.fixture
def world(db):
    township(TOWNSHIP)
    invalidate_resolver()
    org = OrganisationFactory(name="Chin Relief Network", acronym="CRN")
    user = UserFactory()
    MembershipFactory(user=user, organisation=org, role=OrgRole.EDITOR)
    yield {"org": org, "user": user, "client": signed_in_client(user)}
    invalidate_resolver()


def _activity(w: dict) -> Any:
    return activity_record(
        by=w["user"],
        organisation=w["org"],
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        reporting_month=dt.date(2026, 5, 1),
        sector="health",
        modality="service",
        women=10,
        men=5,
    )


def _figure(w: dict) -> Any:
    return figure_record(
        by=w["user"],
        reporting_organisation=w["org"],
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        as_of=dt.date(2026, 10, 31),
        idps=1200,
        source=SourceFactory(),
    )


def _incident(w: dict) -> Any:
    return incident_record(
        by=w["user"],
        reporting_organisation=w["org"],
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        occurred_on=dt.date(2026, 11, 2),
        incident_type="airstrike",
        fatalities=3,
    )


def _transfer(w: dict) -> Any:
    return transfer_record(
        by=w["user"],
        from_organisation=w["org"],
        to_organisation=OrganisationFactory(),
        amount=Decimal("100"),
        currency="USD",
        sent_on=dt.date(2026, 11, 1),
        channel="informal",
    )


KINDS = {
    "activity": (_activity, "/api/aid/activities/{pk}/"),
    "figure": (_figure, "/api/situation/figures/{pk}/"),
    "incident": (_incident, "/api/situation/incidents/{pk}/"),
    "transfer": (_transfer, "/api/funds/transfers/{pk}/"),
}


@pytest.mark.parametrize("given", ["query", "body"])
@pytest.mark.parametrize("kind", KINDS)
def test_delete_removes_softly_with_the_reason(world, kind, given):
    make, route = KINDS[kind]
    record = make(world)
    model = type(record)
    url = route.format(pk=record.pk)
    client = world["client"]

    refused = client.delete(url)
    assert refused.status_code == 400
    assert "reason" in refused.json()["detail"]
    blank = client.delete(url, json.dumps({"reason": "   "}), content_type="application/json")
    assert blank.status_code == 400
    assert model.objects.filter(pk=record.pk).exists()
    assert client.get(url).status_code == 200

    reason = "typed twice by the Hakha office"
    if given == "query":
        answer = client.delete(url + "?reason=typed%20twice%20by%20the%20Hakha%20office")
    else:
        answer = client.delete(url, json.dumps({"reason": reason}), content_type="application/json")
    assert answer.status_code == 204, answer.content

    # Gone from the API and every ordinary read; kept in the table, with who, when and why.
    assert client.get(url).status_code == 404
    again = client.delete(url, json.dumps({"reason": reason}), content_type="application/json")
    assert again.status_code == 404
    assert not model.objects.filter(pk=record.pk).exists()
    kept = model.all_objects.get(pk=record.pk)
    assert kept.removed_at is not None
    assert (kept.removed_by, kept.removal_reason) == (world["user"], reason)
    entry = AuditEntry.objects.filter(object_id=str(record.pk)).latest("seq")
    assert (entry.action, entry.changes["reason"]) == ("remove", reason)
    assert not AuditEntry.objects.filter(object_id=str(record.pk), action="delete").exists()


def test_a_removed_activity_can_be_restored(world):
    activity = _activity(world)
    url = f"/api/aid/activities/{activity.pk}/"
    assert world["client"].delete(url + "?reason=wrong+township").status_code == 204
    activity_restore(by=world["user"], activity=type(activity).all_objects.get(pk=activity.pk))
    assert world["client"].get(url).status_code == 200


def test_another_organisations_record_is_not_removed(world):
    """Someone who may not remove the record gets no removal, whatever reason they give."""
    activity = _activity(world)
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role=OrgRole.EDITOR)
    answer = signed_in_client(outsider).delete(
        f"/api/aid/activities/{activity.pk}/?reason=not+ours"
    )
    assert answer.status_code in (403, 404)
    assert type(activity).objects.filter(pk=activity.pk).exists()


def test_a_reason_that_is_not_text_is_refused(world):
    activity = _activity(world)
    answer = world["client"].delete(
        f"/api/aid/activities/{activity.pk}/",
        json.dumps({"reason": ["a", "list"]}),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert type(activity).objects.filter(pk=activity.pk).exists()
