"""Situation briefs (issue 15, item 4): a brief of one state and quarter shows only figures the
gap table and the dashboard give for the same cut, each with a footnote."""

from __future__ import annotations

import re

import pytest

from corridor.aid.queries import reach_visible_to
from corridor.core.errors import InvalidInput
from corridor.gaps.queries import gap_table
from corridor.gaps.shared import shared_gap_table
from corridor.situation.queries import figures_visible_to
from corridor.statements.markdown import footnote_marks
from corridor.statements.models import Footnote
from corridor.testing import factories as f
from corridor.testing.briefs import FIRST, LAST, STATE, TODAY, brief_world
from corridor.web.briefs import HIDDEN, brief_draft_create, brief_for
from corridor.web.numbers import number
from corridor.web.queries.dashboard import Filters, headlines, shared_trends


@pytest.fixture
def world(db):
    return brief_world()


LINES = {
    "idps": "**Internally displaced people**",
    "incidents": "**Incidents recorded**",
    "reached": "**People reached**",
}


def _line_of(body: str, text: str) -> str:
    (line,) = [line for line in body.splitlines() if text in line]
    return line


def test_a_brief_shows_the_dashboard_and_gap_table_figures_of_its_cut(world):
    user = world.editor
    brief = brief_for(user, STATE, "2024-01", "2024-03", today=TODAY)
    values = {figure.key: figure.value for figure in brief.figures}

    cut = Filters(start=FIRST, end=LAST, state=STATE)
    shared = {s.key: dict(s.points) for s in shared_trends(user, cut, TODAY)}
    cards = {h.key: h.value for h in headlines(user, cut)}
    internal = gap_table(
        LAST, reach_rows=reach_visible_to(user), figures=figures_visible_to(user), state=STATE
    )
    township_idps = {row.pcode: row.idps for row in internal.rows if row.idps is not None}

    # The dashboard's shared series, and (nothing being hidden here) its cards and gap table.
    assert values["idps"] == shared["idps"][LAST] == sum(township_idps.values()) == 7700
    assert values["incidents"] == sum(shared["incidents"].values()) == cards["incidents"] == 23
    assert values["reached"] == sum(shared["reached"].values()) == cards["reached"]
    assert values["reached"] == 6 * 27  # six activities of 27 people in the state

    # The gaps: the least-covered townships of the shared gap table, as the internal one has them.
    table = shared_gap_table(
        LAST,
        today=TODAY,
        reach_rows=reach_visible_to(user),
        figures=figures_visible_to(user),
        state=STATE,
    )
    ranked = {item.pcode: item for item in internal.ranking}
    expected = {}
    for item in table.ranking[:3]:
        expected[f"gap:{item.pcode}:need"] = item.need
        expected[f"gap:{item.pcode}:reached"] = item.people_reached
        assert (item.need, item.people_reached) == (
            ranked[item.pcode].need,
            ranked[item.pcode].people_reached,
        )
    assert len(table.ranking) == 3
    assert {k: v for k, v in values.items() if k.startswith("gap:")} == expected

    # Every number has a footnote, written beside it; every footnote is cited.
    assert set(values) == {"idps", "incidents", "reached", *expected}
    for figure in brief.figures:
        assert figure.value is not None, figure
        assert figure.footnotes, figure
    for figure in brief.figures:
        marks = "".join(f"[^{n}]" for n in figure.footnotes)
        label = LINES.get(figure.key) or figure.key.split(":")[1]
        assert f"{number(figure.value)}{marks}" in _line_of(brief.body, label), figure
    cited = {n for figure in brief.figures for n in figure.footnotes}
    assert cited == set(range(1, len(brief.footnotes) + 1))
    assert set(footnote_marks(brief.body)) == cited
    sources = {source.title for source, _detail in brief.footnotes}
    assert {"Township displacement update", "Incident monitoring report"} <= sources
    idps = next(fig for fig in brief.figures if fig.key == "idps")
    assert [brief.footnotes[n - 1][0] for n in idps.footnotes] == [world.displacement_source]
    incidents = next(fig for fig in brief.figures if fig.key == "incidents")
    assert [brief.footnotes[n - 1][0] for n in incidents.footnotes] == [world.incident_source]
    # The other state's township is nowhere in the text.
    assert "MMR001001" not in brief.body


def test_a_brief_becomes_a_draft_statement_with_its_footnotes(world):
    statement = brief_draft_create(
        by=world.editor, state_pcode=STATE, first_month="2024-01", last_month="2024-03",
        today=TODAY,
    )  # fmt: skip
    brief = brief_for(world.editor, STATE, "2024-01", "2024-03", today=TODAY)
    assert statement.status == "draft"
    assert statement.owner == world.organisation
    version = statement.versions.get()
    text = version.texts.get(language="en")
    assert (text.title, text.body.strip()) == (brief.title, brief.body.strip())
    notes = [(n.number, n.source_id, n.detail) for n in Footnote.objects.filter(version=version)]
    assert notes == [(i, s.pk, d) for i, (s, d) in enumerate(brief.footnotes, start=1)]


def test_a_count_below_k_is_not_shown_and_has_no_footnote(world):
    f.IncidentFactory(admin_unit=f.township("MMR012001"), occurred_on=FIRST)  # one: below k
    brief = brief_for(world.editor, "MMR012", "2024-01", "2024-03", today=TODAY)
    incidents = next(fig for fig in brief.figures if fig.key == "incidents")
    assert incidents.value is None
    assert incidents.footnotes == ()
    assert f"**Incidents recorded**: {HIDDEN}" in brief.body
    assert not re.search(r"Incidents recorded\**: 1\b", brief.body)


@pytest.mark.parametrize(
    ("state", "first", "last", "message"),
    [
        ("MMR999", "2024-01", "2024-03", "state 'MMR999' is not a state/region p-code"),
        (STATE, "2024-03", "2024-01", "the period ends (2024-01) before it starts (2024-03)"),
        (STATE, "2024-01", "2026-12", "month 2026-12 cannot be shared yet"),
        (STATE, "2024-1x", "2024-03", "month '2024-1x' is not YYYY-MM"),
    ],
)
def test_a_brief_refuses_what_it_cannot_tell(world, state, first, last, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        brief_for(world.editor, state, first, last, today=TODAY)
