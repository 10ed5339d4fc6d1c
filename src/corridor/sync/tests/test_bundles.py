"""A bundle that is altered, cut, extended, reordered, unsigned by a registered and
unrevoked sender, addressed elsewhere or replayed is refused with one line, and the database
is unchanged (every table but the audit trail hashed before and after)."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.audit.models import AuditEntry
from corridor.sync import envelope
from corridor.sync.models import Identity
from corridor.sync.services.bundles import bundle_export, bundle_import
from corridor.sync.services.peers import peer_revoke
from corridor.sync.tests.world import World, checksum
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HUB, A, B, STRANGER = "hub", "field-a", "field-b", "stranger"
many = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def setup():
    world = World(
        [HUB, A, B, STRANGER],
        OrganisationFactory(),
        [(HUB, A), (A, HUB), (B, HUB), (STRANGER, HUB)],
    )
    world.create(A, "activity", 5)
    world.create(A, "incident", 6)
    world.create(A, "transfer", 7)
    world.use(A)
    bundle = bundle_export(by=None, to=HUB).pieces[0]
    world.use(HUB)
    yield world, bundle
    # The bundle every test altered is itself good: it applies once all else is refused.
    world.use(HUB)
    (outcome,) = bundle_import(by=None, files=[("good", bundle)])
    if outcome.reason.startswith(("replayed", "sender 'field-a' is revoked")):
        return
    assert outcome.applied is not None, outcome.line


# What the setup's records hold: none of it may reach the audit entry of a refusal.
CONTENT = ("village 5", "witness 6", "hundi 7", "agent 7")


def refused(files: list[tuple[str, bytes]], reason: str = "") -> str:
    before = checksum()
    last = AuditEntry.objects.order_by("-seq").first()
    outcomes = bundle_import(by=None, files=files)
    assert len(outcomes) == 1
    (outcome,) = outcomes
    assert outcome.applied is None, outcome.line
    assert reason in outcome.reason
    assert "\n" not in outcome.line
    assert "refused: " in outcome.line
    assert checksum() == before
    # The refusal is in the audit trail: who (the operator: system), what, why.
    (entry,) = AuditEntry.objects.filter(seq__gt=last.seq if last else 0)
    assert (entry.action, entry.object_type) == ("denied", "sync.bundle")
    assert entry.actor_label == "system"
    assert entry.changes["refused"] == outcome.reason
    assert entry.changes["file"] == outcome.name
    written = json.dumps(entry.changes)
    assert not any(text in written for text in CONTENT), written
    return outcome.reason


@many
@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_every_byte_flip_is_refused(setup, position, flip):
    _, bundle = setup
    damaged = bytearray(bundle)
    damaged[position % len(bundle)] ^= flip
    refused([("flipped", bytes(damaged))])


@many
@given(length=st.integers(min_value=0))
def test_every_truncation_is_refused(setup, length):
    _, bundle = setup
    refused([("cut", bundle[: length % len(bundle)])])


def test_extra_bytes_and_reordered_blocks_are_refused(setup):
    _, bundle = setup
    refused([("padded", bundle + b"\x00")], "length")
    middle = len(bundle) // 2
    swapped = bundle[:middle] + bundle[middle + 16 : middle + 32] + bundle[middle : middle + 16]
    swapped += bundle[middle + 32 :]
    assert swapped != bundle
    assert len(swapped) == len(bundle)
    refused([("reordered", swapped)], "bad signature")


def test_an_unknown_sender_is_refused(setup):
    world, _ = setup
    world.use(STRANGER)
    theirs = bundle_export(by=None, to=HUB).pieces[0]
    world.use(HUB)
    assert "unknown sender 'stranger'" in refused([("stranger", theirs)])


def test_a_bundle_signed_by_another_key_than_the_senders_is_refused(setup):
    world, _bundle = setup
    world.use(STRANGER)
    stranger = Identity.objects.get()
    world.use(HUB)
    hub = Identity.objects.get()
    forged = envelope.seal(
        json.dumps({"rows": [], "organisations": []}).encode(),
        header={"sender": str(world.public[A].id), "recipient": str(hub.pk), "seq": 9, "ack": 0},
        signing_key=stranger.signing_key,
        recipient_box=envelope.unb64(hub.box_public, "key"),
    )
    refused([("forged", forged)], "bad signature")


def test_a_bundle_for_another_instance_is_refused(setup):
    world, _ = setup
    world.use(HUB)
    for_a = bundle_export(by=None, to=A).pieces[0]
    world.use(B)
    refused([("for field-a", for_a)], "addressed to another instance")
    world.use(HUB)


def test_a_revoked_sender_is_refused(setup):
    _, bundle = setup
    peer_revoke(by=None, name=A)
    refused([("revoked", bundle)], "sender 'field-a' is revoked")


def test_a_replayed_bundle_is_refused(setup):
    _, bundle = setup
    (outcome,) = bundle_import(by=None, files=[("first", bundle)])
    assert outcome.applied == 5
    refused([("again", bundle)], "replayed: bundle 1 from field-a")


def test_chunks_reassemble_in_any_order_and_a_missing_or_altered_one_is_refused(setup):
    world, _ = setup
    world.use(A)
    pieces = bundle_export(by=None, to=HUB, chunk_size=300).pieces
    assert len(pieces) > 3
    world.use(HUB)
    named = [(f"b.{i:03d}", piece) for i, piece in enumerate(pieces, start=1)]
    refused(named[:1] + named[2:], "chunks missing: 2 of")
    altered = bytearray(pieces[-1])
    altered[-1] ^= 1
    refused([*named[:-1], ("b.last", bytes(altered))], "do not make up their bundle")
    shuffled = named[:]
    random.Random(4).shuffle(shuffled)
    (outcome,) = bundle_import(by=None, files=shuffled)
    assert outcome.applied == 5, outcome.line


def signed_by_a(world: World, rows: list[dict], seq: int = 9) -> bytes:
    """A bundle from field-a with a payload the test chose, sealed with field-a's real keys:
    what a registered sender with a broken (or hostile) Corridor could write."""
    world.use(A)
    sender = Identity.objects.get()
    world.use(HUB)
    hub = Identity.objects.get()
    return envelope.seal(
        json.dumps({"rows": rows, "organisations": []}).encode(),
        header={"sender": str(sender.pk), "recipient": str(hub.pk), "seq": seq, "ack": 0},
        signing_key=sender.signing_key,
        recipient_box=envelope.unb64(hub.box_public, "key"),
    )


def bundle_rows(world: World, bundle: bytes) -> list[dict]:
    world.use(HUB)
    hub = Identity.objects.get()
    sealed = envelope.parse(bundle)
    return json.loads(envelope.open_payload(sealed, hub.box_key))["rows"]


def test_a_signed_transfer_with_a_bad_amount_or_an_unknown_grant_is_refused(setup):
    world, bundle = setup
    rows = bundle_rows(world, bundle)
    transfer = next(r for r in rows if r["kind"] == "funds.transfer")
    bad = json.loads(json.dumps(transfer))
    bad["data"]["amount"] = "a lot"
    reason = refused([("amount", signed_by_a(world, [bad]))], "amount")
    assert "a lot" not in reason.split(":", 1)[0]
    orphan = json.loads(json.dumps(transfer))
    refused([("orphan", signed_by_a(world, [orphan], seq=10))], "names a grant it does not carry")
    negative = json.loads(json.dumps(transfer))
    negative["data"]["amount"] = "-5"
    grant = next(r for r in rows if r["kind"] == "funds.grant")
    refused([("negative", signed_by_a(world, [grant, negative], seq=11))], "breaks a rule")
