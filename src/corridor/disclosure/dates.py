"""Dates in public outputs: no finer than the ISO week, nothing newer than the publication delay.

The cutoff falls on the Sunday that ends an ISO week, not on "today minus the delay": a page that
moved its cutoff every day would let a scraper subtract yesterday's totals from today's and read
counts per day.
"""

from __future__ import annotations

import datetime as dt

from corridor.disclosure.tables import DisclosureError


def publication_delay_days() -> int:
    """The CORRIDOR_PUBLICATION_DELAY_DAYS setting."""
    from django.conf import settings

    return settings.PUBLICATION_DELAY_DAYS


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise DisclosureError(f"{value!r} has no time zone; pass an aware datetime")
        return value.astimezone(dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    raise DisclosureError(f"{value!r} is not a date")


def publication_cutoff(today: dt.date, delay_days: int | None = None) -> dt.date:
    """The last date public outputs may include.

    The Sunday ending the latest ISO week whose every day is at least ``delay_days`` old
    (default: the CORRIDOR_PUBLICATION_DELAY_DAYS setting). Records dated after it are left out.
    """
    if delay_days is None:
        delay_days = publication_delay_days()
    if delay_days < 0:
        raise DisclosureError(f"publication delay {delay_days} is negative")
    latest = _as_date(today) - dt.timedelta(days=delay_days)
    # isoweekday: Monday 1 .. Sunday 7, so this steps back to the latest Sunday on or before.
    return latest - dt.timedelta(days=latest.isoweekday() % 7)


def is_publishable(
    value: dt.date | dt.datetime, today: dt.date, delay_days: int | None = None
) -> bool:
    """Whether a record dated ``value`` may appear in public outputs made on ``today``."""
    return _as_date(value) <= publication_cutoff(today, delay_days)


def public_date(value: dt.date | dt.datetime) -> str:
    """The ISO week a date falls in, e.g. ``2024-W05``: the finest date public outputs show."""
    year, week, _ = _as_date(value).isocalendar()
    return f"{year}-W{week:02d}"


def public_week_start(value: dt.date | dt.datetime) -> dt.date:
    """The Monday of the date's ISO week, for formats that need a full date (IATI, HXL #date)."""
    day = _as_date(value)
    return day - dt.timedelta(days=day.isoweekday() - 1)


def public_month(value: dt.date | dt.datetime) -> str:
    """The month, e.g. ``2024-03``, for figures reported per month (coarser than a week)."""
    day = _as_date(value)
    return f"{day.year}-{day.month:02d}"


def month_is_publishable(value: dt.date, today: dt.date, delay_days: int | None = None) -> bool:
    """Whether a whole month (given by any day in it) is on or before the cutoff."""
    day = _as_date(value)
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1) <= publication_cutoff(today, delay_days)


def latest_public_month(today: dt.date, delay_days: int | None = None) -> dt.date:
    """The first day of the latest month that ends on or before the cutoff."""
    cutoff = publication_cutoff(today, delay_days)
    following = cutoff + dt.timedelta(days=1)
    if following.day == 1:
        return cutoff.replace(day=1)
    last = following.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1)
