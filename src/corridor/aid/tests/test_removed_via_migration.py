"""Migrations aid 0012, situation 0008 and funds 0010 fill ``removed_via`` for rows removed
before it existed, from the removal reason's wording (decision 0354)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from corridor.core.models import RemovedVia
from corridor.testing.factories import (
    ActivityFactory,
    DisplacementFigureFactory,
    IncidentFactory,
    TransferFactory,
)

FILLS = (
    "corridor.core.tests.before_squash.migrations.aid.0012_removed_via",
    "corridor.core.tests.before_squash.migrations.situation.0008_removed_via",
    "corridor.core.tests.before_squash.migrations.funds.0010_removed_via",
)
FACTORIES = (ActivityFactory, DisplacementFigureFactory, IncidentFactory, TransferFactory)


@pytest.mark.django_db
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_rows_removed_before_are_filled_from_the_wording(factory):
    replaced, typed, current = factory(), factory(), factory()
    model = type(replaced)
    model.all_objects.filter(pk=replaced.pk).update(
        removed_at="2026-11-01T00:00Z",
        removal_reason="not in 5w.csv, which replaces what it covers",
    )
    model.all_objects.filter(pk=typed.pk).update(
        removed_at="2026-11-01T00:00Z", removal_reason="counted twice"
    )

    for name in FILLS:
        importlib.import_module(name).fill(apps, None)

    via = dict(model.all_objects.values_list("pk", "removed_via"))
    assert via == {replaced.pk: RemovedVia.REPLACE, typed.pk: RemovedVia.PERSON, current.pk: ""}
