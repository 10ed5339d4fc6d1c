"""Disputes, spending, evidence and rates are removed softly with a reason (decision 0345):
they leave the reads and the reconciliation, keep their row for history and sync, and a
removed rate frees its day for the same rate again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from corridor.accounts.models import OrgRole
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.funds import services
from corridor.funds.models import Dispute, Evidence, ExchangeRate, Spending
from corridor.funds.queries import disputes_visible_to, evidence_visible_to, spending_visible_to
from corridor.funds.reconcile import grant_reconcile
from corridor.testing.factories import (
    ActivityFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
    UserFactory,
)

DAY = dt.date(2024, 6, 1)


def test_spending_its_file_and_a_dispute_leave_every_read_when_removed(db):
    donor, partner = OrganisationFactory(), OrganisationFactory()
    grant = GrantFactory(donor=donor, recipient=partner, amount=Decimal(1000), currency="USD")
    editor, viewer = UserFactory(), UserFactory()
    MembershipFactory(user=editor, organisation=partner, role=OrgRole.EDITOR)
    MembershipFactory(user=viewer, organisation=partner, role=OrgRole.VIEWER)
    spending = services.spending_record(
        by=editor,
        grant=grant,
        activity=ActivityFactory(organisation=partner),
        amount=Decimal(300),
        currency="USD",
        spent_on=DAY,
    )
    file = Evidence.objects.create(spending=spending, filename="list.jpg", content=b"x", size=1)
    transfer = TransferFactory(from_organisation=donor, to_organisation=partner, grant=grant)
    dispute = services.dispute_open(by=editor, transfer=transfer, note="short by 20", on=DAY)

    def spent() -> list[str]:
        lines = grant_reconcile(grant, today=DAY).organisations
        return [line["spent"] for line in lines if line["organisation"] == partner.name]

    assert spent() == ["300.00"]
    assert spending_visible_to(viewer).count() == 1
    assert evidence_visible_to(viewer).count() == 1

    with pytest.raises(NotAllowed):
        services.spending_remove(by=viewer, spending=spending, reason="typed twice")
    with pytest.raises(InvalidInput, match="reason"):
        services.spending_remove(by=editor, spending=spending, reason=" ")
    services.spending_remove(by=editor, spending=spending, reason="typed twice")
    services.dispute_remove(by=editor, dispute=dispute, reason="opened by mistake")

    assert not spending_visible_to(viewer).exists()
    assert not evidence_visible_to(viewer).exists()  # a removed spending's file leaves with it
    assert not disputes_visible_to(viewer).exists()
    assert spent() in ([], ["0.00"])
    assert Spending._base_manager.get().removal_reason == "typed twice"
    assert Dispute._base_manager.get().removal_reason == "opened by mistake"
    services.evidence_remove(by=editor, evidence=file, reason="wrong photo")
    assert not Evidence.objects.exists()
    assert Evidence._base_manager.get().content == b"x"  # kept: it can be restored
    reasons = AuditEntry.objects.filter(action="remove").values_list("changes", flat=True)
    assert sorted(r["reason"] for r in reasons) == [
        "opened by mistake",
        "typed twice",
        "wrong photo",
    ]


def test_a_removed_rate_can_be_recorded_again(db):
    coordinator = UserFactory(is_superuser=True)
    day = {"on": DAY, "from_currency": "USD", "to_currency": "MMK", "kind": "market"}
    rate = services.rate_record(by=coordinator, rate=Decimal(4100), source="Kalay", **day)
    with pytest.raises(InvalidInput):
        services.rate_record(by=coordinator, rate=Decimal(4200), source="Kalay", **day)
    services.rate_remove(by=coordinator, row=rate, reason="wrong market")
    again = services.rate_record(by=coordinator, rate=Decimal(4200), source="Kalay", **day)
    assert list(ExchangeRate.objects.all()) == [again]
    assert ExchangeRate._base_manager.count() == 2
