"""The ledger's API over HTTP beyond transfers: grants, legs, disputes, spending and rates.

Each write is tried by someone of another organisation too, who must be refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.funds.models import Dispute, ExchangeRate, Grant, LegState, Spending
from corridor.testing.factories import (
    ActivityFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
    UserFactory,
)
from corridor.testing.signin import signed_in_client

API = "/api/funds"
JSON = "application/json"


def _client(organisation=None, role=OrgRole.EDITOR, **user_fields):
    user = UserFactory(password=None, **user_fields)
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return signed_in_client(user)


@pytest.fixture
def w(db):
    donor, partner, stranger = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    grant = GrantFactory(donor=donor, recipient=partner, title="Rice for Hpakant")
    return {
        "donor": donor,
        "partner": partner,
        "grant": grant,
        "donor_editor": _client(donor),
        "partner_editor": _client(partner),
        "partner_viewer": _client(partner, OrgRole.VIEWER),
        "stranger": _client(stranger),
        "coordinator": _client(global_role=GlobalRole.COORDINATOR),
    }


def test_grants_listed_read_created_and_changed_by_their_parties_only(w):
    assert [g["title"] for g in w["partner_viewer"].get(f"{API}/grants/").json()["items"]] == [
        "Rice for Hpakant"
    ]
    assert w["stranger"].get(f"{API}/grants/").json()["count"] == 0
    url = f"{API}/grants/{w['grant'].pk}/"
    assert w["stranger"].get(url).status_code == 404
    assert w["donor_editor"].get(url).json()["amount"] == "10000.00"

    body = {
        "donor": str(w["donor"].pk),
        "recipient": str(w["partner"].pk),
        "title": "Shelter kits",
        "amount": "2500000",
        "currency": "MMK",
        "pledged_on": "2024-05-01",
        "starts_on": "2024-05-01",
        "sectors": ["shelter_nfi"],
        "reporting": "receipt",
    }
    assert w["stranger"].post(f"{API}/grants/", body, content_type=JSON).status_code == 403
    assert w["partner_viewer"].post(f"{API}/grants/", body, content_type=JSON).status_code == 403
    created = w["donor_editor"].post(f"{API}/grants/", body, content_type=JSON)
    assert created.status_code == 201, created.content
    grant = Grant.objects.get(pk=created.json()["id"])
    assert (grant.amount, grant.currency, grant.reporting) == (Decimal(2500000), "MMK", "receipt")
    # Whole kyat only: the rule of the money module, in the API's words.
    fine = w["donor_editor"].post(f"{API}/grants/", {**body, "amount": "10.50"}, content_type=JSON)
    assert fine.status_code == 400
    assert "MMK" in fine.json()["detail"]

    change = {"purpose": "Shelter for 40 households"}
    assert w["stranger"].patch(url, change, content_type=JSON).status_code == 404
    assert w["partner_viewer"].patch(url, change, content_type=JSON).status_code == 403
    answer = w["partner_editor"].patch(url, change, content_type=JSON)
    assert answer.status_code == 200
    assert answer.json()["purpose"] == change["purpose"]


def test_the_receiver_confirms_its_leg_and_nobody_else_can(w):
    claim = TransferFactory(
        from_organisation=w["donor"],
        to_organisation=w["partner"],
        received_state=LegState.CLAIMED,
        grant=w["grant"],
    )
    url = f"{API}/transfers/{claim.pk}/confirm"
    received = {"leg": "received"}
    assert w["stranger"].post(url, received, content_type=JSON).status_code == 404
    assert w["partner_viewer"].post(url, received, content_type=JSON).status_code == 403
    # The donor may not confirm the partner's leg for it.
    assert w["donor_editor"].post(url, received, content_type=JSON).status_code == 403
    assert w["partner_editor"].post(url, {"leg": "both"}, content_type=JSON).status_code == 422
    answer = w["partner_editor"].post(url, received, content_type=JSON)
    assert answer.status_code == 200, answer.content
    assert answer.json()["received_state"] == "confirmed"
    claim.refresh_from_db()
    assert claim.received_state == LegState.CONFIRMED


def test_a_dispute_is_opened_and_resolved_by_the_sides(w):
    transfer = TransferFactory(from_organisation=w["donor"], to_organisation=w["partner"])
    url = f"{API}/transfers/{transfer.pk}/disputes/"
    note = {"note": "Only 900 arrived"}
    assert w["stranger"].post(url, note, content_type=JSON).status_code == 404
    assert w["partner_viewer"].post(url, note, content_type=JSON).status_code == 403
    assert w["partner_editor"].post(url, {"note": ""}, content_type=JSON).status_code == 422
    opened = w["partner_editor"].post(url, note, content_type=JSON)
    assert opened.status_code == 201, opened.content
    assert opened.json()["opened_by"] == str(w["partner"].pk)
    resolve = f"{API}/disputes/{opened.json()['id']}/resolve"
    settled = {"resolution": "The agent paid the rest"}
    assert w["stranger"].post(resolve, settled, content_type=JSON).status_code == 404
    answer = w["donor_editor"].post(resolve, settled, content_type=JSON)
    assert answer.status_code == 200, answer.content
    assert answer.json()["resolution"] == "The agent paid the rest"
    assert Dispute.objects.get().resolved_on is not None
    again = w["donor_editor"].post(resolve, settled, content_type=JSON)
    assert again.status_code == 400
    assert "resolved already" in again.json()["detail"]


def test_spending_is_written_by_the_activity_organisation(w):
    activity = ActivityFactory(organisation=w["partner"])
    body = {
        "grant": str(w["grant"].pk),
        "activity": str(activity.pk),
        "amount": "1200.00",
        "currency": "USD",
        "spent_on": "2024-04-10",
    }
    refused = w["stranger"].post(f"{API}/spending/", body, content_type=JSON)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "grant: unknown grant"
    # The donor sees the grant, but spending is the activity's organisation's word.
    refused = w["donor_editor"].post(f"{API}/spending/", body, content_type=JSON)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "activity: unknown activity"
    own = ActivityFactory(organisation=w["donor"])
    refused = w["partner_editor"].post(
        f"{API}/spending/", {**body, "activity": str(own.pk)}, content_type=JSON
    )
    assert refused.status_code == 400
    created = w["partner_editor"].post(f"{API}/spending/", body, content_type=JSON)
    assert created.status_code == 201, created.content
    assert Spending.objects.get().amount == Decimal("1200.00")
    assert w["donor_editor"].get(f"{API}/spending/").json()["count"] == 1
    assert w["stranger"].get(f"{API}/spending/").json()["count"] == 0


def test_rates_are_read_by_members_and_written_by_coordinators(w):
    body = {
        "on": "2024-05-01",
        "from_currency": "USD",
        "to_currency": "MMK",
        "rate": "3750",
        "kind": "market",
        "source": "Yangon money changers",
    }
    assert w["partner_editor"].post(f"{API}/rates/", body, content_type=JSON).status_code == 403
    created = w["coordinator"].post(f"{API}/rates/", body, content_type=JSON)
    assert created.status_code == 201, created.content
    assert w["partner_viewer"].get(f"{API}/rates/").json()["items"][0]["rate"] == "3750.0000000000"
    again = w["coordinator"].post(f"{API}/rates/", body, content_type=JSON)
    assert again.status_code == 400
    assert "recorded already" in again.json()["detail"]


def _csv(text: str, name: str = "rates.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_rates_import_is_all_or_nothing_naming_file_row_and_column(w):
    good = (
        "date,from,to,rate,kind,source\n"
        "2024-05-01,USD,MMK,3750,market,Yangon money changers\n"
        "2024-05-01,USD,MMK,2100,official,Central Bank of Myanmar\n"
    )
    url = f"{API}/rates/import"
    assert w["partner_editor"].post(url, {"file": _csv(good)}).status_code == 403
    bad = good + "2024-05-02,USD,MMK,lots,market,Yangon money changers\n"
    refused = w["coordinator"].post(url, {"file": _csv(bad, "may.csv")})
    assert refused.status_code == 400
    assert refused.json()["errors"] == ["may.csv, row 4, column rate: 'lots' is not a number"]
    assert ExchangeRate.objects.count() == 0
    unknown = good + "2024-05-02,USD,XYZ,1,market,Nowhere\n"
    refused = w["coordinator"].post(url, {"file": _csv(unknown, "june.csv")})
    assert refused.status_code == 400
    assert refused.json()["errors"][0].startswith("june.csv, row 4, column to: ")
    assert ExchangeRate.objects.count() == 0
    answer = w["coordinator"].post(url, {"file": _csv(good)})
    assert answer.status_code == 201, answer.content
    assert (answer.json()["rows"], answer.json()["created"]) == (2, 2)
    kinds = set(ExchangeRate.objects.values_list("on", "kind"))
    assert kinds == {(dt.date(2024, 5, 1), "market"), (dt.date(2024, 5, 1), "official")}


def test_spending_is_removed_over_the_api_with_a_reason_by_its_organisation_only(w):
    activity = ActivityFactory(organisation=w["partner"])
    body = {"grant": str(w["grant"].pk), "activity": str(activity.pk), "amount": "1200.00",
            "currency": "USD", "spent_on": "2024-04-10"}  # fmt: skip
    pk = w["partner_editor"].post(f"{API}/spending/", body, content_type=JSON).json()["id"]
    url = f"{API}/spending/{pk}/"
    assert w["stranger"].delete(f"{url}?reason=mine").status_code == 404
    # The donor sees the spending but it is the spending organisation's word.
    assert w["donor_editor"].delete(f"{url}?reason=typed+twice").status_code == 403
    assert w["partner_viewer"].delete(f"{url}?reason=typed+twice").status_code == 403
    no_reason = w["partner_editor"].delete(url)
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["detail"]
    removed = w["partner_editor"].delete(url, {"reason": "typed twice"}, content_type=JSON)
    assert removed.status_code == 204
    row = Spending.all_objects.get(pk=pk)
    assert (row.removal_reason, row.is_removed) == ("typed twice", True)
    assert w["partner_editor"].get(f"{API}/spending/").json()["count"] == 0
    assert w["partner_editor"].delete(f"{url}?reason=again").status_code == 404
    entry = AuditEntry.objects.get(object_id=str(pk), action="remove")
    assert entry.changes == {"reason": "typed twice"}


def test_a_rate_is_removed_over_the_api_by_a_coordinator_and_may_be_recorded_again(w):
    body = {"on": "2024-05-01", "from_currency": "USD", "to_currency": "MMK", "rate": "3750",
            "kind": "market", "source": "Yangon money changers"}  # fmt: skip
    pk = w["coordinator"].post(f"{API}/rates/", body, content_type=JSON).json()["id"]
    url = f"{API}/rates/{pk}/"
    assert w["partner_editor"].delete(f"{url}?reason=wrong").status_code == 403
    assert w["coordinator"].delete(url).status_code == 400
    assert w["coordinator"].delete(f"{url}?reason=wrong+source").status_code == 204
    assert w["partner_viewer"].get(f"{API}/rates/").json()["count"] == 0
    assert ExchangeRate.all_objects.get(pk=pk).removal_reason == "wrong source"
    # The same day, pair, kind and source may be recorded again once the old row is removed.
    again = w["coordinator"].post(f"{API}/rates/", {**body, "rate": "3700"}, content_type=JSON)
    assert again.status_code == 201, again.content
    assert w["partner_viewer"].get(f"{API}/rates/").json()["items"][0]["rate"] == "3700.0000000000"
