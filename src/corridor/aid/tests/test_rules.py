"""The activity rules as pure functions, and the migration that puts stored months right."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from corridor.aid.models import Activity
from corridor.aid.rules import activity_problems, reporting_month_of
from corridor.testing.factories import ActivityFactory

DAY = dt.date(2026, 5, 17)


def test_whatever_is_typed_for_a_month_lands_in_that_month():
    assert reporting_month_of(DAY, None) == dt.date(2026, 5, 1)
    assert reporting_month_of(None, DAY) == dt.date(2026, 5, 1)
    assert reporting_month_of(dt.date(2026, 4, 30), DAY) == dt.date(2026, 4, 1)
    assert reporting_month_of(None, None) is None


def test_a_row_without_a_month_or_start_is_refused():
    problems = activity_problems({"women": 3, "admin_unit": "MMR005022", "level": 3})
    assert [(p.field, p.code) for p in problems] == [("reporting_month", "no_when")]


def test_extra_counts_are_bounded_like_the_others():
    """A count another branch adds (elderly people) needs only its name in COUNTS."""
    values = {"reporting_month": DAY, "women": 3, "households": 3_000_000, "level": 3}
    assert [(p.field, p.code) for p in activity_problems(values)] == [("households", "too_many")]


def test_the_migration_puts_stored_months_on_the_first(db):
    migration = importlib.import_module(
        "corridor.core.tests.before_squash.migrations.aid.0004_rules_reporting_month"
    )
    only_start = ActivityFactory(reporting_month=None, start_date=DAY)
    mid_month = ActivityFactory(reporting_month=dt.date(2026, 3, 9))
    right = ActivityFactory(reporting_month=dt.date(2026, 2, 1))
    migration.months_on_the_first(apps, None)
    months = dict(Activity.objects.values_list("pk", "reporting_month"))
    assert months == {
        only_start.pk: dt.date(2026, 5, 1),
        mid_month.pk: dt.date(2026, 3, 1),
        right.pk: dt.date(2026, 2, 1),
    }
