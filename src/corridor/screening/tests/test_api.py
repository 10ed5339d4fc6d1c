"""The screening API over HTTP: screening names, a transfer's and a grant's counterparties, and
decisions (made by the paying organisation's editors, remembered, in the audit trail)."""

from __future__ import annotations

import json

import pytest

from corridor.accounts.models import OrgRole
from corridor.audit.models import AuditEntry
from corridor.screening.services import list_import_bytes
from corridor.testing.factories import (
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
    UserFactory,
)
from corridor.testing.signin import signed_in_client

LIST = (
    "name,aliases,type,country,programme,source,date,owned_by\n"
    "Padauk Economic Holdings Public Co. Ltd.,PEH,company,mm,SYN-CONGLOMERATE,synthetic,2023,\n"
    "Padauk Fuel Trading Co. Ltd.,,company,mm,,synthetic,,"
    "Padauk Economic Holdings Public Co. Ltd.\n"
)


def _client(organisation=None, role=OrgRole.EDITOR):
    user = UserFactory(password=None)
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return signed_in_client(user)


@pytest.fixture
def world(db):
    list_import_bytes(by=None, data=LIST.encode(), file_name="syn.csv", name="syn")
    donor = OrganisationFactory(name="Nordic Relief Fund")
    partner = OrganisationFactory(name="Salween Partners")
    grant = GrantFactory(donor=donor, recipient=partner)
    transfer = TransferFactory(
        from_organisation=donor, to_organisation=partner, grant=grant,
        intermediary="PADAUK FUEL TRADING COMPANY LIMITED",
    )  # fmt: skip
    return {
        "donor": donor, "partner": partner, "grant": grant, "transfer": transfer,
        "donor_editor": _client(donor), "partner_viewer": _client(partner, OrgRole.VIEWER),
        "outsider": _client(OrganisationFactory()),
    }  # fmt: skip


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_screen_names(world):
    answer = _post(world["outsider"], "/api/screening/screen",
                   {"names": ["Padauk Economic Holdings", "Salween Partners"]})  # fmt: skip
    assert answer.status_code == 200, answer.content
    first, second = answer.json()
    assert (first["status"], first["entity"], first["list"]) == (
        "match", "Padauk Economic Holdings Public Co. Ltd.", "syn")  # fmt: skip
    assert first["warns"]
    assert (second["status"], second["warns"]) == ("clear", False)
    assert _post(world["outsider"], "/api/screening/screen", {"names": []}).status_code == 422
    lists = world["outsider"].get("/api/screening/lists/").json()
    assert [(row["name"], row["entity_count"]) for row in lists] == [("syn", 2)]


def test_a_transfer_is_screened_for_its_sides_and_a_dismissal_is_remembered(world):
    url = f"/api/screening/transfers/{world['transfer'].pk}/"
    answers = world["donor_editor"].get(url).json()
    agent = next(a for a in answers if a["role"] == "agent or carrier")
    assert (agent["status"], agent["entity"], agent["warns"]) == (
        "match", "Padauk Fuel Trading Co. Ltd.", True)  # fmt: skip
    assert "owned by listed company 'Padauk Economic Holdings Public Co. Ltd.'" in agent["reasons"]
    # The agent's name is protected: a viewer of the receiving side sees it, an outsider nothing.
    assert world["outsider"].get(url).status_code == 404
    assert len(world["partner_viewer"].get(url).json()) == 2
    decision = {
        "organisation": str(world["donor"].pk), "name": agent["name"],
        "entity": agent["entity_id"], "verdict": "dismissed",
        "reason": "the carrier is a namesake: licence 4411, Hpa-an",
    }  # fmt: skip
    refused = _post(world["partner_viewer"], "/api/screening/decisions/", decision)
    assert refused.status_code == 403
    made = _post(world["donor_editor"], "/api/screening/decisions/", decision)
    assert made.status_code == 201, made.content
    again = world["donor_editor"].get(url).json()
    agent = next(a for a in again if a["role"] == "agent or carrier")
    assert agent["warns"] is False
    assert agent["decision"]["reason"] == "the carrier is a namesake: licence 4411, Hpa-an"
    entry = AuditEntry.objects.get(object_id=made.json()["id"], action="create")
    assert entry.changes["verdict"] == "dismissed"
    listed = world["donor_editor"].get("/api/screening/decisions/").json()
    assert [d["reason"] for d in listed] == [decision["reason"]]
    assert world["outsider"].get("/api/screening/decisions/").json() == []
    no_reason = _post(
        world["donor_editor"], "/api/screening/decisions/", {**decision, "reason": ""}
    )
    assert no_reason.status_code == 422


def test_grant_screening_report(world):
    answers = world["donor_editor"].get(f"/api/screening/grants/{world['grant'].pk}/").json()
    assert sorted((a["role"], a["name"], a["status"]) for a in answers) == [
        ("agent or carrier", "PADAUK FUEL TRADING COMPANY LIMITED", "match"),
        ("grant recipient", "Salween Partners", "clear"),
        ("receiver", "Salween Partners", "clear"),
    ]
    assert world["outsider"].get(f"/api/screening/grants/{world['grant'].pk}/").status_code == 404
