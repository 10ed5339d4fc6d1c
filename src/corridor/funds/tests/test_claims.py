"""The adversary case of issue 13: an editor records a "received" transfer from a public
organisation. Until that organisation confirms its leg, the transfer is in none of its reports
or exports (its IATI file, the coordinators' view, network totals); it is in the recorder's."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from lxml import etree

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.exchange.services import iati_export
from corridor.funds import services
from corridor.funds.models import LegState, TransferChannel
from corridor.funds.queries import transfers_counting_for, transfers_settled, transfers_visible_to
from corridor.orgs.models import OrgKind
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.signin import signed_in_client


def _transactions(organisation) -> list[tuple[str, str]]:
    out = io.BytesIO()
    iati_export(by=None, organisation=organisation, out=out, today=dt.date(2024, 12, 1))
    funds = etree.fromstring(out.getvalue()).findall("iati-activity")[-1]
    return [
        (t.find("transaction-type").get("code"), t.findtext("value"))
        for t in funds.iterfind("transaction")
    ]


def test_a_claim_in_a_public_organisations_name_stays_out_of_its_outputs(db):
    public = OrganisationFactory(name="Well Known Foundation", kind=OrgKind.DONOR)
    other, partner = OrganisationFactory(name="Claimant"), OrganisationFactory()
    claimant, owner = UserFactory(), UserFactory()
    MembershipFactory(user=claimant, organisation=other, role=OrgRole.EDITOR)
    MembershipFactory(user=owner, organisation=public, role=OrgRole.EDITOR)
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    # The public organisation's own, real transfer: its IATI file has something to hold.
    services.transfer_record(
        by=owner, from_organisation=public, to_organisation=partner, amount=Decimal("500.00"),
        currency="USD", sent_on=dt.date(2024, 2, 1), channel=TransferChannel.BANK,
    )  # fmt: skip
    claim = services.transfer_record(
        by=claimant, from_organisation=public, to_organisation=other, amount=Decimal("9999.00"),
        currency="USD", sent_on=dt.date(2024, 3, 1), channel=TransferChannel.BANK,
        received_amount=Decimal("9999.00"), received_currency="USD",
        received_on=dt.date(2024, 3, 2),
    )  # fmt: skip
    assert (claim.sent_state, claim.received_state) == (LegState.CLAIMED, LegState.CONFIRMED)

    assert _transactions(public) == [("3", "500.00")]
    assert claim not in transfers_counting_for(public)
    assert claim not in transfers_settled()
    assert claim not in transfers_visible_to(coordinator)
    listed = signed_in_client(coordinator).get("/api/funds/transfers/").json()["items"]
    assert str(claim.pk) not in {item["id"] for item in listed}
    # The recorder's own file holds its own word: what it says it received.
    assert _transactions(other) == [("1", "9999.00")]
    # The public organisation sees the claim, to confirm or dispute it.
    assert claim in transfers_visible_to(owner)

    services.transfer_confirm(by=owner, transfer=claim, leg="sent")
    assert sorted(_transactions(public)) == [("3", "500.00"), ("3", "9999.00")]
    assert claim in transfers_settled()
    assert claim in transfers_visible_to(coordinator)


def test_a_dispute_takes_it_out_again(db):
    public, other = OrganisationFactory(), OrganisationFactory()
    sender, receiver = UserFactory(), UserFactory()
    MembershipFactory(user=sender, organisation=public, role=OrgRole.EDITOR)
    MembershipFactory(user=receiver, organisation=other, role=OrgRole.EDITOR)
    t = services.transfer_record(
        by=sender, from_organisation=public, to_organisation=other, amount=Decimal("100.00"),
        currency="USD", sent_on=dt.date(2024, 2, 1), channel=TransferChannel.INFORMAL,
    )  # fmt: skip
    services.transfer_receive(by=receiver, transfer=t, amount=Decimal("100.00"), currency="USD",
                              on=dt.date(2024, 2, 3))  # fmt: skip
    assert t in transfers_counting_for(public)
    assert t in transfers_counting_for(other)
    dispute = services.dispute_open(by=receiver, transfer=t, note="only 80 came",
                                    on=dt.date(2024, 2, 4))  # fmt: skip
    assert t not in transfers_counting_for(public)
    assert t not in transfers_settled()
    services.dispute_resolve(by=sender, dispute=dispute, resolution="the agent paid the rest")
    assert t in transfers_counting_for(public)
