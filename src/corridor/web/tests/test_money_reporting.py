"""The reporting rules on the money pages (decision 0366): the receiver's confirm form asks for
the note the donor asks for; the note is shown to the grant's parties only; where the donor
asks for a partner's confirmation, the sending side confirms the receipt from the transfer's
page and the grant's page says who must act until it does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.funds.models import LegState, ReportingRule, Transfer
from corridor.testing import factories as f
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    donor = f.OrganisationFactory(name="Nordic Relief Fund")
    partner = f.OrganisationFactory(name="Salween Partners")
    people = {}
    for name, org in (("donor", donor), ("partner", partner)):
        people[name] = f.UserFactory(username=name)
        f.MembershipFactory(user=people[name], organisation=org, role=OrgRole.EDITOR)
    people["coordinator"] = f.UserFactory(username="coord", global_role=GlobalRole.COORDINATOR)

    def claim(rule: str) -> Transfer:
        grant = f.GrantFactory(donor=donor, recipient=partner, title=f"Rice ({rule})",
                               reporting=rule)  # fmt: skip
        return f.TransferFactory(
            from_organisation=donor, to_organisation=partner, grant=grant, amount=Decimal(5000),
            currency="USD", fee=Decimal(50), received_amount=Decimal(4950),
            received_state=LegState.CLAIMED, sent_on=dt.date(2024, 5, 1),
            received_on=dt.date(2024, 5, 2),
        )  # fmt: skip

    return {"claim": claim, "people": people}


def _as(w, name):
    return signed_in_client(w["people"][name])


BODY = {"received_amount": "4950.00", "received_currency": "USD", "received_on": "2024-05-02"}


def test_the_receiver_confirms_with_the_note_the_donor_asks_for(w):
    t = w["claim"](ReportingRule.NOTE)
    url = f"/money/transfers/{t.pk}/confirm/"
    client = _as(w, "partner")
    form = client.get(url).content.decode()
    assert 'id="note-wanted"' in form
    assert 'name="received_note"' in form
    refused = client.post(url, BODY)
    assert refused.status_code == 400
    assert Transfer.objects.get(pk=t.pk).received_state == LegState.CLAIMED
    answer = client.post(url, {**BODY, "received_note": "Counted at the Hpa-an office"})
    assert answer.status_code == 302
    stored = Transfer.objects.get(pk=t.pk)
    assert (stored.received_state, stored.received_note) == (
        "confirmed", "Counted at the Hpa-an office"
    )  # fmt: skip
    page = f"/money/transfers/{t.pk}/"
    assert "Counted at the Hpa-an office" in _as(w, "donor").get(page).content.decode()
    # Settled now, the coordinator sees the transfer, never the note.
    coordinator = _as(w, "coordinator").get(page)
    assert coordinator.status_code == 200
    assert "Counted at the Hpa-an office" not in coordinator.content.decode()


def test_a_grant_without_the_rule_takes_the_note_without_asking(w):
    t = w["claim"](ReportingRule.NONE)
    url = f"/money/transfers/{t.pk}/confirm/"
    form = _as(w, "partner").get(url).content.decode()
    assert 'name="received_note"' in form
    assert 'id="note-wanted"' not in form
    assert _as(w, "partner").post(url, BODY).status_code == 302
    assert Transfer.objects.get(pk=t.pk).received_state == LegState.CONFIRMED


def test_the_sending_side_confirms_the_receipt_as_the_partner(w):
    t = w["claim"](ReportingRule.PARTNER)
    confirm = f"/money/transfers/{t.pk}/confirm/"
    form = _as(w, "partner").get(confirm).content.decode()
    assert "Nordic Relief Fund to confirm the receipt too" in form
    assert _as(w, "partner").post(confirm, BODY).status_code == 302

    grant_page = _as(w, "donor").get(f"/money/grants/{t.grant_id}/").content.decode()
    mismatches = grant_page.split('id="mismatches"')[1].split("</table>")[0]
    assert "asks the sending side to confirm the receipt" in mismatches
    assert "Nordic Relief Fund" in mismatches
    assert "(awaiting the partner)" in grant_page.split('id="hops"')[1].split("</table>")[0]

    page = f"/money/transfers/{t.pk}/"
    assert 'id="confirm-partner"' not in _as(w, "partner").get(page).content.decode()
    assert 'id="confirm-partner"' in _as(w, "donor").get(page).content.decode()
    # Only the sending side's editors: the receiver's post is refused.
    assert _as(w, "partner").post(confirm, {"leg": "partner"}).status_code == 403
    assert _as(w, "donor").post(confirm, {"leg": "partner"}).status_code == 302
    assert Transfer.objects.get(pk=t.pk).partner_confirmed_on is not None
    done = _as(w, "donor").get(page).content.decode()
    assert 'id="confirm-partner"' not in done
    assert 'id="partner-state"' in done
    grant_page = _as(w, "donor").get(f"/money/grants/{t.grant_id}/").content.decode()
    assert "asks the sending side" not in grant_page
    assert "(awaiting the partner)" not in grant_page
