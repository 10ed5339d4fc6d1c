"""`corridor geo` as people run it: the real entry point, and in-process for the details."""

import json

import pytest

from corridor.cli.main import main
from corridor.geo.models import PlaceAlias, PlaceReview

PASSWORD = "a long admin passphrase 7"


def test_review_queue_round_trip_through_the_real_cli(cli_instance, tmp_path):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    sheet = tmp_path / "report.csv"
    sheet.write_text("township,state\nKale,Sagaing\nHlaingthaya,Yangon\n", encoding="utf-8")
    first = cli_instance.run(
        "geo", "resolve", "--csv", str(sheet), "--column", "township",
        "--parent-column", "state", "--level", "3", "--queue", "--json",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    answers = [json.loads(line) for line in first.stdout.splitlines()]
    assert [(a["status"], a["pcode"]) for a in answers] == [
        ("matched", "MMR005027"),
        ("ambiguous", None),
    ]
    listed = cli_instance.run("geo", "review", "list", "--json")
    reviews = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["query"], r["context"]) for r in reviews] == [("Hlaingthaya", "report.csv row 3")]
    decided = cli_instance.run("geo", "review", "resolve", reviews[0]["id"][:8], "MMR013047")
    assert decided.returncode == 0, decided.stderr
    again = cli_instance.run("geo", "resolve", "--json", "--level", "3", "Hlaingthaya")
    answer = json.loads(again.stdout)
    assert answer["status"] == "matched"
    assert (answer["pcode"], answer["method"]) == ("MMR013047", "alias")
    assert cli_instance.run("geo", "review", "list").stdout.strip() == ""
    wrong = cli_instance.run("geo", "review", "resolve", reviews[0]["id"], "MMR013047")
    assert wrong.returncode != 0
    assert wrong.stderr.strip().startswith("corridor geo: error: ")
    assert "already resolved" in wrong.stderr


def test_resolve_json_prints_one_object_per_name(units, capsys):
    assert main(["geo", "resolve", "--json", "Kalay", "Htantabin", "Qwzxv"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["status"] for line in lines] == ["matched", "ambiguous", "not_found"]
    assert lines[0]["pcode"] == "MMR005027"
    assert lines[0]["method"] == "alias"
    assert {c["pcode"] for c in lines[1]["candidates"]} == {"MMR007014", "MMR013006"}
    assert set(lines[0]) >= {"status", "pcode", "level", "method", "score", "candidates"}


def test_list_and_show(units, capsys):
    assert main(["geo", "list", "--level", "3", "--parent", "Kayah State"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 7
    assert all(line.startswith("MMR002") for line in out)
    assert main(["geo", "show", "mmr005027", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["name_en"], shown["parent"], shown["has_boundary"]) == (
        "Kale",
        "MMR005D005",
        True,
    )


def test_review_reject_in_process(units, capsys):
    main(["geo", "resolve", "--queue", "Qwzxv"])
    review = PlaceReview.objects.get()
    assert main(["geo", "review", "reject", str(review.id)]) == 0
    review.refresh_from_db()
    assert review.status == "rejected"
    assert not PlaceAlias.objects.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["geo", "show", "MMR999"], "unknown p-code"),
        (["geo", "resolve"], "at least one NAME"),
        (["geo", "resolve", "--csv", "/nonexistent.csv", "--column", "a"], "no such file"),
        (["geo", "resolve", "--csv", "/nonexistent.csv"], "--column"),
        (["geo", "list", "--parent", "Atlantis"], "not one state or district"),
        (["geo", "review", "resolve", "1234", "MMR005027"], "8 characters"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(units, capsys, argv, message):
    assert main(argv) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert message in err[0]
