"""The Done-when of issue 15, item 4 on the demo generator: a brief of one state and quarter
of the demo data shows only figures the gap table and the dashboard give for that cut (the
shared ones; and the unsuppressed ones wherever the gate shows the figure), each footnoted."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from corridor.accounts.models import User
from corridor.aid.queries import reach_visible_to
from corridor.demo import services as demo
from corridor.gaps.queries import gap_table
from corridor.gaps.shared import shared_gap_table
from corridor.situation.models import DisplacementFigure
from corridor.situation.queries import figures_visible_to
from corridor.testing import factories as f
from corridor.web.briefs import brief_for
from corridor.web.queries.dashboard import Filters, headlines, shared_trends

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)
FIRST, LAST = dt.date(2026, 7, 1), dt.date(2026, 9, 1)


def _total(values):
    return None if None in values else sum(values)


def test_a_demo_brief_matches_the_gap_table_and_the_dashboard():
    demo.demo_load(seed=2021)  # the full demo: the small one reaches too few people
    user = User.objects.get(username="demo-coordinator")
    state = "MMR005"  # Sagaing, the state with the most demo townships
    states = Counter(
        pcode[:6]
        for pcode in DisplacementFigure.objects.values_list("admin_unit_id", flat=True).distinct()
    )
    assert states.most_common(1)[0][0] == state
    brief = brief_for(user, state, FIRST, LAST, today=TODAY, source=f.SourceFactory())
    values = {figure.key: figure.value for figure in brief.figures}

    cut = Filters(start=FIRST, end=LAST, state=state)
    shared = {s.key: dict(s.points) for s in shared_trends(user, cut, TODAY)}
    assert values["idps"] == shared["idps"].get(LAST)
    assert values["incidents"] == _total(list(shared["incidents"].values()))
    assert values["reached"] == _total(list(shared["reached"].values()))
    scope = {"reach_rows": reach_visible_to(user), "figures": figures_visible_to(user)}
    table = shared_gap_table(LAST, today=TODAY, state=state, **scope)
    assert {k: v for k, v in values.items() if k.startswith("gap:")} == {
        f"gap:{item.pcode}:{name}": value
        for item in table.ranking[:3]
        for name, value in (("reached", item.people_reached), ("need", item.need))
    }

    # Where the gate shows a figure, it is the unsuppressed one of the gap table and cards.
    cards = {h.key: h.value for h in headlines(user, cut)}
    internal = gap_table(LAST, state=state, **scope)
    idps = {row.pcode: row.idps for row in internal.rows if row.idps is not None}
    ranked = {item.pcode: item for item in internal.ranking}
    shown = 0
    for key, value in values.items():
        if value is None:
            continue
        shown += 1
        if key == "idps":
            assert value == sum(idps.values())
        elif key in ("incidents", "reached"):
            assert value == cards[key]
        else:
            _gap, pcode, name = key.split(":")
            assert value == getattr(ranked[pcode], "need" if name == "need" else "people_reached")
    assert shown >= 4, values  # the demo's largest state shows most of its brief
    assert values["reached"], values  # people were reached in the quarter

    for figure in brief.figures:
        assert (figure.value is None) == (not figure.footnotes), figure
    assert {n for fig in brief.figures for n in fig.footnotes} == set(
        range(1, len(brief.footnotes) + 1)
    )
