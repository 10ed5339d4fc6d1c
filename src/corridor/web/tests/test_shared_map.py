"""The shared IDP map reads one gap table, the period's last month's, and shows what reading
every month's table and keeping each township's latest would show (bench/README.md: the
printable map took two seconds when it read one table a month)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.aid.queries import reach_visible_to
from corridor.gaps.shared import shared_gap_table
from corridor.situation.queries import figures_visible_to
from corridor.testing import factories as f
from corridor.web.queries.dashboard import Filters, shared_map_values

TODAY = dt.date(2026, 12, 3)
PERIOD = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 4, 1))
FIGURES = {  # township: [(as_of, IDPs)]
    "MMR005022": [(dt.date(2024, 1, 20), 100), (dt.date(2024, 3, 20), 3000)],  # updated
    "MMR001001": [(dt.date(2024, 1, 10), 5000)],  # not updated in the period
    "MMR013008": [(dt.date(2023, 6, 30), 800)],  # from before the period
    "MMR011001": [(dt.date(2024, 2, 15), 4)],  # a count too small to pass on
    "MMR003001": [(dt.date(2024, 2, 1), 900), (dt.date(2024, 4, 2), 0)],  # down to none
    "MMR014001": [(dt.date(2024, 6, 1), 7000)],  # after the period
}


def _month_by_month(user) -> dict:
    """What the map showed when it read a gap table for every month of the period."""
    values: dict = {}
    for month in PERIOD.months():
        table = shared_gap_table(
            month,
            today=TODAY,
            reach_rows=reach_visible_to(user),
            figures=figures_visible_to(user),
            tables_only=True,
        ).idps
        for pcode in table.rows if table is not None else ():
            values[pcode] = table.cell(pcode, "idps")
    return values


@pytest.fixture
def figures(db):
    source = f.SourceFactory()
    for pcode, dated in FIGURES.items():
        for as_of, idps in dated:
            f.DisplacementFigureFactory(
                admin_unit=f.township(pcode), as_of=as_of, idps=idps, source=source
            )


def test_the_idp_map_shows_each_township_s_latest_figure_from_one_table(figures):
    user = f.UserFactory(global_role="coordinator")
    with CaptureQueriesContext(connection) as one_table:
        shown = shared_map_values(user, PERIOD, "idps", TODAY)
    with CaptureQueriesContext(connection) as every_month:
        expected = _month_by_month(user)
    assert shown == expected, shown
    assert set(shown) == set(FIGURES) - {"MMR014001"}  # a figure after the period is not shown
    assert shown["MMR011001"] is None  # too small to pass on: hidden, as on every shared output
    latest = {
        pcode: max(d for d in dated if d[0] < PERIOD.until)[1]
        for pcode, dated in FIGURES.items()
        if pcode in shown
    }
    shown_values = {pcode: value for pcode, value in shown.items() if value is not None}
    assert shown_values == {pcode: latest[pcode] for pcode in shown_values}
    assert len(shown_values) >= 3, shown  # the hiding left most of the map to read
    assert len(one_table) < len(every_month)
