"""The transfers API over HTTP: either side sees and keeps it; the reference is protected."""

from __future__ import annotations

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.funds.models import Transfer
from corridor.orgs.models import Visibility
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
    UserFactory,
)
from corridor.testing.signin import signed_in_client

URL = "/api/funds/transfers/"


def _client(organisation=None, role=OrgRole.EDITOR, **user_fields):
    user = UserFactory(password=None, **user_fields)
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return signed_in_client(user)


@pytest.fixture
def setup(db):
    donor, partner, hidden = (
        OrganisationFactory(),
        OrganisationFactory(),
        OrganisationFactory(visibility=Visibility.ANONYMOUS),
    )
    return {
        "donor": donor,
        "partner": partner,
        "donor_editor": _client(donor),
        "partner_viewer": _client(partner, OrgRole.VIEWER),
        "outsider": _client(OrganisationFactory()),
        "coordinator": _client(global_role=GlobalRole.COORDINATOR),
        "open": TransferFactory(from_organisation=donor, to_organisation=partner, reference="H-1"),
        "hidden": TransferFactory(from_organisation=donor, to_organisation=hidden),
    }


def _ids(client):
    return {item["id"] for item in client.get(URL).json()["items"]}


def test_who_sees_which_transfer(setup):
    open_, hidden = str(setup["open"].pk), str(setup["hidden"].pk)
    assert _ids(setup["donor_editor"]) == {open_, hidden}
    assert _ids(setup["partner_viewer"]) == {open_}
    assert _ids(setup["outsider"]) == set()
    assert _ids(setup["coordinator"]) == {open_}


def test_reference_only_for_the_two_sides(setup):
    pk = setup["open"].pk
    assert setup["partner_viewer"].get(f"{URL}{pk}/").json()["reference"] == "H-1"
    assert setup["coordinator"].get(f"{URL}{pk}/").json()["reference"] is None


def test_record_and_confirm(setup):
    body = {
        "from_organisation": str(setup["donor"].pk),
        "to_organisation": str(setup["partner"].pk),
        "amount": "2500.00",
        "currency": "THB",
        "sent_on": "2024-07-01",
        "channel": "informal",
        "fee": "50.00",
        "intermediary": "Agent in Mae Sot",
    }
    assert (
        setup["partner_viewer"].post(URL, body, content_type="application/json").status_code == 403
    )
    created = setup["donor_editor"].post(URL, body, content_type="application/json")
    assert created.status_code == 201, created.content
    answer = created.json()
    assert (answer["sent_state"], answer["received_state"]) == ("confirmed", None)
    assert answer["intermediary"] == "Agent in Mae Sot"
    pk = answer["id"]
    same_sides = {"amount": "-5"}
    answer = setup["donor_editor"].patch(f"{URL}{pk}/", same_sides, content_type="application/json")
    # Refused by the rules, in their words, as on every entry point (core/tests/test_rules.py).
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"amount": ["the amount must be more than 0, not -5"]}
    # The sender writing what arrived makes it only the sender's claim of the receiver's leg.
    moved = {
        "to_organisation": str(setup["donor"].pk),
        "received_amount": "2450.00",
        "received_currency": "THB",
        "received_on": "2024-07-02",
    }
    answer = setup["donor_editor"].patch(f"{URL}{pk}/", moved, content_type="application/json")
    assert answer.status_code == 200, answer.content
    transfer = Transfer.objects.get(pk=pk)
    assert (transfer.to_organisation, transfer.received_state) == (setup["partner"], "claimed")
    # The coordinator sees neither the claim nor, on other transfers, the agent.
    assert setup["coordinator"].get(f"{URL}{pk}/").status_code == 404
    assert setup["coordinator"].get(f"{URL}{setup['open'].pk}/").json()["intermediary"] is None


def test_transfer_to_itself_is_refused_clearly(setup):
    body = {
        "from_organisation": str(setup["donor"].pk),
        "to_organisation": str(setup["donor"].pk),
        "amount": "10",
        "currency": "USD",
        "sent_on": "2024-07-01",
        "channel": "bank",
    }
    answer = setup["donor_editor"].post(URL, body, content_type="application/json")
    assert answer.status_code == 400
    assert "detail" in answer.json()
