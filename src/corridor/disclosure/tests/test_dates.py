"""ISO-week dates and the publication cutoff."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.disclosure import (
    DisclosureError,
    is_publishable,
    latest_public_month,
    month_is_publishable,
    public_date,
    public_month,
    public_week_start,
    publication_cutoff,
)


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (dt.date(2024, 3, 10), "2024-W10"),
        (dt.date(2024, 12, 30), "2025-W01"),  # ISO year differs from the calendar year
        (dt.date(2021, 1, 3), "2020-W53"),
        (dt.datetime(2024, 3, 10, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "2024-W11"),
    ],
)
def test_public_date_is_the_iso_week(day, week):
    assert public_date(day) == week


def test_naive_datetime_is_refused():
    with pytest.raises(DisclosureError, match="no time zone"):
        public_date(dt.datetime(2024, 3, 10, 12))


def test_week_start_and_month():
    assert public_week_start(dt.date(2024, 3, 10)) == dt.date(2024, 3, 4)
    assert public_week_start(dt.date(2024, 3, 4)) == dt.date(2024, 3, 4)
    assert public_month(dt.date(2024, 3, 10)) == "2024-03"


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        # Wednesday 2024-03-27 minus 14 days is Wednesday 2024-03-13: its week is not over.
        (dt.date(2024, 3, 27), dt.date(2024, 3, 10)),
        # Sunday 2024-03-31 minus 14 is Sunday 2024-03-17: that whole week is old enough.
        (dt.date(2024, 3, 31), dt.date(2024, 3, 17)),
        (dt.date(2024, 3, 30), dt.date(2024, 3, 10)),
    ],
)
def test_cutoff_ends_a_whole_iso_week(today, cutoff):
    assert publication_cutoff(today, 14) == cutoff


def test_cutoff_uses_the_setting(settings):
    settings.PUBLICATION_DELAY_DAYS = 0
    assert publication_cutoff(dt.date(2024, 3, 31)) == dt.date(2024, 3, 31)
    settings.PUBLICATION_DELAY_DAYS = 14
    assert publication_cutoff(dt.date(2024, 3, 31)) == dt.date(2024, 3, 17)


def test_negative_delay_is_refused():
    with pytest.raises(DisclosureError, match="negative"):
        publication_cutoff(dt.date(2024, 3, 31), -1)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 120))
def test_cutoff_properties(today, delay):
    cutoff = publication_cutoff(today, delay)
    assert cutoff.isoweekday() == 7, "a Sunday: a week is published whole or not at all"
    assert cutoff <= today - dt.timedelta(days=delay), "nothing newer than the delay"
    assert cutoff > today - dt.timedelta(days=delay + 7), "no more than a week extra held back"
    # A day stays publishable once it is: published figures never disappear.
    assert is_publishable(cutoff, today, delay)
    assert not is_publishable(cutoff + dt.timedelta(days=1), today, delay)
    assert is_publishable(cutoff, today + dt.timedelta(days=1), delay)


def test_month_is_published_only_when_over_before_the_cutoff():
    today = dt.date(2024, 4, 20)
    assert publication_cutoff(today, 14) == dt.date(2024, 3, 31)
    assert month_is_publishable(dt.date(2024, 3, 1), today, 14)
    assert not month_is_publishable(dt.date(2024, 4, 1), today, 14)
    assert month_is_publishable(dt.date(2023, 12, 1), today, 14)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 120))
def test_latest_public_month_is_the_last_whole_month_before_the_cutoff(today, delay):
    month = latest_public_month(today, delay)
    assert month.day == 1
    assert month_is_publishable(month, today, delay)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    assert not month_is_publishable(following, today, delay)
