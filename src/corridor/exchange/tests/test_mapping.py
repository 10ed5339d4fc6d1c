"""Mapping untagged files: proposals from MIMU 3W, cluster 5W, Burmese and KoBo headers;
the file read through a mapping; value recoding; saved mappings reused (exchange/mapping)."""

from __future__ import annotations

import csv
import json

import pytest

from corridor.aid.models import Activity
from corridor.cli.main import main
from corridor.core.errors import InvalidInput
from corridor.exchange.mapping.propose import propose, propose_rows
from corridor.exchange.mapping.spec import Mapping
from corridor.exchange.models import SavedMapping
from corridor.exchange.services import file_import
from corridor.testing.factories import OrganisationFactory

# The MIMU 3W template's columns that Corridor has fields for (synthetic rows below).
MIMU_3W = [
    "Implementing Partner",
    "Sector/Cluster",
    "Activity",
    "State/Region",
    "Township",
    "Township Pcode",
    "Modality",
    "Status",
    "Start Date",
    "End Date",
    "Reporting Month",
    "Female (18-59)",
    "Female (60+)",
    "Male (18-59)",
    "Male (60+)",
    "Girls (<18)",
    "Boys (<18)",
    "Total Reached",
    "# of HH",
]
MIMU_FIELDS = [
    "org",
    "sector",
    "notes",
    "adm1_name",
    "adm3_name",
    "adm3_code",
    "modality",
    "status",
    "start_date",
    "end_date",
    "reporting_month",
    "women",
    "women",
    "men",
    "men",
    "girls",
    "boys",
    "total",
    "households",
]


def rows_of(lines: list[list[str]]) -> list[tuple[int, list[str]]]:
    return list(enumerate(lines, start=1))


def mimu_rows() -> list[list[str]]:
    return [
        [
            "Chin Relief Network",
            "CVA",
            "Cash for food",
            "Chin",
            "Hakha",
            "MMR004002",
            "In-kind distribution",
            "Completed",
            "2024-03-01",
            "2024-03-20",
            "Mar 2024",
            "10",
            "2",
            "8",
            "NA",
            "5",
            "4",
            "29",
            "7",
        ],
        [
            "CRN",
            "WASH",
            "Latrines",
            "Chin",
            "Mindat",
            "MMR004006",
            "Cash",
            "In progress",
            "01/04/2024",
            "-",
            "2024-04",
            "3",
            "0",
            "3",
            "1",
            "2",
            "2",
            "11",
            "N/A",
        ],
    ]


def fields_of(mapping: Mapping) -> list[str | None]:
    return [c.field for c in mapping.columns]


def test_mimu_3w_headers_all_mapped_below_a_title_row():
    lines = [["MIMU 3W - Chin State - Q1 2024"], [], MIMU_3W, *mimu_rows()]
    mapping = propose_rows(rows_of(lines))
    assert mapping.kind == "activities"
    assert mapping.header_rows == [3]
    assert fields_of(mapping) == MIMU_FIELDS
    # The age groups add up: declared in the mapping, shown to the person.
    assert mapping.plan()["women"] == [11, 12]
    assert "'Female (60+)' -> women (added up)" in "\n".join(mapping.describe())
    assert mapping.values == {
        "sector": {"CVA": "multipurpose_cash"},
        # "In-kind distribution" needs no recoding: the importer knows it (decision 0166).
        "status": {"In progress": "ongoing"},
    }


CLUSTER_5W_TOP = [
    "Organisation",
    "Sector",
    "State",
    "Township",
    "Tsp_Pcode",
    "Village Tract",
    "Modality",
    "Activity Status",
    "Reporting Month",
    "Female",
    "",
    "Male",
    "",
    "Girls",
    "Boys",
    "Remarks",
]
CLUSTER_5W_SUB = ["", "", "", "", "", "", "", "", "", "18-59", "60+", "18-59", "60+", "", "", ""]


def test_cluster_5w_merged_header_rows():
    lines = [
        ["Food Security Cluster 5W", "", "reporting period: March 2024"],
        CLUSTER_5W_TOP,
        CLUSTER_5W_SUB,
        [
            "CRN",
            "FSL",
            "Chin",
            "Hakha",
            "MMR004002",
            "Lungbang",
            "Cash",
            "Ongoing",
            "2024-03",
            "4",
            "1",
            "3",
            "0",
            "2",
            "2",
            "NA",
        ],
    ]
    mapping = propose_rows(rows_of(lines))
    assert mapping.header_rows == [2, 3]
    assert mapping.headers[9:13] == ["Female 18-59", "Female 60+", "Male 18-59", "Male 60+"]
    assert fields_of(mapping) == [
        "org",
        "sector",
        "adm1_name",
        "adm3_name",
        "adm3_code",
        "village_tract",
        "modality",
        "status",
        "reporting_month",
        "women",
        "women",
        "men",
        "men",
        "girls",
        "boys",
        "notes",
    ]
    # The village tract is a field of its own now (decision 0167): mapped by its header.
    assert mapping.columns[5].reason == "header"


def test_burmese_and_kobo_headers():
    burmese = [
        "အဖွဲ့အစည်း",
        "ကဏ္ဍ",
        "မြို့နယ်",
        "အကူအညီပုံစံ",
        "အစီရင်ခံသည့်လ",
        "အမျိုးသမီး",
        "အမျိုးသား",
        "မိန်းကလေး",
        "ယောက်ျားလေး",
    ]
    mapping = propose_rows(
        rows_of([burmese, ["CRN", "ကျန်းမာရေး", "ဟားခါး", "ငွေသား", "2024-03", "1", "2", "3", "4"]])
    )
    assert fields_of(mapping) == [
        "org",
        "sector",
        "adm3_name",
        "modality",
        "reporting_month",
        "women",
        "men",
        "girls",
        "boys",
    ]
    # Burmese labels of our codes are read by the pipeline itself: nothing to recode.
    assert mapping.values == {}
    kobo = [
        "start",
        "group_org/partner_name",
        "group_loc/township",
        "group_loc/pcode",
        "group_act/sector",
        "group_reach/female_adults",
        "group_reach/boys_under_18",
        "reporting_month",
        "_uuid",
    ]
    mapping = propose_rows(
        rows_of(
            [kobo, ["2024-03-01", "CRN", "Hakha", "MMR004002", "health", "3", "4", "2024-03", "a1"]]
        )
    )
    assert fields_of(mapping)[1:8] == [
        "org",
        "adm3_name",
        "adm3_code",
        "sector",
        "women",
        "boys",
        "reporting_month",
    ]


def write_csv(path, lines):
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(lines)
    return path


@pytest.fixture
def crn(places):
    return OrganisationFactory(name="Chin Relief Network", acronym="CRN")


@pytest.mark.usefixtures("crn")
def test_import_with_map_auto_then_saved_map_reused(tmp_path, capsys):
    first = write_csv(tmp_path / "3w-q1.csv", [["MIMU 3W - Chin - Q1"], [], MIMU_3W, *mimu_rows()])
    # Without a mapping the file is refused, and the refusal says how to map it.
    assert main(["import", str(first), "--quiet"]) == 1
    assert "--map auto" in capsys.readouterr().err

    assert main(["import", str(first), "--quiet", "--map", "auto", "--save-map", "mimu 3w"]) == 0
    out = capsys.readouterr().out
    assert "'Township Pcode' -> adm3_code" in out
    assert "value of sector: 'CVA' -> multipurpose_cash" in out
    assert "imported: 2 created, 0 changed, 0 removed, 0 unchanged" in out
    assert "mapping saved as 'mimu 3w'" in out
    hakha = Activity.objects.get(admin_unit_id="MMR004002")
    assert (hakha.sector, hakha.modality, hakha.status) == (
        "multipurpose_cash",
        "in_kind",
        "completed",
    )
    # Female 18-59 + Female 60+; "NA" is empty, so men are 8; 29 reached in all.
    assert (hakha.women, hakha.men, hakha.girls, hakha.boys) == (12, 8, 5, 4)
    assert hakha.households == 7
    mindat = Activity.objects.get(admin_unit_id="MMR004006")
    assert (mindat.status, mindat.end_date, mindat.households) == ("ongoing", None, None)
    assert str(mindat.start_date) == "2024-04-01"

    # A later file with the same header (other rows, other title) needs no --map.
    later = mimu_rows()
    later[0][11] = "20"
    second = write_csv(
        tmp_path / "3w-q2.csv", [["MIMU 3W - Chin - Q2 (draft)"], [], MIMU_3W, *later]
    )
    assert main(["import", str(second), "--quiet"]) == 1  # total no longer adds up
    out = capsys.readouterr().out
    assert "read through the saved mapping 'mimu 3w' (made for this header)" in out
    assert (
        "3w-q2.csv, row 4, column Total Reached: total 29 is not the sum of the columns (39)" in out
    )
    later[0][17] = "39"
    write_csv(second, [["MIMU 3W - Chin - Q2 (draft)"], [], MIMU_3W, *later])
    assert main(["import", str(second), "--quiet"]) == 0
    # Without a key, the corrected row is a new record and the old one is left (decision 0150;
    # --replace would remove it).
    out = capsys.readouterr().out
    assert "imported: 1 created, 0 changed, 0 removed, 1 unchanged" in out
    assert "1 records of this scope are not in the file and were kept" in out


@pytest.mark.usefixtures("crn")
def test_errors_name_the_files_rows_and_headers(tmp_path, capsys):
    rows = mimu_rows()
    rows[1][1] = "Football"
    path = write_csv(tmp_path / "3w.csv", [["title"], MIMU_3W, *rows])
    assert main(["import", str(path), "--quiet", "--map", "auto"]) == 1
    out = capsys.readouterr().out
    assert "values of sector with no code: 'Football'" in out
    assert "3w.csv, row 4, column Sector/Cluster: unknown sector 'Football'" in out
    assert not Activity.objects.exists()


@pytest.mark.usefixtures("crn")
def test_maps_list_show_export_and_edited_export_read_back(tmp_path, capsys):
    rows = mimu_rows()
    rows[1][1] = "Football"
    path = write_csv(tmp_path / "3w.csv", [MIMU_3W, *rows])
    assert (
        main(["import", str(path), "--quiet", "--map", "auto", "--dry-run", "--save-map", "3w"])
        == 1
    )
    capsys.readouterr()
    assert main(["maps", "list"]) == 0
    assert capsys.readouterr().out.startswith("3w\tactivities\t19 of 19 columns\toperator (CLI)")
    assert main(["maps", "show", "3w"]) == 0
    assert "'Girls (<18)' -> girls" in capsys.readouterr().out
    exported = tmp_path / "3w.json"
    assert main(["maps", "export", "3w", "--output", str(exported)]) == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert Mapping.from_json(data, source="x").to_json() == data  # a lossless round trip
    # The person decides what "Football" means, and names the mapping anew.
    data["values"]["sector"]["Football"] = "protection"
    exported.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", str(path), "--quiet", "--map", str(exported)]) == 0
    assert "imported: 2 created" in capsys.readouterr().out
    assert Activity.objects.get(admin_unit_id="MMR004006").sector == "protection"


def test_edited_mapping_refused_clearly(tmp_path, capsys, db):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "corridor_mapping": 1,
                "kind": "activities",
                "header_rows": [1],
                "columns": [{"column": "Sector", "field": "sectr"}],
            }
        ),
        encoding="utf-8",
    )
    data = tmp_path / "data.csv"
    data.write_text("Sector\nhealth\n", encoding="utf-8")
    assert main(["import", str(data), "--map", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.json: column 'Sector': unknown field 'sectr' for activities" in err
    with pytest.raises(InvalidInput, match="values of modality: 'Cash' -> unknown code 'money'"):
        Mapping.from_json(
            {
                "corridor_mapping": 1,
                "kind": "activities",
                "header_rows": [1],
                "columns": [{"column": "Modality", "field": "modality"}],
                "values": {"modality": {"Cash": "money"}},
            },
            source="m.json",
        )


@pytest.mark.usefixtures("crn")
def test_cluster_5w_xlsx_merged_headers_fractions_rounded_only_when_asked(tmp_path, capsys):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "5W"
    sheet.append(["Food Security Cluster 5W - March 2024"])
    sheet.append(CLUSTER_5W_TOP)
    sheet.append(CLUSTER_5W_SUB)
    sheet.merge_cells("J2:K2")
    sheet.merge_cells("L2:M2")
    sheet.append(
        [
            "CRN",
            "FSL",
            "Chin",
            "Hakha",
            "MMR004002",
            "Lungbang",
            "Cash",
            "Ongoing",
            "2024-03",
            4.5,
            1,
            3,
            "NA",
            2,
            2,
            "NA",
        ]
    )
    sheet.append(
        [
            "Chin Relief Network",
            "Food",
            "Chin",
            "Falam",
            "",
            "",
            "In kind",
            "Completed",
            "March 2024",
            1,
            "-",
            0,
            1,
            "nil",
            0,
            "second round",
        ]
    )
    path = tmp_path / "fsc-5w.xlsx"
    book.save(path)

    assert main(["import", str(path), "--quiet", "--map", "auto"]) == 1
    out = capsys.readouterr().out
    assert "has counts with fractions (e.g. 4.5)" in out
    assert "fsc-5w.xlsx, row 4, column Female 18-59 + Female 60+: not a whole number: '4.5'" in out
    assert "round them with --round-counts" in out
    assert main(["import", str(path), "--quiet", "--map", "auto", "--round-counts"]) == 0
    hakha = Activity.objects.get(admin_unit_id="MMR004002")
    assert (hakha.women, hakha.men, hakha.girls, hakha.boys, hakha.notes) == (6, 3, 2, 2, "")
    falam = Activity.objects.get(admin_unit_id="MMR004001")
    assert (falam.women, falam.men, falam.girls, falam.sector) == (1, 1, 0, "food_security")


@pytest.mark.usefixtures("crn")
def test_a_saved_mapping_is_refused_for_another_header(tmp_path, capsys):
    path = write_csv(tmp_path / "3w.csv", [MIMU_3W, *mimu_rows()])
    assert main(["import", str(path), "--quiet", "--map", "auto", "--save-map", "3w"]) == 0
    other = write_csv(
        tmp_path / "other.csv",
        [[h if h != "Township Pcode" else "Tsp code" for h in MIMU_3W], *mimu_rows()],
    )
    capsys.readouterr()
    # No saved mapping has this header: not read through one silently.
    assert main(["import", str(other), "--quiet"]) == 1
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["import", str(other), "--quiet", "--map", "3w"]) == 1
    assert "no column 'Township Pcode' (mapped to adm3_code) in the header row 1" in (
        capsys.readouterr().err
    )
    assert SavedMapping.objects.count() == 1


@pytest.mark.usefixtures("crn")
def test_file_import_service_takes_a_mapping(tmp_path):
    path = write_csv(tmp_path / "3w.csv", [MIMU_3W, *mimu_rows()])
    mapping = propose(path, name="3w.csv")
    result = file_import(by=None, path=path, mapping=mapping, dry_run=True)
    assert (result.ok, result.format, result.rows) == (True, "mapped", 2)
    assert result.ignored == []


@pytest.mark.usefixtures("places")
def test_people_in_need_table_by_township_is_read_as_figures(tmp_path, capsys):
    path = write_csv(
        tmp_path / "pin.csv",
        [
            ["People in need and IDPs by township, HNRP 2024"],
            ["State/Region", "Township", "Tsp_Pcode", "Date", "IDPs", "PIN", "Source"],
            ["Chin", "Hakha", "MMR004002", "2024-03-31", "1,200", "15000", "HNRP 2024"],
            ["Chin", "Mindat", "MMR004006", "2024-03-31", "NA", "9000", "HNRP 2024"],
        ],
    )
    assert main(["import", str(path), "--quiet", "--map", "auto", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "kind: figures; header row(s): 2" in out
    assert "'PIN' -> people_in_need" in out
    assert "'Source' -> source_title" in out
    # "NA" IDPs is an empty cell, and a figure needs its IDPs: the pipeline's own rule.
    assert "pin.csv, row 4, column IDPs: the number of IDPs is required" in out


@pytest.mark.usefixtures("crn")
def test_the_import_run_names_the_mapping(tmp_path):
    from corridor.exchange.mapping.services import mapping_save
    from corridor.exchange.models import ImportRun

    path = write_csv(tmp_path / "3w.csv", [MIMU_3W, *mimu_rows()])
    mapping_save(by=None, name="3w", mapping=propose(path, name="3w.csv"))
    result = file_import(by=None, path=path, dry_run=True)
    assert result.mapping == "3w"
    run = ImportRun.objects.get(pk=result.run_id)
    assert (run.format, run.notes[0]) == ("mapped", "read through the saved mapping '3w'")
    with pytest.raises(InvalidInput, match="leave out --format"):
        main(["--debug", "import", str(path), "--map", "3w", "--format", "hxl"])


def test_a_zipped_csv_is_proposed_like_the_csv(tmp_path):
    import zipfile

    plain = write_csv(tmp_path / "3w.csv", [["MIMU 3W"], MIMU_3W, *mimu_rows()])
    zipped = tmp_path / "3w.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(plain, "export/3w.csv")
    assert propose(zipped, name="3w.zip").to_json() == propose(plain, name="3w.csv").to_json()
    assert fields_of(propose(zipped, name="3w.zip")) == MIMU_FIELDS
