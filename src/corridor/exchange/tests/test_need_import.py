"""Need by sector and validity period through the importer's "figures" kind (decision 0176)."""

from __future__ import annotations

import datetime as dt

import pytest

from corridor.exchange.services import file_import
from corridor.gaps.queries import NEED_SECTOR, gap_table
from corridor.situation.models import DisplacementFigure

pytestmark = pytest.mark.django_db

# An HNO-style sheet: a title row, the township's IDPs on a row without a sector, and each
# sector's people in need for the year on rows of their own.
NEEDS = (
    "Humanitarian needs overview 2024 (township lines),,,,,,,\r\n"
    "Township,As of,Sector,IDPs,People in need,Valid from,Valid to,Source\r\n"
    "#adm3+code,#date,#sector,#affected+idps,#inneed,#date+start,#date+end,#meta+source\r\n"
    "MMR004002,2023-12-15,,1500,,,,HNO 2024\r\n"
    "MMR004002,2023-12-15,Food Security,,6000,2024-01-01,2024-12-31,HNO 2024\r\n"
    "MMR004002,2023-12-15,health,,2500,2024-01-01,2024-12-31,HNO 2024\r\n"
)


def test_sector_need_rows_import_as_figures_and_count_all_year(places, write):
    result = file_import(path=write("hno.csv", NEEDS), by=None)
    assert result.ok, [e.line() for e in result.errors]
    assert result.kind == "figures"
    rows = set(
        DisplacementFigure.objects.values_list(
            "sector", "idps", "people_in_need", "valid_from", "valid_to"
        )
    )
    year = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert rows == {
        ("", 1500, None, None, None),
        ("food_security", None, 6000, *year),
        ("health", None, 2500, *year),
    }
    # The same file again changes nothing: the sector is part of the figure's identity.
    assert file_import(path=write("hno.csv", NEEDS), by=None).created == 0
    by_sector = {r.sector: r for r in gap_table("2024-07").rows}
    assert (by_sector["food_security"].need, by_sector["food_security"].need_basis) == (
        6000,
        NEED_SECTOR,
    )
    assert by_sector["health"].need == 2500
    assert by_sector["wash"].need == 1500  # no need of its own: the township's IDPs


def test_bad_need_rows_are_refused_by_row_and_column(places, write):
    text = (
        "#adm3+code,#date,#sector,#affected+idps,#inneed,#date+start,#date+end,#meta+source\r\n"
        "MMR004002,2023-12-15,health,300,2500,,,HNO\r\n"
        "MMR004002,2023-12-15,fishing,,2500,,,HNO\r\n"
        "MMR004002,2023-12-15,,100,2500,2024-01-01,,HNO\r\n"
        "MMR004002,2023-12-15,,100,2500,2024-12-31,2024-01-01,HNO\r\n"
    )
    result = file_import(path=write("bad.csv", text), by=None)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    expected = {(2, "#affected+idps"), (3, "#sector"), (4, "#date+end"), (5, "#date+end")}
    assert expected <= found, [e.line() for e in result.errors]
    assert not DisplacementFigure.objects.exists()
