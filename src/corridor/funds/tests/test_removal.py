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
from corridor.funds.models import Transfer
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
