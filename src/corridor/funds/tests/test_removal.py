"""A transfer removed softly with a reason (decision 0180, issue 12) leaves custody,
reconciliation, the scoped reads and the organisation's outputs; restoring brings it back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from corridor.accounts.models import OrgRole
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.funds import services
from corridor.funds.custody import custody
from corridor.funds.models import ExchangeRate, Spending, Transfer
from corridor.funds.queries import (
    transfer_removed_for,
    transfers_counting_for,
    transfers_visible_to,
)
from corridor.funds.reconcile import grant_reconcile
from corridor.testing.factories import (
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
    UserFactory,
)

DAY = dt.date(2024, 6, 1)


def test_a_removed_transfer_counts_nowhere_until_restored(db):
    donor, partner = OrganisationFactory(), OrganisationFactory()
    grant = GrantFactory(donor=donor, recipient=partner, amount=Decimal(1000), currency="USD")
    twice = TransferFactory(
        from_organisation=donor, to_organisation=partner, grant=grant, amount=Decimal(400)
    )
    editor, viewer = UserFactory(), UserFactory()
    MembershipFactory(user=editor, organisation=partner, role=OrgRole.EDITOR)
    MembershipFactory(user=viewer, organisation=partner, role=OrgRole.VIEWER)
    before = custody(grant, valued_on=DAY).as_dict()["breakdown"]
    assert before["not_yet_sent"] == "600.00"
    assert twice in transfers_counting_for(partner)

    with pytest.raises(NotAllowed):
        services.transfer_remove(by=viewer, transfer=twice, reason="typed twice")
    with pytest.raises(InvalidInput):
        services.transfer_remove(by=editor, transfer=twice, reason="  ")
    services.transfer_remove(by=editor, transfer=twice, reason="typed twice")

    assert custody(grant, valued_on=DAY).as_dict()["breakdown"]["not_yet_sent"] == "1000.00"
    assert not [m for m in grant_reconcile(grant, today=DAY).mismatches if m.transfer]
    assert twice not in transfers_counting_for(partner)
    assert not transfers_visible_to(editor).exists()
    assert transfer_removed_for(viewer, twice.pk) is None
    assert transfer_removed_for(editor, twice.pk) == twice
    entry = AuditEntry.objects.get(object_id=str(twice.pk), action="remove")
    assert entry.changes == {"reason": "typed twice"}

    services.transfer_restore(by=editor, transfer=Transfer.all_objects.get(pk=twice.pk))
    assert custody(grant, valued_on=DAY).as_dict()["breakdown"]["not_yet_sent"] == "600.00"


def test_a_removed_spending_counts_nowhere_until_restored(db):
    from corridor.exchange.ledger_reports import donor_report
    from corridor.testing.factories import ActivityFactory

    donor, partner = OrganisationFactory(), OrganisationFactory()
    grant = GrantFactory(donor=donor, recipient=partner, amount=Decimal(1000), currency="USD")
    TransferFactory(from_organisation=donor, to_organisation=partner, grant=grant,
                    amount=Decimal(1000), currency="USD")  # fmt: skip
    editor, donor_editor = UserFactory(), UserFactory()
    MembershipFactory(user=editor, organisation=partner, role=OrgRole.EDITOR)
    MembershipFactory(user=donor_editor, organisation=donor, role=OrgRole.EDITOR)
    activity = ActivityFactory(organisation=partner)
    kept = services.spending_record(by=editor, grant=grant, activity=activity,
                                    amount=Decimal(300), currency="USD", spent_on=DAY)  # fmt: skip
    twice = services.spending_record(by=editor, grant=grant, activity=activity,
                                     amount=Decimal(300), currency="USD", spent_on=DAY)  # fmt: skip
    parts = custody(grant, valued_on=DAY).as_dict()["breakdown"]
    assert parts["spent_on_activities"] == "600.00"
    assert parts[f"held_by:{partner.name}"] == "400.00"

    with pytest.raises(NotAllowed):  # the donor sees it, but it is the spender's word
        services.spending_remove(by=donor_editor, spending=twice, reason="typed twice")
    with pytest.raises(InvalidInput):
        services.spending_remove(by=editor, spending=twice, reason=" ")
    services.spending_remove(by=editor, spending=twice, reason="typed twice")

    parts = custody(grant, valued_on=DAY).as_dict()["breakdown"]
    assert parts["spent_on_activities"] == "300.00"
    assert parts[f"held_by:{partner.name}"] == "700.00"
    flows = grant_reconcile(grant, today=DAY).organisations
    assert [(f["organisation"], f["spent"]) for f in flows] == [(partner.name, "300.00")]
    report = donor_report(grant, valued_on=DAY)
    assert [s.amount for s in report.spending] == [kept.amount]
    assert AuditEntry.objects.get(object_id=str(twice.pk), action="remove").changes == {
        "reason": "typed twice"
    }

    services.spending_restore(by=editor, spending=Spending.all_objects.get(pk=twice.pk))
    parts = custody(grant, valued_on=DAY).as_dict()["breakdown"]
    assert parts["spent_on_activities"] == "600.00"


def test_no_report_converts_with_a_removed_rate(db):
    from corridor.accounts.models import GlobalRole
    from corridor.funds.rates import RateBook

    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    editor = UserFactory()
    MembershipFactory(user=editor, organisation=OrganisationFactory(), role=OrgRole.EDITOR)
    older = services.rate_record(by=coordinator, on=DAY, from_currency="USD",
                                 to_currency="MMK", rate=Decimal(3600), kind="market",
                                 source="survey")  # fmt: skip
    wrong = services.rate_record(by=coordinator, on=DAY + dt.timedelta(days=1),
                                 from_currency="USD", to_currency="MMK", rate=Decimal(36000),
                                 kind="market", source="survey")  # fmt: skip
    later = DAY + dt.timedelta(days=2)
    assert RateBook("market").value(Decimal(10), "USD", "MMK", later) == Decimal(360000)

    with pytest.raises(NotAllowed):
        services.rate_remove(by=editor, row=wrong, reason="a zero too many")
    services.rate_remove(by=coordinator, row=wrong, reason="a zero too many")
    assert RateBook("market").value(Decimal(10), "USD", "MMK", later) == Decimal(36000)
    assert RateBook("market").rates_used() == []
    assert AuditEntry.objects.get(object_id=str(wrong.pk), action="remove").changes == {
        "reason": "a zero too many"
    }

    # Recorded again rightly: the removed row cannot come back beside it.
    services.rate_record(by=coordinator, on=wrong.on, from_currency="USD", to_currency="MMK",
                         rate=Decimal(3610), kind="market", source="survey")  # fmt: skip
    with pytest.raises(InvalidInput, match="recorded again since"):
        services.rate_restore(by=coordinator, row=ExchangeRate.all_objects.get(pk=wrong.pk))
    services.rate_remove(by=coordinator, row=older, reason="checking restore")
    services.rate_restore(by=coordinator, row=ExchangeRate.all_objects.get(pk=older.pk))
    assert RateBook("market").value(Decimal(10), "USD", "MMK", DAY) == Decimal(36000)
