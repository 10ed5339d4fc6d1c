"""Named histories the property test may or may not hit: a stale bundle after a newer one,
concurrent edits on two field instances, a removal meeting an edit, acknowledgements."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.funds.models import Grant, Transfer
from corridor.sync.models import Conflict, Peer, Version
from corridor.sync.services.bundles import bundle_export, bundle_import
from corridor.sync.tests.world import World
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HUB, A, B = "hub", "field-a", "field-b"
LINKS = [(HUB, A), (HUB, B), (A, HUB), (B, HUB)]


@pytest.fixture
def world():
    return World([HUB, A, B], OrganisationFactory(), LINKS)


def export(world: World, sender: str, recipient: str) -> bytes:
    world.use(sender)
    return bundle_export(by=None, to=recipient).pieces[0]


def apply(world: World, recipient: str, data: bytes) -> str:
    world.use(recipient)
    (outcome,) = bundle_import(by=None, files=[("b", data)])
    return outcome.line


def women(world: World, name: str) -> int:
    world.use(name)
    return Activity._base_manager.get().women


def test_a_stale_bundle_after_a_newer_one_changes_nothing(world):
    world.create(A, "activity", 5)
    first = export(world, A, HUB)
    world.edit(A, 0, 7)
    second = export(world, A, HUB)
    assert "applied 1" in apply(world, HUB, second)
    assert "applied 0" in apply(world, HUB, first)  # older version: kept out, no conflict
    assert women(world, HUB) == 7
    assert Conflict.objects.count() == 0


def test_concurrent_edits_keep_the_higher_version_and_log_the_other_everywhere(world):
    world.create(A, "activity", 5)
    apply(world, HUB, export(world, A, HUB))
    apply(world, B, export(world, HUB, B))
    world.edit(A, 0, 11)
    world.edit(B, 0, 22)  # later clock: wins
    apply(world, HUB, export(world, A, HUB))
    line = apply(world, HUB, export(world, B, HUB))
    assert "1 conflicts to review" in line
    assert women(world, HUB) == 22
    assert Activity._base_manager.get().village == "v22"  # encrypted, written as an update
    conflict = Conflict.objects.get()
    assert json.loads(conflict.lost)["women"] == 11
    # The hub's version tells field A that A's edit lost: A takes the winner without a
    # second conflict (the hub holds it for review).
    apply(world, A, export(world, HUB, A))
    assert women(world, A) == 22
    world.use(A)
    assert Conflict.objects.count() == 0
    world.use(B)
    world.use(HUB)
    assert Conflict.objects.filter(reviewed_at__isnull=True).count() == 1


def test_a_removal_travels_as_a_tombstone(world):
    world.create(A, "activity", 5)
    apply(world, HUB, export(world, A, HUB))
    world.remove(A, 0)
    apply(world, HUB, export(world, A, HUB))
    world.use(HUB)
    row = Activity._base_manager.get()
    assert row.removed_at is not None
    assert row.removal_reason == "by field-a"
    assert not Activity.objects.exists()  # hidden from every ordinary read


def test_acknowledged_changes_are_not_sent_again_and_unacknowledged_are(world):
    world.create(A, "activity", 5)
    lost_in_the_post = export(world, A, HUB)
    resent = export(world, A, HUB)  # not acknowledged: carries the record again
    assert "applied 1" in apply(world, HUB, resent)
    assert "applied 0" in apply(world, A, export(world, HUB, A))  # carries the ack
    world.use(A)
    peer = Peer.objects.get(name=HUB)
    assert (peer.acked_seq, peer.sent_seq) == (2, 2)
    assert bundle_export(by=None, to=HUB).rows == 0
    assert "applied 0" in apply(world, HUB, lost_in_the_post)  # late and harmless


def test_a_field_peer_receives_only_its_organisations_records(world):
    world.create(A, "activity", 5)
    apply(world, HUB, export(world, A, HUB))
    world.use(HUB)
    Activity._base_manager.update(organisation=OrganisationFactory())
    result = bundle_export(by=None, to=B)
    assert result.rows == 0
    world.use(HUB)
    assert Version.objects.count() == 1


def test_a_field_peer_receives_its_sides_transfers_with_their_grants_and_no_others(world):
    world.create(A, "transfer", 3)  # partner -> the field's organisation, with a grant
    line = apply(world, HUB, export(world, A, HUB))
    assert "applied 2" in line
    world.use(HUB)
    entry = AuditEntry.objects.filter(action="import").latest("seq")
    assert entry.changes["from"] == A
    assert entry.changes["rows"] == {"funds.grant": 1, "funds.transfer": 1}
    transfer = Transfer._base_manager.get()
    assert (transfer.reference, transfer.intermediary) == ("hundi 3", "agent 3")
    # Between two other organisations, settled or not: stays at the hub.
    other, third = OrganisationFactory(), OrganisationFactory()
    Transfer._base_manager.create(
        from_organisation=other,
        to_organisation=third,
        amount=50,
        currency="USD",
        sent_on=dt.date(2026, 11, 5),
        channel="cash_carried",
        sent_state="confirmed",
        intermediary="someone else's agent",
    )
    result = bundle_export(by=None, to=B)
    assert carried(world, B, result) == {"funds.grant": 1, "funds.transfer": 1}
    world.use(B)
    assert Transfer._base_manager.count() == 1
    assert [t.intermediary for t in Transfer._base_manager.all()] == ["agent 3"]
    assert Grant._base_manager.count() == 1


def carried(world: World, recipient: str, result) -> dict[str, int]:
    """Apply the bundle at ``recipient``; the records per kind it brought (its audit entry)."""
    world.use(recipient)
    (outcome,) = bundle_import(by=None, files=[("b", result.pieces[0])])
    assert outcome.applied is not None, outcome.line
    entry = AuditEntry.objects.filter(action="import").latest("seq")
    return entry.changes["rows"]


def test_a_transfer_brings_the_grant_acknowledged_before_it_was_the_peers(world):
    world.use(HUB)
    donor, other = world.partner, OrganisationFactory()
    grant = Grant._base_manager.create(
        donor=donor,
        recipient=other,
        title="pooled fund",
        amount=9000,
        currency="USD",
        pledged_on=dt.date(2026, 9, 1),
        starts_on=dt.date(2026, 9, 1),
    )
    assert bundle_export(by=None, to=A).rows == 0  # not the field's grant (yet)
    apply(world, HUB, export(world, A, HUB))  # acknowledges the hub's bundle
    world.use(HUB)
    Transfer._base_manager.create(
        from_organisation=other,
        to_organisation=world.organisation,
        amount=400,
        currency="USD",
        sent_on=dt.date(2026, 11, 9),
        channel="informal",
        grant=grant,
    )
    line = apply(world, A, export(world, HUB, A))
    assert "applied 2" in line, line
    assert Grant._base_manager.get().title == "pooled fund"


def test_a_transfer_removal_travels_as_a_tombstone(world):
    world.create(A, "transfer", 4)
    apply(world, HUB, export(world, A, HUB))
    world.remove(A, 0)
    apply(world, HUB, export(world, A, HUB))
    world.use(HUB)
    row = Transfer._base_manager.get()
    assert row.removed_at is not None
    assert row.removal_reason == "by field-a"
    assert not Transfer.objects.exists()
