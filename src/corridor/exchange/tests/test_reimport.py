"""Re-importing an updated 5W file (issue 11 §4, decision 0150), through the CLI entry point.

The files are shaped like a cluster 5W: a title row, a header row, a hashtag row, columns
Corridor does not map (village, activity), and rows that share organisation, sector,
township and month and differ only in village, activity or the numbers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Sum

from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.cli.main import main
from corridor.exchange.models import ImportRun
from corridor.testing.factories import MembershipFactory, OrganisationFactory
from corridor.testing.signin import signed_in_client

TITLE = "Chin 5W March-April 2024 (health and shelter; CRN),,,,,,,,,,\r\n"
HEADERS = "Organisation,Sector,Modality,Township,Village,Activity,Month,Women,Men,Girls,Boys\r\n"
TAGS = (
    "#org,#sector,#modality,#adm3+code,,,#date+reported,#reached+f+adults,"
    "#reached+m+adults,#reached+f+children,#reached+m+children\r\n"
)
ROWS = [
    "CRN,health,service,MMR004002,Ywa Thit,Mobile clinic,2024-03,12,8,5,4",
    "CRN,health,service,MMR004002,Lai Tui,Mobile clinic,2024-03,10,6,3,2",
    "CRN,health,service,MMR004002,Ywa Thit,Health education,2024-03,30,11,0,0",
    "CRN,Health,Service,MMR004002,Ywa Thit,Mobile clinic,2024-04,14,9,6,5",
    "CRN,shelter,in_kind,MMR004002,Lai Tui,Tarpaulins,2024-04,20,20,15,15",
    # The same stored values as the row above (only the unmapped village differs).
    "CRN,shelter,in_kind,MMR004002,Kan Pet,Tarpaulins,2024-04,20,20,15,15",
    "CRN,health,service,MMR004001,Falam town,Mobile clinic,2024-04,7,3,2,1",
]
PEOPLE = [29, 21, 41, 34, 70, 70, 13]


def five_w(write, name: str, rows: list[str]) -> str:
    return str(write(name, TITLE + HEADERS + TAGS + "".join(r + "\r\n" for r in rows)))


def run_json(capsys, *args: str) -> dict:
    code = main(["import", *args, "--quiet", "--json"])
    out = capsys.readouterr().out
    summary = json.loads(out)
    assert code == (0 if summary["error_count"] == 0 else 1), out
    return summary


def counts(summary: dict) -> tuple[int, int, int, int]:
    return summary["created"], summary["changed"], summary["removed"], summary["unchanged"]


def people_stored() -> int:
    total = Activity.objects.aggregate(
        n=Sum(F("women") + F("men") + F("girls") + F("boys") + F("unspecified"))
    )["n"]
    return total or 0


def test_first_import_then_the_same_file_again(org, write, capsys):
    path = five_w(write, "5w.csv", ROWS)

    first = run_json(capsys, path)

    assert counts(first) == (7, 0, 0, 0)
    assert (first["rows"], first["valid"], first["held"], first["refused"]) == (7, 7, 0, 0)
    assert first["people_reached"] == sum(PEOPLE) == people_stored()
    assert (first["mapping"], first["organisations_to_create"]) == (None, [])
    assert first["scope"] == ["Chin Relief Network: activities of 2024-03 to 2024-04"]
    assert Activity.objects.count() == 7

    again = run_json(capsys, path)
    assert counts(again) == (0, 0, 0, 7)
    assert again["missing"] == 0
    assert Activity.objects.count() == 7


@pytest.mark.parametrize("replace", [False, True])
def test_a_re_sorted_copy_changes_nothing(org, write, capsys, replace):
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    stamps = dict(Activity.objects.values_list("pk", "updated_at"))

    extra = ["--replace"] if replace else []
    shuffled = [ROWS[n] for n in (5, 2, 6, 0, 4, 3, 1)]
    again = run_json(capsys, five_w(write, "5w-sorted.csv", shuffled), *extra)

    assert counts(again) == (0, 0, 0, 7)
    assert again["missing"] == 0
    assert dict(Activity.objects.values_list("pk", "updated_at")) == stamps


def test_one_row_removed_removes_exactly_that_record_with_replace(org, write, capsys):
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    before = people_stored()
    fewer = ROWS[:2] + ROWS[3:]  # the health education row is gone

    kept = run_json(capsys, five_w(write, "5w-update.csv", fewer))
    assert counts(kept) == (0, 0, 0, 6)
    assert kept["missing"] == 1
    assert kept["samples"]["not_in_file"] == ["MMR004002 health service 2024-03: 41 people reached"]
    assert Activity.objects.count() == 7  # kept: without --replace nothing is removed

    preview = run_json(capsys, five_w(write, "5w-update.csv", fewer), "--replace", "--dry-run")
    assert counts(preview) == (0, 0, 1, 6)
    assert preview["samples"]["removed"] == ["MMR004002 health service 2024-03: 41 people reached"]
    assert Activity.objects.count() == 7  # a dry run removes nothing

    audited = AuditEntry.objects.filter(action="remove").count()
    done = run_json(capsys, five_w(write, "5w-update.csv", fewer), "--replace")
    assert counts(done) == (0, 0, 1, 6)
    assert Activity.objects.count() == 6
    assert people_stored() == before - PEOPLE[2]
    assert not Activity.objects.filter(women=30, men=11).exists()
    # Removed softly, with the file as the reason (decision 0282; test_soft_replace.py).
    entry = AuditEntry.objects.filter(action="remove").latest("pk")
    assert AuditEntry.objects.filter(action="remove").count() == audited + 1
    assert entry.changes["removed"] == 1
    assert entry.changes["file"] == "5w-update.csv"
    assert ImportRun.objects.latest("created_at").removed == 1


def test_one_of_two_identical_rows_removed(org, write, capsys):
    run_json(capsys, five_w(write, "5w.csv", ROWS))

    done = run_json(capsys, five_w(write, "5w-update.csv", ROWS[:5] + ROWS[6:]), "--replace")

    assert counts(done) == (0, 0, 1, 6)
    assert Activity.objects.filter(modality="in_kind").count() == 1
    assert people_stored() == sum(PEOPLE) - 70


def test_nothing_outside_the_scope_is_touched(org, write, capsys):
    """A file of April only replaces April; March stays, and so does another organisation."""
    OrganisationFactory(name="Hakha Youth Network", acronym="HYN")
    other = [r.replace("CRN,", "HYN,") for r in ROWS]
    run_json(capsys, five_w(write, "hyn.csv", other))
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    april = [r for r in ROWS if "2024-04" in r][1:]

    done = run_json(capsys, five_w(write, "april.csv", april), "--replace")

    assert done["scope"] == ["Chin Relief Network: activities of 2024-04"]
    assert counts(done) == (0, 0, 1, 3)
    crn = Activity.objects.filter(organisation=org)
    assert crn.filter(reporting_month__month=3).count() == 3
    assert not crn.filter(reporting_month__month=4, women=14).exists()
    assert Activity.objects.exclude(organisation=org).count() == 7


def test_one_number_changed_with_a_declared_key_is_one_change(org, write, capsys):
    key = ["--key", "Village,Activity,Month,Sector"]
    unique = ROWS[:6]  # village, activity, month and sector tell these apart
    run_json(capsys, five_w(write, "5w.csv", unique), *key)
    changed = list(unique)
    changed[1] = changed[1].replace(",10,6,3,2", ",10,6,3,9")

    done = run_json(capsys, five_w(write, "5w-update.csv", changed), *key, "--replace")

    assert counts(done) == (0, 1, 0, 5)
    assert done["samples"]["changed"] == ["MMR004002 health service 2024-03: 28 people reached"]
    assert Activity.objects.count() == 6
    assert Activity.objects.filter(boys=9).count() == 1


def test_one_number_changed_without_a_key_replaces_the_record(org, write, capsys):
    """By content, an edited row is another record: with --replace the old one goes."""
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    changed = list(ROWS)
    changed[1] = changed[1].replace(",10,6,3,2", ",10,6,3,9")

    done = run_json(capsys, five_w(write, "5w-update.csv", changed), "--replace")

    assert counts(done) == (1, 0, 1, 6)
    assert Activity.objects.count() == 7
    assert people_stored() == sum(PEOPLE) + 7


def test_a_key_met_twice_is_an_error_naming_both_rows(org, write, capsys):
    summary = run_json(capsys, five_w(write, "5w.csv", ROWS), "--key", "Village,Activity")

    assert summary["status"] == "refused"
    assert summary["errors"][0] == (
        "5w.csv, row 7, column Village: the key (Ywa Thit, Mobile clinic) is the same as in row 4"
    )
    assert (summary["valid"], summary["refused"]) == (6, 1)
    assert Activity.objects.count() == 0


def test_an_unknown_key_column_names_the_columns(org, write, capsys):
    code = main(["import", five_w(write, "5w.csv", ROWS), "--quiet", "--key", "Vilage"])

    assert code == 1
    err = capsys.readouterr().err
    assert "5w.csv: no column 'Vilage' for the key; the columns are: #org (Organisation)" in err


def test_a_dry_run_of_a_new_file_counts_every_row_created_and_writes_nothing(org, write, capsys):
    summary = run_json(capsys, five_w(write, "5w.csv", ROWS), "--dry-run")

    assert summary["status"] == "checked"
    assert counts(summary) == (7, 0, 0, 0)
    assert summary["people_reached"] == sum(PEOPLE)
    assert len(summary["samples"]["created"]) == 5
    assert Activity.objects.count() == 0
    run = ImportRun.objects.get()
    assert (run.created, run.changed, run.unchanged) == (7, 0, 0)


def test_text_output_says_what_was_kept(org, write, capsys):
    main(["import", five_w(write, "5w.csv", ROWS), "--quiet"])
    capsys.readouterr()

    main(["import", five_w(write, "5w-update.csv", ROWS[1:]), "--quiet"])
    out = capsys.readouterr().out

    assert "scope: Chin Relief Network: activities of 2024-03 to 2024-04" in out
    assert "imported: 0 created, 0 changed, 0 removed, 6 unchanged" in out
    assert "1 records of this scope are not in the file and were kept" in out


def test_resumable_batches_count_and_remove_the_same(org, write, capsys):
    run_json(capsys, five_w(write, "5w.csv", ROWS), "--resumable", "--batch-size", "2")
    fewer = [ROWS[n] for n in (6, 5, 4, 3, 1, 0)]

    done = run_json(
        capsys,
        five_w(write, "5w-update.csv", fewer),
        "--resumable",
        "--batch-size",
        "2",
        "--replace",
    )

    assert counts(done) == (0, 0, 1, 6)
    assert Activity.objects.count() == 6


def test_the_api_the_web_upload_and_the_cli_report_the_same(org, write, capsys, settings, tmp_path):
    settings.HOME = tmp_path  # held uploads of the web check
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    update = [ROWS[n] for n in (6, 5, 4, 3, 1, 0)]  # re-sorted, one row gone
    path = five_w(write, "5w-update.csv", update)
    content = Path(path).read_bytes()
    client = signed_in_client(MembershipFactory(organisation=org, role="editor").user)

    cli = run_json(capsys, path, "--dry-run", "--replace")
    api = client.post(
        "/api/exchange/imports",
        {
            "file": SimpleUploadedFile("5w-update.csv", content, "text/csv"),
            "org": "CRN",
            "dry_run": "true",
            "replace": "true",
        },
    ).json()
    checked = client.post(
        "/enter/upload/",
        {
            "file": SimpleUploadedFile("5w-update.csv", content, "text/csv"),
            "organisation": str(org.pk),
            "replace": "on",
        },
    ).content.decode()

    assert counts(cli) == counts(api) == (0, 0, 1, 6)
    assert api["samples"] == cli["samples"]
    assert (api["valid"], api["refused"], api["people_reached"]) == (6, 0, sum(PEOPLE) - 41)
    assert "If you import it: 0 new, 0 changed, 1 removed, 6 unchanged." in checked
    assert "MMR004002 health service 2024-03: 41 people reached" in checked
    assert "Chin Relief Network: activities of 2024-03 to 2024-04" in checked
    assert Activity.objects.count() == 7

    run_id = re.search(r'name="run" value="([^"]+)"', checked).group(1)
    applied = client.post("/enter/upload/apply/", {"run": run_id}).content.decode()
    assert "Imported: 0 new, 0 changed, 1 removed, 6 unchanged." in applied
    assert Activity.objects.count() == 6
    assert people_stored() == sum(PEOPLE) - 41


def test_the_api_dry_run_of_new_rows_says_created(org, write):
    client = signed_in_client(MembershipFactory(organisation=org, role="editor").user)
    content = Path(five_w(write, "5w.csv", ROWS)).read_bytes()

    body = client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile("5w.csv", content, "text/csv"), "dry_run": "true"},
    ).json()

    assert (body["status"], body["created"], body["unchanged"]) == ("checked", 7, 0)
    assert Activity.objects.count() == 0


def test_json_through_the_real_entry_point(cli_instance, write):
    assert cli_instance.init_copied("--no-input", timeout=300).returncode in (0, 1)
    made = cli_instance.run(
        "manage",
        "shell",
        "-c",
        "from corridor.testing.factories import OrganisationFactory; "
        "OrganisationFactory(name='Chin Relief Network', acronym='CRN')",
    )
    assert made.returncode == 0, made.stderr

    first = cli_instance.run("import", five_w(write, "5w.csv", ROWS), "--json", "--quiet")
    assert first.returncode == 0, first.stderr
    assert counts(json.loads(first.stdout)) == (7, 0, 0, 0)

    update = five_w(write, "5w-update.csv", [ROWS[n] for n in (6, 5, 4, 3, 1, 0)])
    done = cli_instance.run("import", update, "--replace", "--json", "--quiet")

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert counts(summary) == (0, 0, 1, 6)
    assert (summary["rows"], summary["valid"], summary["refused"]) == (6, 6, 0)
    assert summary["people_reached"] == sum(PEOPLE) - 41


INCIDENTS = (
    "Events in Chin and Sagaing, March 2024\r\n"
    "#date+occurred,#event+type,#adm3+code,#affected+killed\r\n"
)


def test_incidents_replace_only_the_states_and_dates_of_the_file(places, write, capsys):
    from corridor.situation.models import Incident

    rows = [
        "2024-03-02,airstrike,MMR004002,0",
        "2024-03-02,airstrike,MMR004002,0",  # two events alike, one day, one township
        "2024-03-09,shelling,MMR004001,2",
        "2024-03-05,arson,MMR005022,0",
    ]
    run_json(capsys, str(write("events.csv", INCIDENTS + "\r\n".join(rows) + "\r\n")))
    chin = [rows[2], rows[0]]  # re-sorted, one of the two alike gone, no Sagaing rows

    done = run_json(
        capsys, str(write("chin.csv", INCIDENTS + "\r\n".join(chin) + "\r\n")), "--replace"
    )

    assert done["scope"] == [
        "no reporting organisation: incidents of 2024-03-02 to 2024-03-09 in Chin"
    ]
    assert counts(done) == (0, 0, 1, 2)
    assert done["people_reached"] is None
    assert Incident.objects.filter(admin_unit_id="MMR004002").count() == 1
    assert Incident.objects.filter(admin_unit_id="MMR005022").count() == 1


FIGURES = "#adm3+code,#date,#affected+idps,#meta+source+name\r\n"


def test_figures_replace_the_dates_of_their_source(places, write, capsys):
    from corridor.situation.models import DisplacementFigure

    rows = [
        "MMR004002,2024-03-01,1200,CCCM cluster",
        "MMR004001,2024-03-01,300,CCCM cluster",
        "MMR004001,2024-02-01,250,CCCM cluster",
    ]
    run_json(capsys, str(write("idps.csv", FIGURES + "\r\n".join(rows) + "\r\n")))

    done = run_json(capsys, str(write("idps-march.csv", FIGURES + rows[0] + "\r\n")), "--replace")

    assert done["scope"] == ["no reporting organisation: figures of CCCM cluster as of 2024-03-01"]
    assert counts(done) == (0, 0, 1, 1)
    assert DisplacementFigure.objects.count() == 2  # February is outside the scope
    code = main(["import", str(write("k.csv", FIGURES + rows[0])), "--key", "#date", "--quiet"])
    assert code == 1
    assert "identified by place, date and source" in capsys.readouterr().err
