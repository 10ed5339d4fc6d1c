"""publish_table: property tests that re-derive every figure and audit the suppression with an LP.

The audit is independent of the implementation: it lists the figures of a table from their
definitions, keeps the published ones as equality constraints over non-negative cells, and asks
HiGHS (scipy) for the smallest and largest value each suppressed figure can take.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from corridor.disclosure import DisclosureError, Figure, publish_table

# --- the independent audit ---------------------------------------------------------------------


def supports(rows, columns, groups, cumulative):
    """Every figure a table has, as the list of (row, column) cells it sums."""
    cells = [(r, c) for r in rows for c in columns]
    figures = {Figure("cell", r, c): [(r, c)] for r, c in cells}
    figures[Figure("total", None, None)] = cells
    for r in rows:
        figures[Figure("row_total", r, None)] = [(r, c) for c in columns]
    for c in columns:
        figures[Figure("column_total", None, c)] = [(r, c) for r in rows]
    if groups is not None:
        for g in set(groups.values()):
            members = [r for r in rows if groups[r] == g]
            figures[Figure("group_total", g, None)] = [(r, c) for r in members for c in columns]
            for c in columns:
                figures[Figure("group_cell", g, c)] = [(r, c) for r in members]
    if cumulative:
        for n, c in enumerate(columns):
            upto = columns[: n + 1]
            figures[Figure("total_running", None, c)] = [(r, u) for r in rows for u in upto]
            for r in rows:
                figures[Figure("running", r, c)] = [(r, u) for u in upto]
            if groups is not None:
                for g in set(groups.values()):
                    figures[Figure("group_running", g, c)] = [
                        (r, u) for r in rows if groups[r] == g for u in upto
                    ]
    return figures


def feasible_ranges(published, rows, columns, groups, cumulative):
    """(lowest, highest) each suppressed figure can take given what was published."""
    figures = supports(rows, columns, groups, cumulative)
    index = {cell: n for n, cell in enumerate((r, c) for r in rows for c in columns)}
    equalities, targets = [], []
    for figure, cells in figures.items():
        value = published.values[figure]
        if value is not None:
            row = [0.0] * len(index)
            for cell in cells:
                row[index[cell]] = 1.0
            equalities.append(row)
            targets.append(value)
    ranges = {}
    for figure, cells in figures.items():
        if published.values[figure] is not None:
            continue
        objective = [0.0] * len(index)
        for cell in cells:
            objective[index[cell]] = 1.0
        bounds = []
        for sign in (1, -1):
            result = linprog(
                [sign * v for v in objective],
                A_eq=equalities or None,
                b_eq=targets or None,
                bounds=(0, None),
                method="highs",
            )
            if result.status == 3:  # unbounded
                bounds.append(math.inf)
            else:
                assert result.status == 0, result.message
                bounds.append(sign * result.fun)
        ranges[figure] = (bounds[0], bounds[1])
    return ranges


def check_safe(counts, rows, columns, groups, cumulative, k):
    published = publish_table(
        counts, rows=rows, columns=columns, groups=groups, cumulative=cumulative, k=k
    )
    figures = supports(rows, columns, groups, cumulative)
    assert set(published.values) == set(figures), "the table lists exactly its figures"
    for figure, cells in figures.items():
        true = sum(counts.get(cell, 0) for cell in cells)
        value = published.values[figure]
        if value is not None:
            assert value == true, figure
            assert value == 0 or value >= k, f"{figure} = {value} published below k={k}"
    for figure, (low, high) in feasible_ranges(
        published, rows, columns, groups, cumulative
    ).items():
        assert high - low >= k - 1e-6, (
            f"{figure} (true {sum(counts.get(c, 0) for c in figures[figure])}) "
            f"is pinned to [{low}, {high}] with k={k}"
        )
    return published


# --- strategies ----------------------------------------------------------------------------------

# Mostly small counts, as in a sparse township x month table, with some zeros and large ones.
count = st.one_of(st.integers(0, 6), st.integers(0, 40), st.just(0))


@st.composite
def tables(draw, *, hierarchical, cumulative, max_rows=5, max_columns=5):
    n_rows = draw(st.integers(1, max_rows))
    n_columns = draw(st.integers(1, max_columns))
    rows = [f"T{i}" for i in range(n_rows)]
    columns = [f"M{j:02d}" for j in range(n_columns)]
    groups = None
    if hierarchical:
        groups = {r: f"S{draw(st.integers(0, 2))}" for r in rows}
    counts = {(r, c): draw(count) for r in rows for c in columns}
    k = draw(st.integers(3, 6))
    return counts, rows, columns, groups, cumulative, k


bounded = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@bounded
@given(tables(hierarchical=False, cumulative=False))
def test_flat_table_is_safe(table):
    check_safe(*table)


@bounded
@given(tables(hierarchical=True, cumulative=False))
def test_townships_within_states_are_safe(table):
    check_safe(*table)


@bounded
@given(tables(hierarchical=False, cumulative=True))
def test_month_and_running_totals_are_safe(table):
    check_safe(*table)


@bounded
@given(tables(hierarchical=True, cumulative=True, max_rows=4, max_columns=4))
def test_states_townships_months_and_running_totals_are_safe(table):
    check_safe(*table)


# --- examples ------------------------------------------------------------------------------------


def test_small_cell_is_marked_not_zeroed_and_its_partners_hidden():
    rows, columns = ["A", "B", "C"], ["x", "y", "z"]
    counts = {
        ("A", "x"): 2, ("A", "y"): 20, ("A", "z"): 30,
        ("B", "x"): 25, ("B", "y"): 40, ("B", "z"): 35,
        ("C", "x"): 50, ("C", "y"): 60, ("C", "z"): 70,
    }  # fmt: skip
    published = check_safe(counts, rows, columns, None, False, 5)
    assert published.cell("A", "x") is None
    assert published.is_suppressed(Figure("cell", "A", "x"))
    # One suppressed cell alone in its row and column would be the total minus the rest.
    assert sum(published.cell("A", c) is None for c in columns) >= 2
    assert sum(published.cell(r, "x") is None for r in rows) >= 2
    # Margins of 52, 77 and other large sums stay published.
    assert published.row_total("A") == 52
    assert published.column_total("x") == 77
    assert published.total() == 332


def test_zeros_are_published_as_zeros():
    counts = {("A", "x"): 0, ("A", "y"): 10, ("B", "x"): 7, ("B", "y"): 9}
    published = publish_table(counts, rows=["A", "B"], columns=["x", "y"], k=5)
    assert published.cell("A", "x") == 0
    assert published.suppressed == frozenset()


def test_small_state_total_is_suppressed_and_protected():
    groups = {"T1": "S1", "T2": "S1", "T3": "S2", "T4": "S2"}
    counts = {("T1", "m"): 1, ("T2", "m"): 2, ("T3", "m"): 30, ("T4", "m"): 40}
    published = check_safe(counts, ["T1", "T2", "T3", "T4"], ["m"], groups, False, 5)
    assert published.group_cell("S1", "m") is None
    assert published.group_total("S1") is None


def test_running_total_cannot_give_back_a_month():
    rows, columns = ["A", "B"], ["jan", "feb", "mar"]
    counts = {
        ("A", "jan"): 10, ("A", "feb"): 3, ("A", "mar"): 10,
        ("B", "jan"): 10, ("B", "feb"): 20, ("B", "mar"): 10,
    }  # fmt: skip
    published = check_safe(counts, rows, columns, None, True, 5)
    assert published.cell("A", "feb") is None
    # Running totals at Jan and Feb published together would give Feb by subtraction.
    assert published.running("A", "jan") is None or published.running("A", "feb") is None


def test_table_below_k_in_total_publishes_nothing_but_zeros():
    counts = {("A", "x"): 1, ("A", "y"): 1, ("B", "x"): 0, ("B", "y"): 2}
    published = check_safe(counts, ["A", "B"], ["x", "y"], None, False, 5)
    assert published.total() is None
    assert all(v in (None, 0) for v in published.values.values())


def test_audit_catches_primary_suppression_alone():
    """The LP audit is not vacuous: hiding only the small cell is found recoverable."""
    rows, columns = ["A", "B"], ["x", "y"]
    counts = {("A", "x"): 2, ("A", "y"): 20, ("B", "x"): 30, ("B", "y"): 40}
    safe = publish_table(counts, rows=rows, columns=columns, k=5)
    naive_values = {
        figure: (None if figure == Figure("cell", "A", "x") else value)
        for figure, value in safe.values.items()
    }
    for figure in safe.suppressed - {Figure("cell", "A", "x")}:
        naive_values[figure] = sum(
            counts[cell] for cell in supports(rows, columns, None, False)[figure]
        )
    naive = type(safe)(
        k=5,
        rows=tuple(rows),
        columns=tuple(columns),
        groups=(),
        group_of={},
        cumulative=False,
        values=naive_values,
    )
    ranges = feasible_ranges(naive, rows, columns, None, False)
    low, high = ranges[Figure("cell", "A", "x")]
    assert high - low == pytest.approx(0)


@pytest.mark.parametrize("k", [0, 1, 2, 2.5, True, "5"])
def test_unsafe_k_is_refused(k):
    with pytest.raises(DisclosureError, match="k="):
        publish_table({("A", "x"): 9}, rows=["A"], columns=["x"], k=k)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({("A", "x"): -1}, "not a whole number"),
        ({("A", "x"): 1.5}, "not a whole number"),
        ({("Z", "x"): 1}, "row 'Z'"),
        ({("A", "q"): 1}, "column 'q'"),
        ({"A": 1}, "not a \\(row, column\\) pair"),
    ],
)
def test_bad_counts_are_named(counts, message):
    with pytest.raises(DisclosureError, match=message):
        publish_table(counts, rows=["A"], columns=["x"], k=5)


def test_row_without_group_is_refused():
    with pytest.raises(DisclosureError, match="row 'B' has no group"):
        publish_table({}, rows=["A", "B"], columns=["x"], groups={"A": "S"}, k=5)


def test_k_defaults_to_the_setting(settings):
    settings.DISCLOSURE_K = 10
    counts = {("A", "x"): 7, ("A", "y"): 30, ("B", "x"): 30, ("B", "y"): 30}
    assert publish_table(counts, rows=["A", "B"], columns=["x", "y"]).cell("A", "x") is None
    settings.DISCLOSURE_K = 5
    assert publish_table(counts, rows=["A", "B"], columns=["x", "y"]).cell("A", "x") == 7
