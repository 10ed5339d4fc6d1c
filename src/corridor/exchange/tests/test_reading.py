"""Reading cells from CSV and XLSX files: sheets chosen by what they hold, progress to the end."""

from __future__ import annotations

import pytest

from corridor.core.errors import InvalidInput
from corridor.exchange import reading


def test_a_csv_keeps_its_name_and_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x,y\r\n1,2\r\n", encoding="utf-8")
    name, rows = reading.open_rows(path, name="a.csv", fits=lambda head: False, wanted="w")
    assert name == "a.csv"
    assert list(rows) == [(1, ["x", "y"]), (2, ["1", "2"])]


def test_the_first_fitting_sheet_is_read_and_named(workbook):
    path = workbook(
        "b.xlsx",
        [("Notes", [["read me"]]), ("Data", [["#org"], ["CRN"]]), ("More", [["#org"], ["x"]])],
    )
    name, rows = reading.open_rows(
        path, name="b.xlsx", fits=lambda head: head[0] == ["#org"], wanted="w"
    )
    assert name == "b.xlsx, sheet Data"
    assert list(rows) == [(1, ["#org"]), (2, ["CRN"])]


def test_a_single_sheet_is_read_even_when_it_does_not_fit(workbook):
    # The format's own reader then says what is wrong with it, in its own words.
    path = workbook("c.xlsx", [("Only", [["a"], ["1"]])])
    name, rows = reading.open_rows(path, name="c.xlsx", fits=lambda head: False, wanted="w")
    assert name == "c.xlsx"
    assert [cells for _, cells in rows] == [["a"], ["1"]]


def test_no_fitting_sheet_among_several_is_refused(workbook):
    path = workbook("d.xlsx", [("One", [["a"]]), ("Two", [["b"]])])
    with pytest.raises(InvalidInput) as refused:
        reading.open_rows(path, name="d.xlsx", fits=lambda head: False, wanted="a hashtag row")
    assert str(refused.value) == "d.xlsx: no sheet has a hashtag row (sheets: One, Two)"


def test_xlsx_progress_moves_with_the_rows_and_ends_at_the_file_size(workbook):
    path = workbook("e.xlsx", [("Data", [[f"row {n}", n] for n in range(1, 201)])])
    steps: list[int] = []
    _, rows = reading.open_rows(path, name="e.xlsx", progress=steps.append)
    seen_before_end = []
    for number, _cells in rows:
        if number == 100:
            seen_before_end.append(sum(steps))
    size = path.stat().st_size
    assert sum(steps) == size
    assert 0 < seen_before_end[0] < size
