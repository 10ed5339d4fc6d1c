"""Time-ordered ids (core/ids.py, decision 0220)."""

from __future__ import annotations

import threading
import time
import uuid

from corridor.core.ids import uuid7, uuid7_time_ms


def test_a_uuid7_is_a_valid_version_7_rfc_uuid_that_round_trips_as_text():
    value = uuid7()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert uuid.UUID(str(value)) == value
    assert uuid.UUID(value.hex) == value


def test_it_carries_the_time_it_was_made_in_milliseconds():
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= uuid7_time_ms(value) <= after + 1


def test_ids_made_one_after_another_sort_in_the_order_they_were_made():
    made = [uuid7() for _ in range(20_000)]  # many in the same millisecond
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    assert [v.hex for v in made] == sorted(v.hex for v in made)  # as SQLite stores them
    assert [str(v) for v in made] == sorted(str(v) for v in made)


def test_a_full_counter_moves_the_time_on_instead_of_going_back():
    now = time.time_ns() // 1_000_000 + 10_000  # a fixed millisecond ahead of the clock
    made = [uuid7(now) for _ in range(5_000)]  # more than the 12-bit counter holds
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert uuid7_time_ms(made[0]) == now
    assert uuid7_time_ms(made[-1]) == now + 1
    # The clock is behind the ids made above: later ids still sort after them.
    assert uuid7() > made[-1]


def test_ids_made_on_several_threads_are_all_different():
    made: list[uuid.UUID] = []

    def make() -> None:
        made.extend(uuid7() for _ in range(2_000))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 8_000


def test_new_activities_get_time_ordered_ids(db):
    from corridor.aid.models import Activity

    field = Activity._meta.pk
    first, second = field.get_default(), field.get_default()
    assert first.version == second.version == 7
    assert first < second
