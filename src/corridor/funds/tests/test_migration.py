"""Migration 0006: transfers recorded with the old status get legs, confirmed only for the
side the recorder edits for, and "disputed" becomes an open dispute (decision 0236).

0006 is squashed away (decision 0362): it runs here from the migrations kept as test data, which
the test database counts as applied (applying a squash records every migration it replaces)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from corridor.core.tests.before_squash.run import old_chain
from corridor.funds.models import LegState

BEFORE = [("funds", "0005_ledger")]
AFTER = [("funds", "0007_remove_transfer_status")]


def _migrate(target):
    """Move funds to ``target``; the models as they are then, other apps at their latest."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "funds"]
    return executor.loader.project_state(others + target).apps


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


#: The squash the old chain ends in; funds migrations after it are unknown to the old chain.
SQUASH = ("funds", "0001_squashed_0011_ledger_removable")


@pytest.fixture
def back_to_latest():
    """Leave the schema as every other test expects it: migrated to the latest, not to AFTER.

    Today's funds migrations after the squash are undone first, while their graph is known
    (the old chain would rebuild the table without their columns and still count them
    applied), and applied again at the end on today's chain."""
    MigrationExecutor(connection).migrate([SQUASH])
    with override_settings(MIGRATION_MODULES=old_chain()):
        yield
        _migrate_to_latest()
    _migrate_to_latest()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_old_statuses_become_legs():
    apps = _migrate(BEFORE)
    Organisation = apps.get_model("orgs", "Organisation")
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    Old = apps.get_model("funds", "Transfer")
    sender = Organisation.objects.create(name="Old Sender", kind="donor", base_country="NO")
    receiver = Organisation.objects.create(name="Old Receiver", kind="local_cso", base_country="MM")
    of_sender = User.objects.create(username="old-sender")
    of_receiver = User.objects.create(username="old-receiver")
    Membership.objects.create(user=of_sender, organisation=sender, role="editor")
    Membership.objects.create(user=of_receiver, organisation=receiver, role="editor")

    def old(status, by, fee=None):
        return Old.objects.create(
            from_organisation=sender, to_organisation=receiver, amount=Decimal("100.00"),
            currency="USD", sent_on=dt.date(2024, 2, 1), channel="informal", fee=fee,
            status=status, created_by=by,
        ).pk  # fmt: skip

    sent = old("sent", of_sender)
    received = old("received", of_sender, fee=Decimal("4.00"))
    claimed = old("received", of_receiver)
    disputed = old("disputed", of_receiver)
    # The models as they were right after: later migrations add columns these rows lack.
    after = _migrate(AFTER)
    Transfer = after.get_model("funds", "Transfer")
    Dispute = after.get_model("funds", "Dispute")

    def legs(pk):
        t = Transfer.objects.get(pk=pk)
        return t.sent_state, t.received_state, t.received_amount

    assert legs(sent) == (LegState.CONFIRMED, "", None)
    assert legs(received) == (LegState.CONFIRMED, LegState.CLAIMED, Decimal("96.00"))
    assert legs(claimed) == (LegState.CLAIMED, LegState.CONFIRMED, Decimal("100.00"))
    assert legs(disputed) == (LegState.CLAIMED, LegState.CONFIRMED, Decimal("100.00"))
    dispute = Dispute.objects.get(transfer_id=disputed)
    assert dispute.opened_by_id == receiver.pk
    assert dispute.resolved_on is None
    assert "before transfers had two legs" in dispute.note
