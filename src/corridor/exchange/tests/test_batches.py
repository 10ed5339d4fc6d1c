"""The batch builder of 4W activities gives exactly what the row builder gives, row by row."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.aid.rules import reach_unspecified
from corridor.core.rules import Problem
from corridor.exchange.formats.hxl import hashtag_columns, plan_columns
from corridor.exchange.kinds import Context
from corridor.exchange.kinds.batches import ActivityBatches
from corridor.exchange.kinds.builders import build_activity
from corridor.exchange.kinds.keys import NAMESPACE, StableKeys, uuid5_hex
from corridor.exchange.table import Row, Table

ZAWGYI = "ဆန္အိတ္မ်ားကို ၿမိဳ႕နယ္အတြင္း ေဝငွခဲ့သည္"
COUNTS = (["", "0", "12", "1,200", "၁၂", "12.0", " 7 "], ["-3", "x", "99999999"])
# Each column's cells as (mostly good, some bad): the builders must agree on all of them, and
# most rows must be good, or the batch path would hardly be exercised.
COLUMNS = {
    "#meta+id": (["", "", "R1", "R2", " R2 ", str(uuid.UUID(int=7))], ["6f1e2b8a3c0d5e7f9a41"]),
    "#org+name": (["CRN", "Chin Relief Network", "crn"], ["", "Unknown org"]),
    "#sector": (["health", "Food Security", "WASH"], ["", "football"]),
    "#modality": (["cash", "In-kind", "services"], ["", "boat"]),
    "#channel": (["", "domestic", "cross_border_th"], ["by air"]),
    "#status": (["", "complete", "planned"], ["maybe"]),
    "#adm1+code": (["", "MMR004"], ["MMR001", "MMR999"]),
    "#adm3+code": (["MMR004002", "MMR004006"], ["", "MMR004", "MMR999999"]),
    "#adm3+name": (["", "Hakha", "မင်းတပ်"], ["Hakhaa", "Nowhere"]),
    "#date+reported": (["2024-03", "March 2024"], ["", "2024-13", "later"]),
    "#date+start": (["", "", "2024-03-01"], ["31/12/2023", "2024-02-30"]),
    "#date+end": (["", "", "2024-04-30"], ["2024-02-01", "soon"]),
    "#reached+f+adults": COUNTS,
    "#reached+m+adults": COUNTS,
    "#reached+f+children": COUNTS,
    "#reached+m+children": COUNTS,
    "#reached+unspecified": (["", "", "0", "5"], ["x"]),
    "#reached+total": (["", "", "5000"], ["27", "-1"]),
    "#reached+hh": (["", "3"], ["x"]),
    "#value": (["", "", "100.50", "1,000"], ["-1", "abc"]),
    "#currency": (["", "usd", "MMK"], ["US", "ကျပ်"]),
    "#description": (["", "hello", "'=1+1", "'plain", ZAWGYI, " spaced ", "ok\tthen"], []),
}
HASHTAGS = list(COLUMNS)


def _table(tags: list[str]) -> Table:
    columns = hashtag_columns(tags)
    plan, _ = plan_columns(columns, "activities")
    return Table(
        name="4w.csv",
        format="hxl",
        kind="activities",
        plan=plan,
        labels=tags,
        rows=iter(()),
    )


@st.composite
def files(draw):
    tags = [t for t in HASHTAGS if draw(st.booleans()) or t in ("#sector", "#modality")]
    count = draw(st.integers(min_value=1, max_value=30))
    rows = []
    for number in range(3, 3 + count):
        cells = []
        for t in tags:
            good, bad = COLUMNS[t]
            use_bad = bad and draw(st.integers(0, 19)) == 0
            cells.append(draw(st.sampled_from(bad if use_bad else good)))
        if draw(st.integers(0, 9)) == 0:
            cells = cells[: draw(st.integers(0, len(cells)))]  # a short row
        rows.append((number, cells))
    return tags, rows


def _normal(built):
    number, values, errors = built
    if values is not None:
        values = (uuid.UUID(str(values[0])).hex, *values[1:])
    return number, values, [e.line() for e in errors]


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(file=files(), with_org=st.booleans(), chunk=st.integers(min_value=1, max_value=12))
def test_batch_builder_agrees_with_the_row_builder(org, file, with_org, chunk):
    tags, rows = file
    table = _table(tags)
    organisation = org if with_org else None
    by_row = Context(by=None, organisation=organisation, kind="activities")
    by_batch = Context(by=None, organisation=organisation, kind="activities")

    expected = []
    for number, cells in rows:
        row = Row(table, number, cells)
        expected.append(_normal((number, build_activity(row, by_row), row.errors)))
    batches = ActivityBatches(table, by_batch)
    got = []
    for start in range(0, len(rows), chunk):
        got.extend(
            _normal(b) for b in batches([(n, list(c)) for n, c in rows[start : start + chunk]])
        )

    assert got == expected
    assert by_batch.places.reviews == by_row.places.reviews


@pytest.mark.django_db
def test_good_rows_never_reach_the_row_builder(org, monkeypatch):
    from corridor.exchange.kinds import batches

    def refuse(row, ctx):
        raise AssertionError(f"row {row.number} went to the row builder")

    tags = ["#org+name", "#sector", "#modality", "#adm3+code", "#date+reported", "#reached+total"]
    ctx = Context(by=None, organisation=None, kind="activities")
    built = batches.ActivityBatches(_table(tags), ctx)
    rows = [(n, ["CRN", "WASH", "cash", "MMR004002", "2024-03", str(n)]) for n in range(3, 50)]
    monkeypatch.setattr(batches, "build_activity", refuse)

    got = list(built(rows))

    assert [values[14] for _, values, _ in got] == list(range(3, 50))  # total -> unspecified
    assert len({values[0] for _, values, _ in got}) == 47


@given(st.text(max_size=80))
def test_uuid5_hex_is_uuid5(name):
    assert uuid5_hex(name) == uuid.uuid5(NAMESPACE, name).hex


@given(st.text(max_size=40), st.text(max_size=12), st.lists(st.text(max_size=40), max_size=4))
def test_an_id_cell_gives_the_uuid5_of_its_text(scope, prefix, cells):
    """The id of a row's own id cell is the uuid5 of kind, prefix, scope and cell, however
    many rows of the scope came before (the started hash is copied, never reused)."""
    keys = StableKeys("activities", prefix)
    for cell in [*cells, *cells]:
        if not cell or (len(cell) >= 32 and not prefix):
            continue  # no id cell (the content decides), or a UUID of ours taken as it is
        expected = uuid.uuid5(NAMESPACE, f"activities:{prefix}{scope}:{cell}").hex
        assert keys(cell, "", scope) == expected


def test_stable_keys_number_identical_rows_as_before():
    keys = StableKeys("activities")
    first = keys("", "health|cash", "org")
    second = keys("", "health|cash", "org")
    base = uuid.uuid5(NAMESPACE, "activities:org:health|cash")
    assert first == base.hex
    assert second == uuid.uuid5(NAMESPACE, f"{base}:1").hex
    assert keys("R1", "ignored", "org") == uuid.uuid5(NAMESPACE, "activities:org:R1").hex
    given = str(uuid.uuid4())
    assert keys(given, "", "org") == uuid.UUID(given).hex
    assert StableKeys("incidents", "acled:")(given, "") != uuid.UUID(given).hex


@pytest.mark.parametrize(
    ("known", "unspecified", "given", "total", "expected"),
    [
        (10, 0, False, None, (0, None)),  # no total: nothing to square
        (10, 0, False, 25, (15, None)),  # a total alone fills the people not broken down
        (10, 5, True, 15, (5, None)),  # given and adding up
        (10, 5, True, 16, (5, "total 16 is not the sum of the columns (15)")),
        (10, 0, False, 4, (0, "total 4 is not the sum of the columns (10)")),
    ],
)
def test_reach_rule(known, unspecified, given, total, expected):
    count, reason = expected
    problem = Problem("total", "total_mismatch", reason) if reason else None
    found = reach_unspecified(known, unspecified, unspecified_given=given, total=total)
    assert found == (count, problem)
