"""The rest of the money ledger in bundles: disputes, spending, exchange rates and evidence
files — round trips, who never receives them (read from the bundle itself), re-imports,
conflicts and removals (docs/sync.md, decision 0345)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from corridor.aid.models import Activity
from corridor.funds.models import Dispute, Evidence, ExchangeRate, Grant, Spending, Transfer
from corridor.funds.services import dispute_remove, evidence_remove, rate_record, spending_remove
from corridor.sync import envelope
from corridor.sync.models import Conflict, Identity
from corridor.sync.queries import conflicts_open
from corridor.sync.services.bundles import bundle_export, bundle_import
from corridor.sync.tests.world import World
from corridor.testing.factories import ActivityFactory, OrganisationFactory, UserFactory, township

pytestmark = pytest.mark.django_db

HUB, A, B = "hub", "field-a", "field-b"
LINKS = [(HUB, A), (HUB, B), (A, HUB), (B, HUB)]
LEDGER = (Dispute, Spending, ExchangeRate, Evidence)


@pytest.fixture
def world():
    return World([HUB, A, B], OrganisationFactory(), LINKS)


def export(world: World, sender: str, recipient: str) -> bytes:
    world.use(sender)
    return bundle_export(by=None, to=recipient).pieces[0]


def apply(world: World, recipient: str, data: bytes) -> str:
    world.use(recipient)
    (outcome,) = bundle_import(by=None, files=[("b", data)])
    assert outcome.applied is not None, outcome.line
    return outcome.line


def opened(world: World, recipient: str, data: bytes) -> tuple[bytes, list[dict]]:
    """The bundle's payload as its recipient decrypts it (the text and the rows)."""
    world.use(recipient)
    identity = Identity.objects.get()
    payload = envelope.open_payload(envelope.parse(data), identity.box_key)
    return payload, json.loads(payload)["rows"]


def record_rate(world: World, name: str) -> None:
    world.use(name)
    rate_record(
        by=None,
        on=dt.date(2026, 11, 1),
        from_currency="USD",
        to_currency="MMK",
        rate=Decimal("4500"),
        kind="market",
        source="Kalay market",
    )


def ledger(world: World, name: str) -> dict[str, list]:
    """What an instance holds of the four kinds, by value (decrypted)."""
    world.use(name)
    return {
        "disputes": [
            (d.transfer_id, d.opened_by_id, d.note, d.resolution, d.removal_reason)
            for d in Dispute._base_manager.order_by("pk")
        ],
        "spending": [
            (s.grant_id, s.activity_id, s.amount, s.removal_reason)
            for s in Spending._base_manager.order_by("pk")
        ],
        "rates": [(r.on, r.rate, r.source) for r in ExchangeRate._base_manager.order_by("pk")],
        "evidence": [
            (e.spending_id, e.transfer_id, e.filename, bytes(e.content), e.size)
            for e in Evidence._base_manager.order_by("pk")
        ],
    }


def test_disputes_spending_rates_and_files_go_field_to_hub_to_field(world):
    world.create(A, "dispute", 1)
    world.create(A, "spending", 2)
    record_rate(world, A)
    world.edit(A, 2, 5)  # the dispute (activity, transfer, dispute, spending, evidence): resolved
    at_a = ledger(world, A)
    assert at_a["disputes"][0][3] == "settled 5"
    line = apply(world, HUB, export(world, A, HUB))
    # grants 2, transfer, dispute, activity, spending, evidence, rate
    assert "applied 8" in line, line
    assert ledger(world, HUB) == at_a
    assert "applied 8" in apply(world, B, export(world, HUB, B))
    assert ledger(world, B) == at_a
    world.use(B)
    assert Evidence.objects.get().content == b"signed list 2"
    assert Spending.objects.get().activity.village == "village 2"


def test_an_evidence_file_stays_encrypted_inside_the_decrypted_bundle(world):
    world.create(A, "spending", 3)
    data = export(world, A, HUB)
    payload, rows = opened(world, HUB, data)
    (row,) = [r for r in rows if r["kind"] == "funds.evidence"]
    assert b"signed list 3" not in payload
    assert envelope.b64(b"signed list 3").encode() not in payload
    assert b"list-3.jpg" not in payload
    # Sealed to the recipient and to this record: another instance cannot open it.
    world.use(B)
    other = Identity.objects.get()
    sealed = envelope.unb64(row["data"]["content"], "content")
    with pytest.raises(envelope.Refused, match="cannot decrypt a sealed field"):
        envelope.unbox(sealed, box_key=other.box_key, context=b"funds.evidence x content")
    apply(world, HUB, data)
    world.use(HUB)
    assert Evidence.objects.get().content == b"signed list 3"


def test_a_peer_that_is_not_a_party_never_receives_them(world):
    """Other organisations' disputes, spending and files stay at the hub: the bundle does not
    carry them, not even encrypted; an exchange rate goes everywhere."""
    world.use(HUB)
    donor, spender, other = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    grant = Grant._base_manager.create(
        donor=donor,
        recipient=spender,
        title="their grant",
        amount=5000,
        currency="USD",
        pledged_on=dt.date(2026, 9, 1),
        starts_on=dt.date(2026, 9, 1),
    )
    transfer = Transfer._base_manager.create(
        from_organisation=donor,
        to_organisation=spender,
        amount=700,
        currency="USD",
        sent_on=dt.date(2026, 11, 2),
        channel="informal",
        grant=grant,
    )
    Dispute._base_manager.create(
        transfer=transfer, opened_by=spender, opened_on=dt.date(2026, 11, 3), note="THEIR-NOTE"
    )
    activity = ActivityFactory(organisation=spender, admin_unit=township())
    spending = Spending._base_manager.create(
        grant=grant, activity=activity, amount=90, currency="USD", spent_on=dt.date(2026, 11, 4)
    )
    for target in ({"transfer": transfer}, {"spending": spending}):
        Evidence._base_manager.create(
            **target, filename="THEIR-FILE.jpg", content=b"THEIR-PHOTO", size=11
        )
    # The field's organisation sends on the other organisation's grant: it sees the grant
    # (its chain) and its own transfer, never the others' files of that grant.
    Transfer._base_manager.create(
        from_organisation=world.organisation,
        to_organisation=other,
        amount=100,
        currency="USD",
        sent_on=dt.date(2026, 11, 5),
        channel="cash_carried",
        grant=grant,
    )
    record_rate(world, HUB)
    data = export(world, HUB, B)
    payload, rows = opened(world, B, data)
    kinds = sorted(r["kind"] for r in rows)
    assert kinds == ["funds.exchangerate", "funds.grant", "funds.transfer"], kinds
    for text in (b"THEIR", str(spending.pk).encode(), str(activity.pk).encode()):
        assert text not in payload
    apply(world, B, data)
    world.use(B)
    assert [m._base_manager.count() for m in LEDGER] == [0, 0, 1, 0]
    hub_rows = {r["kind"] for r in opened(world, A, export(world, HUB, A))[1]}
    assert "funds.evidence" not in hub_rows
    # The hub receives every record of its field instances: their spending with its file.
    world.create(A, "spending", 4)
    assert {"funds.spending", "funds.evidence"} <= {
        r["kind"] for r in opened(world, HUB, export(world, A, HUB))[1]
    }


def test_a_file_goes_only_to_a_party_of_its_grant(world):
    """The policy's rule (``funds.access.evidence_parties``) decides: a peer registered for an
    organisation that is not a party of the file does not receive it."""
    from corridor.funds.access import evidence_parties
    from corridor.sync import records
    from corridor.sync.models import Peer

    world.create(HUB, "transfer", 6)
    world.use(HUB)
    transfer = Transfer._base_manager.get()
    file = Evidence._base_manager.create(transfer=transfer, filename="r.jpg", content=b"x", size=1)
    kind = records.BY_LABEL["funds.evidence"]
    peer = Peer.objects.get(name=A)
    assert world.organisation.pk in evidence_parties(file)
    assert records.peer_may_receive(peer, {world.organisation.pk}, kind, file)
    assert not records.peer_may_receive(peer, {OrganisationFactory().pk}, kind, file)


def test_re_importing_the_same_records_writes_nothing_new(world):
    world.create(A, "dispute", 1)
    world.create(A, "spending", 2)
    record_rate(world, A)
    first = export(world, A, HUB)
    again = export(world, A, HUB)  # not acknowledged yet: carries them all again
    apply(world, HUB, first)
    before = ledger(world, HUB)
    counts = [m._base_manager.count() for m in (*LEDGER, Grant, Transfer, Activity)]
    assert "applied 0" in apply(world, HUB, again)
    assert ledger(world, HUB) == before
    assert [m._base_manager.count() for m in (*LEDGER, Grant, Transfer, Activity)] == counts
    assert Conflict.objects.count() == 0


def test_concurrent_edits_of_a_dispute_and_a_spending_are_listed_for_review(world):
    world.create(A, "dispute", 1)
    world.create(A, "spending", 2)
    apply(world, HUB, export(world, A, HUB))
    apply(world, B, export(world, HUB, B))
    world.use(A)
    dispute = Dispute._base_manager.get()
    spending = Spending._base_manager.get()
    for name, amount, text in ((A, 11, "A says paid"), (B, 22, "B says short")):
        world.use(name)
        Spending._base_manager.filter(pk=spending.pk).update(amount=amount)
        Dispute._base_manager.filter(pk=dispute.pk).update(
            resolved_on=dt.date(2026, 11, 9), resolution=text
        )
    apply(world, HUB, export(world, A, HUB))
    line = apply(world, HUB, export(world, B, HUB))
    assert "2 conflicts to review" in line, line
    world.use(HUB)
    listed = {(c.kind, c.record_id) for c in conflicts_open()}
    assert listed == {("funds.dispute", dispute.pk), ("funds.spending", spending.pk)}
    lost = {c.kind: json.loads(c.lost) for c in conflicts_open()}
    assert lost["funds.dispute"]["resolution"] == "A says paid"
    assert Decimal(lost["funds.spending"]["amount"]) == 11
    assert Dispute._base_manager.get().resolution == "B says short"


def test_removals_travel_as_tombstones(world):
    world.create(A, "dispute", 1)
    world.create(A, "spending", 2)
    record_rate(world, A)
    apply(world, HUB, export(world, A, HUB))
    world.use(A)
    admin = UserFactory(is_superuser=True)  # users are an instance's own: not synced
    dispute_remove(by=admin, dispute=Dispute.objects.get(), reason="opened twice")
    evidence_remove(by=admin, evidence=Evidence.objects.get(), reason="wrong photo")
    spending_remove(by=admin, spending=Spending.objects.get(), reason="typed twice")
    line = apply(world, HUB, export(world, A, HUB))
    assert "applied 3" in line, line
    for name in (HUB, B):
        if name == B:
            apply(world, B, export(world, HUB, B))
        world.use(name)
        assert [m.objects.count() for m in LEDGER] == [0, 0, 1, 0]
        assert sorted(
            m._base_manager.get().removal_reason for m in (Dispute, Spending, Evidence)
        ) == ["opened twice", "typed twice", "wrong photo"]


def test_a_file_sealed_for_another_record_is_refused(world):
    """A registered sender that moves a sealed file onto another record (or damages it) gets
    its bundle refused, naming the row and field, before anything is written."""
    from corridor.sync.tests.test_bundles import signed_by_a

    world.use(A)
    world.create(A, "spending", 5)
    world.create(A, "spending", 6)
    _, rows = opened(world, HUB, export(world, A, HUB))
    files = [r for r in rows if r["kind"] == "funds.evidence"]
    files[0]["data"]["content"], files[1]["data"]["content"] = (
        files[1]["data"]["content"],
        files[0]["data"]["content"],
    )
    world.use(HUB)
    before = Evidence._base_manager.count()
    (outcome,) = bundle_import(by=None, files=[("moved", signed_by_a(world, rows))])
    assert outcome.applied is None
    assert "funds.evidence" in outcome.reason
    assert "content: cannot decrypt a sealed field" in outcome.reason, outcome.reason
    world.use(HUB)
    assert Evidence._base_manager.count() == before == 0
