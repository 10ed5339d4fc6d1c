"""Issue 11, "Done when", for the command line, through the real `corridor` entry point.

Files with the columns of the MIMU 3W template and of a cluster 5W — including the ones the
issue found unmapped: elderly (60+) age bands, people with disabilities, village tract, village,
donor, cash / voucher / in-kind and conditionality, partner acronym and type — and synthetic
rows naming partners Corridor does not know yet:

- `corridor import FILE --map auto --create-orgs --dry-run --json` prints ONE JSON object (the
  proposal goes to standard error) with the documented keys, and its `mapping` has every
  column mapped to a field;
- the import itself creates the partners and the records;
- a re-sorted copy imported again reports 0 created, 0 changed, 0 removed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

KEYS = {
    "rows",
    "valid",
    "held",
    "refused",
    "created",
    "changed",
    "removed",
    "unchanged",
    "mapping",
    "organisations_to_create",
    "people_reached",
}

MIMU_3W = [
    "Implementing Partner",
    "Acronym",
    "Organization Type",
    "Donor",
    "Sector/Cluster",
    "Activity",
    "State/Region",
    "State/Region Pcode",
    "District",
    "District Pcode",
    "Township",
    "Township Pcode",
    "Village Tract/Town",
    "Village/Ward",
    "Transfer Modality",
    "Conditionality",
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
    "Persons with Disabilities",
    "Total Reached",
    "# of HH",
]


def _mimu_rows() -> list[list[str]]:
    def row(org, acronym, kind, donor, sector, activity, district, d_code, township, t_code,
            tract, village, modality, condition, status, month, people):  # fmt: skip
        women, old_women, men, old_men, girls, boys, disabled = people
        total = women + old_women + men + old_men + girls + boys
        return [
            org, acronym, kind, donor, sector, activity, "Chin", "MMR004", district, d_code,
            township, t_code, tract, village, modality, condition, status, f"{month}-01",
            f"{month}-28", month, str(women), str(old_women), str(men), str(old_men),
            str(girls), str(boys), str(disabled), str(total), str(total // 4),
        ]  # fmt: skip

    return [
        row("Chin Relief Network", "CRN", "NNGO", "ECHO", "Food Security", "Rice and oil",
            "Hakha", "MMR004D003", "Hakha", "MMR004002", "Lungbang", "Lungbang",
            "In-kind", "", "Completed", "2024-03", (10, 2, 8, 1, 5, 4, 1)),
        row("Chin Relief Network", "CRN", "NNGO", "ECHO", "WASH", "Latrines",
            "Falam", "MMR004D001", "Falam", "MMR004001", "Khuasak", "Khuasak",
            "Cash", "Conditional", "Ongoing", "2024-03", (3, 0, 3, 1, 2, 2, 0)),
        row("Mindat Women Group", "MWG", "CBO", "", "Health", "Mobile clinic",
            "Mindat", "MMR004D002", "Mindat", "MMR004006", "Sagawng", "Sagawng",
            "Voucher", "Unconditional", "Completed", "2024-04", (20, 6, 11, 4, 9, 7, 3)),
        row("Mindat Women Group", "MWG", "CBO", "", "Health", "Mobile clinic",
            "Mindat", "MMR004D002", "Mindat", "MMR004006", "Sagawng", "Sagawng",
            "Voucher", "Unconditional", "Completed", "2024-05", (18, 5, 10, 4, 8, 7, 2)),
    ]  # fmt: skip


# A cluster 5W: a title, then two header rows (sex over age band), partners by name.
CLUSTER_TOP = [
    "Organisation",
    "Organisation Type",
    "Donor",
    "Sector",
    "State",
    "Township",
    "Tsp_Pcode",
    "Village Tract",
    "Village",
    "Cash/Voucher/In-kind",
    "Activity Status",
    "Reporting Month",
    "Female",
    "",
    "Male",
    "",
    "Girls",
    "Boys",
    "People with disabilities",
    "Total",
    "Remarks",
]
CLUSTER_SUB = ["", "", "", "", "", "", "", "", "", "", "", "", "18-59", "60+", "18-59", "60+"]
CLUSTER_SUB += [""] * (len(CLUSTER_TOP) - len(CLUSTER_SUB))


def _cluster_rows() -> list[list[str]]:
    return [
        ["Chin Relief Network", "NNGO", "WFP", "Food Security", "Chin", "Hakha", "MMR004002",
         "Lungbang", "Lungbang", "Cash", "Completed", "2024-03", "4", "1", "3", "0", "2", "2",
         "1", "12", "first round"],
        ["Tedim Youth Network", "CSO", "", "Protection", "Chin", "Tedim", "MMR004004",
         "Saizang", "Saizang", "In-kind", "Ongoing", "2024-03", "6", "2", "5", "1", "3", "3",
         "NA", "20", "NA"],
        ["Falam Health Team", "EHO", "UNICEF", "Health", "Chin", "Falam", "MMR004001",
         "Khuasak", "", "Voucher", "Completed", "2024-04", "7", "3", "6", "2", "4", "5",
         "2", "27", ""],
    ]  # fmt: skip


def _write(path: Path, rows: list[list[str]]) -> str:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return str(path)


def _one_json(done) -> dict:
    assert done.returncode == 0, done.stdout + done.stderr
    # Standard output is exactly one JSON object: json.loads refuses anything around it.
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("name", "head", "body", "width", "partners"),
    [
        (
            "mimu-3w.csv",
            [["MIMU 3W - Chin State - 2024"], [], MIMU_3W],
            _mimu_rows,
            len(MIMU_3W),
            {"Chin Relief Network", "Mindat Women Group"},
        ),
        (
            "cluster-5w.csv",
            [["Cluster 5W - March/April 2024"], CLUSTER_TOP, CLUSTER_SUB],
            _cluster_rows,
            len(CLUSTER_TOP),
            {"Chin Relief Network", "Tedim Youth Network", "Falam Health Team"},
        ),
    ],
)
def test_every_column_mapped_partners_created_and_a_resorted_copy_changes_nothing(
    cli_instance, tmp_path, name, head, body, width, partners
):
    init = cli_instance.init_copied("--no-input", timeout=300)
    assert init.returncode in (0, 1), init.stderr
    rows = body()
    path = _write(tmp_path / name, [*head, *rows])

    checked = _one_json(
        cli_instance.run(
            "import", path, "--map", "auto", "--create-orgs", "--dry-run", "--json", "--quiet"
        )
    )
    assert set(checked) >= KEYS, KEYS - set(checked)
    columns = checked["mapping"]["columns"]
    assert len(columns) == width  # every column of the header, each with its field
    assert [c for c in columns if c["field"] is None] == []
    assert {o["name"] for o in checked["organisations_to_create"]} == partners
    assert (checked["rows"], checked["valid"], checked["held"], checked["refused"]) == (
        len(rows),
        len(rows),
        0,
        0,
    )
    assert (checked["created"], checked["changed"], checked["removed"]) == (len(rows), 0, 0)
    assert (
        "proposed mapping"
        in cli_instance.run(
            "import", path, "--map", "auto", "--dry-run", "--create-orgs", "--quiet"
        ).stdout
    )  # without --json the proposal is shown as before

    done = _one_json(
        cli_instance.run(
            "import", path, "--map", "auto", "--create-orgs", "--save-map", name, "--json",
            "--quiet",
        )
    )  # fmt: skip
    assert (done["created"], done["changed"], done["removed"]) == (len(rows), 0, 0)
    assert done["mapping"]["name"] == name  # --save-map is kept with --json too
    assert done["people_reached"] > 0
    created = {o["name"] for o in done["organisations_to_create"] if o["created"]}
    assert created == partners

    # The same rows re-sorted, found by their header (the saved mapping): nothing moves.
    resorted = _write(tmp_path / f"resorted-{name}", [*head, *reversed(rows)])
    again = _one_json(cli_instance.run("import", resorted, "--replace", "--json", "--quiet"))
    assert again["mapping"]["name"] == name
    assert (again["created"], again["changed"], again["removed"]) == (0, 0, 0)
    assert again["unchanged"] == len(rows)
    assert again["people_reached"] == done["people_reached"]
