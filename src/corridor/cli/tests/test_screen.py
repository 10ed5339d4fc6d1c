"""`corridor screen`: loading lists and screening names, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from corridor.testing.factories import TEST_PASSWORD

DATA = Path(__file__).resolve().parents[2] / "screening" / "tests" / "data"
LIST = (
    "name,aliases,type,country,programme,source,date\n"
    "Kinnara Cement Public Co. Ltd.,Kinnara Cement,company,mm,SYN-CONGLOMERATE,synthetic,2023-05\n"
    "Daw Thandar Hnin,ဒေါ်သန္တာနှင်း,person,mm,SYN-PERSONS,synthetic,2022\n"
)


def test_lists_and_names_through_the_entry_point(cli_instance, tmp_path):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": TEST_PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    empty = cli_instance.run("screen", "lists")
    assert empty.returncode == 0, empty.stderr
    assert "no lists loaded" in empty.stdout

    path = tmp_path / "synthetic.csv"
    path.write_text(LIST, encoding="utf-8")
    loaded = cli_instance.run("screen", "lists", "import", str(path), "--name", "syn",
                              "--source", "synthetic test list")  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == (
        "list 'syn' (csv, version 1): 2 added, 0 changed, 0 removed, 0 unchanged; 2 entities"
    )
    ftm = cli_instance.run("screen", "lists", "import", str(DATA / "synthetic_ftm.jsonl"))
    assert ftm.returncode == 0, ftm.stderr
    assert "list 'synthetic_ftm' (ftm, version 1): 5 added" in ftm.stdout
    again = cli_instance.run("screen", "lists", "import", str(path), "--name", "syn")
    assert "0 added, 0 changed, 0 removed, 2 unchanged" in again.stdout

    listed = cli_instance.run("screen", "lists", "--json")
    lists = {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert (lists["syn"]["entities"], lists["syn"]["source"]) == (2, "synthetic test list")
    assert lists["synthetic_ftm"]["format"] == "ftm"

    names = cli_instance.run(
        "screen", "names", "--json", "KINNARA CEMENT COMPANY LIMITED", "Ma Thandar Hnin",
        "Shwe Zabu Gems Co Ltd", "Mingalar Rice Shop",
    )  # fmt: skip
    assert names.returncode == 0, names.stderr
    answers = [json.loads(line) for line in names.stdout.splitlines()]
    assert [(a["query"], a["status"], a["entity"]) for a in answers] == [
        ("KINNARA CEMENT COMPANY LIMITED", "match", "Kinnara Cement Public Co. Ltd."),
        ("Ma Thandar Hnin", "match", "Daw Thandar Hnin"),
        ("Shwe Zabu Gems Co Ltd", "match", "Shwe Zabu Gems Co., Ltd."),
        ("Mingalar Rice Shop", "clear", ""),
    ]
    assert set(answers[0]) >= {"query", "status", "entity", "score", "reasons"}
    assert "honorific 'ma' set aside" in answers[1]["reasons"]
    assert any(r.startswith("owned by listed company") for r in answers[2]["reasons"])
    assert "4 name(s) screened, 3 flagged" in names.stderr

    payees = tmp_path / "payees.csv"
    payees.write_text("payee,amount\nKinnara Cement Ltd,100\nMingalar Rice Shop,20\n")
    bulk = cli_instance.run("screen", "names", "--csv", str(payees), "--column", "payee")
    assert bulk.returncode == 0, bulk.stderr
    lines = bulk.stdout.splitlines()
    assert lines[0].startswith(
        "match    Kinnara Cement Ltd  ~ Kinnara Cement Public Co. Ltd. [syn]"
    )
    assert lines[-1] == "clear    Mingalar Rice Shop"
    wrong = cli_instance.run("screen", "names", "--csv", str(payees), "--column", "name")
    assert wrong.returncode == 1
    assert "no column 'name' (columns: payee, amount)" in wrong.stderr

    bad = tmp_path / "bad.csv"
    bad.write_text("name,type\nGood Co,company\nBad Co,ship\n")
    refused = cli_instance.run("screen", "lists", "import", str(bad))
    assert refused.returncode == 1
    assert "bad.csv, row 3, column type: 'ship' is not one of" in refused.stderr
