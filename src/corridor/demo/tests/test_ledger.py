"""The demo's grants (demo/ledger.py): donors abroad in four currencies, intermediaries in
baht, local groups in kyat; claims, a dispute, informal channels and spending on demo
activities; and every grant's custody adds up exactly, at market and at official rates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.demo import services
from corridor.demo.names import MARK_EN
from corridor.demo.plan import Size
from corridor.funds.custody import custody
from corridor.funds.models import Dispute, Grant, LegState, Spending, Transfer, TransferChannel
from corridor.funds.queries import reporting_missing
from corridor.funds.reconcile import grant_reconcile
from corridor.orgs.models import OrgKind

pytestmark = pytest.mark.django_db
SMALL = Size(townships=12, activities=300, incidents=50, field_reports=15, transfer_chains=15)


def test_demo_grants_follow_the_money_and_add_up():
    services.demo_load(seed=2021, size=SMALL)
    grants = list(Grant.objects.select_related("donor", "recipient").order_by("pledged_on"))
    assert len(grants) >= 10
    assert {g.currency for g in grants} == {"USD", "JPY", "NOK", "EUR"}
    assert all(g.donor.kind == OrgKind.DONOR and g.donor.base_country != "MM" for g in grants)
    assert all(MARK_EN in g.title for g in grants)
    hops = Transfer.objects.filter(grant__isnull=False)
    assert {t.received_currency for t in hops if t.received_state} == {"THB", "MMK"}
    assert hops.filter(received_currency="MMK", to_organisation__base_country="MM").exists()
    assert hops.filter(sent_state=LegState.CLAIMED).count() == 1
    assert hops.filter(received_state=LegState.CLAIMED).exists()
    assert hops.filter(received_state="").exists()  # money in transit
    assert hops.filter(channel=TransferChannel.INFORMAL).exists()
    assert all(t.intermediary.startswith("Demo agent") for t in hops.filter(channel="informal"))
    assert Dispute.objects.filter(resolved_on__isnull=True).count() == 1
    assert Spending.objects.count() == SMALL.grant_spending > 0
    day = SMALL.last_reported_month
    for grant in grants:
        for kind in ("market", "official"):
            report = custody(grant, valued_on=day, rate_kind=kind)
            assert sum(report.breakdown.values(), Decimal(0)) == grant.amount, (grant, kind)
    spent = [custody(g, valued_on=day).breakdown["spent_on_activities"] for g in grants]
    assert sum(1 for s in spent if s > 0) == SMALL.grant_spending // 2
    kinds = {m.kind for g in grants for m in grant_reconcile(g, today=day).mismatches}
    assert {"claimed_leg", "not_received", "disputed"} <= kinds
    # The reporting rules (decision 0366): a note on every confirmed receipt where the donor
    # asks one; where it asks a partner's confirmation, the last hop's receipt awaits it.
    assert "awaiting_partner" in kinds
    for grant in grants:
        confirmed = grant.transfers.filter(received_state=LegState.CONFIRMED)
        lacking = {p.code for t in confirmed for p in reporting_missing(t)}
        assert "note_missing" not in lacking, grant
        if grant.wants_partner:
            assert lacking <= {"partner_confirmation_missing"}, grant
