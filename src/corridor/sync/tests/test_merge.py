"""Any order, duplication and interleaving of valid bundles between a hub and two field
instances converges to one state, and every concurrent edit that lost is kept as a conflict.

The three instances share one test database (``world.py`` swaps each one's tables in), so
hypothesis can try many histories; the CLI tests run real separate instance folders.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.sync import hlc
from corridor.sync.models import Conflict, Version
from corridor.sync.services.bundles import bundle_export, bundle_import
from corridor.sync.tests.world import World
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HUB, FIELD_A, FIELD_B = "hub", "field-a", "field-b"
NAMES = [HUB, FIELD_A, FIELD_B]
LINKS = [(HUB, FIELD_A), (HUB, FIELD_B), (FIELD_A, HUB), (FIELD_B, HUB)]

instance = st.sampled_from(NAMES)
create = st.tuples(
    st.just("create"),
    instance,
    st.sampled_from(["activity", "incident", "transfer", "dispute", "spending"]),
)
edit = st.tuples(st.just("edit"), instance, st.integers(0, 3), st.integers(0, 999))
remove = st.tuples(st.just("remove"), instance, st.integers(0, 3))
export = st.tuples(st.just("export"), st.sampled_from(LINKS))
deliver = st.tuples(st.just("deliver"), st.integers(0, 60))
# Edits, exports and deliveries weigh more than new records: conflicts and stale bundles need
# several versions of one record in flight at once.
step = st.one_of(create, edit, edit, remove, export, export, deliver, deliver)


class Oracle:
    """What each instance has seen of each record, so that a version's causal past (what its
    author had seen when making it) is known without asking the code under test."""

    def __init__(self, world: World):
        self.world = world
        self.seen: dict[str, dict[tuple, set[str]]] = {n: defaultdict(set) for n in NAMES}
        self.past: dict[str, set[str]] = {}

    def observe(self, name: str) -> None:
        self.world.use(name)
        for version in Version.objects.all():
            key = (version.kind, version.record_id)
            had = self.seen[name][key]
            if version.hlc in had:
                continue
            if version.hlc not in self.past:  # a new version, made here
                assert hlc.parse(version.hlc).node == self.world.nodes[name]
                past: set[str] = set()
                for older in had:
                    past |= {older} | self.past[older]
                self.past[version.hlc] = past
            had.add(version.hlc)


def deliver(world: World, oracle: Oracle, bundle: tuple[str, str, bytes], applied: set) -> None:
    recipient, label, data = bundle
    world.use(recipient)
    (outcome,) = bundle_import(by=None, files=[(label, data)])
    if label in applied:
        assert outcome.applied is None, outcome.line
        assert outcome.reason.startswith("replayed"), outcome.line
    else:
        assert outcome.applied is not None, outcome.line
        applied.add(label)
    oracle.observe(recipient)


def sync_round(world: World, oracle: Oracle, applied: set) -> int:
    moved = 0
    for sender, recipient in LINKS:
        world.use(sender)
        result = bundle_export(by=None, to=recipient)
        oracle.observe(sender)
        deliver(
            world,
            oracle,
            (recipient, f"{sender}>{recipient}#{result.seq}", result.pieces[0]),
            applied,
        )
        moved += result.rows
    return moved


@settings(
    max_examples=15,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(steps=st.lists(step, min_size=8, max_size=30), data=st.data())
def test_any_order_of_bundles_converges_and_logs_every_conflict(steps, data):
    world = World(NAMES, OrganisationFactory(), LINKS)
    oracle = Oracle(world)
    in_flight: list[tuple[str, str, bytes]] = []
    applied: set[str] = set()
    counter = 0
    for one in steps:
        name = one[0]
        if name == "create":
            counter += 1
            world.create(one[1], one[2], counter)
            oracle.observe(one[1])
        elif name == "edit":
            world.edit(one[1], one[2], one[3])
            oracle.observe(one[1])
        elif name == "remove":
            world.remove(one[1], one[2])
            oracle.observe(one[1])
        elif name == "export":
            sender, recipient = one[1]
            world.use(sender)
            result = bundle_export(by=None, to=recipient)
            oracle.observe(sender)
            in_flight.append((recipient, f"{sender}>{recipient}#{result.seq}", result.pieces[0]))
        elif name == "deliver" and in_flight:
            # Delivered and kept in flight: it may come again (a duplicate).
            deliver(world, oracle, in_flight[one[1] % len(in_flight)], applied)
    # Everything still in flight arrives, in any order and once more; then the instances
    # exchange bundles until nothing moves.
    for bundle in data.draw(st.permutations(in_flight + in_flight)):
        deliver(world, oracle, bundle, applied)
    for _ in range(3):
        sync_round(world, oracle, applied)
    assert sync_round(world, oracle, applied) == 0

    states = {name: world.canonical(name) for name in NAMES}
    assert states[HUB] == states[FIELD_A] == states[FIELD_B]

    conflicts = []
    for name in NAMES:
        world.use(name)
        conflicts += list(Conflict.objects.values_list("kind", "record_id", "kept_hlc", "lost_hlc"))
        assert Version.objects.count() == sum(1 for _ in world.live()) + _sources() + _grants()
    # Every version the winner's author never saw is kept for review: logged itself, or an
    # earlier edit of a logged one (the head of the losing line holds it).
    covered: dict[tuple, set[str]] = defaultdict(set)
    for kind, record, _, lost_hlc in conflicts:
        covered[(kind, record)] |= {lost_hlc} | oracle.past[lost_hlc]
    world.use(HUB)
    for version in Version.objects.all():
        key = (version.kind, version.record_id)
        every = set().union(*(oracle.seen[n][key] for n in NAMES))
        for other in every - {version.hlc} - oracle.past[version.hlc]:
            assert other in covered[key], f"{key}: concurrent version {other} lost unlogged"
    for _kind, _record, kept, lost_hlc in conflicts:
        # Logged only for versions made without seeing each other.
        assert lost_hlc not in oracle.past[kept]
        assert kept not in oracle.past[lost_hlc]


def _grants() -> int:
    from corridor.funds.models import Grant

    return Grant.objects.count()


def _sources() -> int:
    from corridor.situation.models import Source

    return Source.objects.count()
