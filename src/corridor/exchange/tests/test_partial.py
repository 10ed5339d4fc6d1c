"""Partial imports (decision 0205): a 5W shaped like the field's, with a few bad rows, through
`corridor import --partial`; the held rows fixed, given their township or dropped through
`corridor held`; and --replace, which removes nothing while rows are held."""

from __future__ import annotations

import json

import pytest

from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.cli.main import main
from corridor.exchange.held.queries import held_visible_to
from corridor.exchange.models import HeldRow, HeldStatus, ImportRun
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

HEADER = (
    "#org,#sector,#modality,#adm1+name,#adm3+name,#date+reported,"
    "#reached+f+adults,#reached+m+adults,#loc+village\r\n"
)
ROWS = [
    "CRN,health,service,Chin,Hakha,2024-03,10,5,Village A",
    "CRN,health,service,Chin,Falam,2024-03,NA,5,Village B",  # "NA" in a count
    "CRN,health,service,Yangon,Hlaingtharya,2024-03,7,3,Village C",  # East or West
    "CRN,rocketry,service,Chin,Tedim,2024-03,4,4,",  # an unknown sector
    "CRN,wash,service,Chin,Tonzang,2024-03,6,6,",
]


@pytest.fixture
def five_w(tmp_path):
    path = tmp_path / "5w.csv"
    path.write_text(HEADER + "\r\n".join(ROWS) + "\r\n", encoding="utf-8")
    return path


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _held(row: int) -> HeldRow:
    return HeldRow.objects.get(row=row, status=HeldStatus.HELD)


def test_a_partial_import_applies_the_valid_rows_and_holds_the_rest(org, five_w, capsys):
    # All or nothing stays the default: nothing is applied, nothing held.
    assert main(["import", str(five_w), "--quiet", "--json"]) == 1
    refused = _json(capsys)
    assert (refused["valid"], refused["held"], refused["refused"]) == (2, 0, 3)
    assert not Activity.objects.exists()
    assert not HeldRow.objects.exists()

    assert main(["import", str(five_w), "--quiet", "--json", "--partial"]) == 0
    summary = _json(capsys)
    for key in (
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
    ):
        assert key in summary, key
    assert (summary["rows"], summary["valid"], summary["held"], summary["refused"]) == (5, 2, 3, 0)
    assert (summary["created"], summary["changed"], summary["removed"]) == (2, 0, 0)
    assert summary["people_reached"] == 15 + 12 == sum(a.people for a in Activity.objects.all())
    assert ImportRun.objects.get(pk=HeldRow.objects.first().run_id).held == 3

    reasons = {h.row: json.loads(h.reasons)[0] for h in HeldRow.objects.all()}
    assert reasons[3]["column"] == "#reached+f+adults"
    assert reasons[3]["reason"] == "not a whole number: 'NA'"
    assert reasons[4]["column"] == "#adm3+name"
    # Hlaingtharya was split (decision 0210): the reason names both successors.
    assert (
        "its ground is now Hlaingtharya (East) (MMR013046), Hlaingtharya (West)"
        in (reasons[4]["reason"])
    )
    assert reasons[5]["column"] == "#sector"
    assert "unknown sector 'rocketry'" in reasons[5]["reason"]
    # Held cells are encrypted at rest: the village is not in the table's text.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cells, reasons FROM exchange_heldrow")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert "Village B" not in stored
    assert "Falam" not in stored

    # The review list shows each row, its reason, and the townships to pick from.
    assert main(["held", "list"]) == 0
    listed = capsys.readouterr().out
    assert "5w.csv, row 3 (held)" in listed
    assert "column #reached+f+adults: not a whole number: 'NA'" in listed
    assert "MMR013046 Hlaingtharya (East), MMR013047 Hlaingtharya (West)" in listed

    # Fix a value: the row goes through the same rules and writer, and is applied.
    assert main(["held", "fix", str(_held(3).pk)[:8], "#reached+f+adults=0"]) == 0
    assert "applied: 5w.csv, row 3: 1 created" in capsys.readouterr().out
    falam = Activity.objects.get(admin_unit__name_en="Falam")
    assert (falam.women, falam.men, falam.village) == (0, 5, "Village B")

    # Pick the township among the candidates.
    assert main(["held", "fix", str(_held(4).pk), "--township", "MMR013047"]) == 0
    assert Activity.objects.get(admin_unit_id="MMR013047").people == 10

    # A fix that is still wrong keeps the row held, with the new reason.
    assert main(["held", "fix", str(_held(5).pk), "sector=rockets"]) == 1
    assert "unknown sector 'rockets'" in capsys.readouterr().out
    assert json.loads(_held(5).reasons)[0]["value"] == "rockets"
    # ... and dropping it leaves it out for good.
    assert main(["held", "drop", str(_held(5).pk)]) == 0
    assert not held_visible_to(None).exists()
    assert HeldRow.objects.get(row=5).status == HeldStatus.DROPPED
    assert Activity.objects.count() == 4
    assert sum(a.people for a in Activity.objects.all()) == 27 + 5 + 10

    # Applying and dropping are audited (columns named, values not).
    fixes = AuditEntry.objects.filter(object_type="exchange.heldrow", action="update")
    assert sorted(e.changes["status"] for e in fixes) == ["applied", "applied", "held"]
    assert AuditEntry.objects.filter(object_type="exchange.heldrow", action="delete").count() == 1

    # The same file again: settled rows are not brought back; what was applied is unchanged.
    assert main(["import", str(five_w), "--quiet", "--json", "--partial"]) == 0
    again = _json(capsys)
    assert (again["created"], again["unchanged"], again["held"]) == (0, 2, 3)
    assert HeldRow.objects.count() == 3


def test_replace_removes_nothing_while_rows_are_held(org, five_w, tmp_path, capsys):
    assert main(["import", str(five_w), "--quiet", "--partial"]) == 0
    capsys.readouterr()
    # The next version of the file: the Hakha row stays, the Tonzang row now has a bad count.
    # The stored Tonzang record is not in the applied rows, but the held row may be its new
    # version: nothing is removed while a row is held.
    v2 = tmp_path / "5w-v2.csv"
    v2.write_text(HEADER + ROWS[0] + "\r\n" + ROWS[4].replace(",6,6,", ",six,6,") + "\r\n")
    assert main(["import", str(v2), "--quiet", "--json", "--partial", "--replace"]) == 0
    summary = _json(capsys)
    assert (summary["held"], summary["missing"], summary["removed"]) == (1, 1, 0)
    assert Activity.objects.count() == 2
    # Once the file has no held row, --replace removes what it no longer holds.
    v3 = tmp_path / "5w-v3.csv"
    v3.write_text(HEADER + ROWS[0] + "\r\n")
    assert main(["import", str(v3), "--quiet", "--json", "--partial", "--replace"]) == 0
    summary = _json(capsys)
    assert (summary["held"], summary["missing"], summary["removed"]) == (0, 1, 1)
    assert list(Activity.objects.values_list("admin_unit__name_en", flat=True)) == ["Hakha"]


def test_a_viewer_of_another_organisation_sees_no_held_rows(org, five_w, capsys):
    editor = UserFactory(username="editor")
    MembershipFactory(user=editor, organisation=org, role="editor")
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, organisation=OrganisationFactory(name="Other"))
    args = ["import", str(five_w), "--quiet", "--partial", "--as", "editor", "--org", "CRN"]
    assert main(args) == 0
    capsys.readouterr()
    assert held_visible_to(editor).count() == 3
    assert held_visible_to(outsider).count() == 0
    some = str(HeldRow.objects.first().pk)
    assert main(["held", "drop", some, "--as", "outsider"]) == 1
    assert HeldRow.objects.get(pk=some).status == HeldStatus.HELD


def _editor_client(org):
    from corridor.testing.signin import signed_in_client

    editor = MembershipFactory(organisation=org, role="editor").user
    return signed_in_client(editor)


def test_the_api_imports_partially_and_says_what_it_held(org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _editor_client(org)
    text = HEADER + "\r\n".join(ROWS) + "\r\n"
    response = client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile("5w.csv", text.encode(), "text/csv"), "partial": "true"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["valid"], body["held"], body["refused"]) == ("applied", 2, 3, 0)
    assert [e["row"] for e in body["held_rows"]] == [3, 4, 5]
    assert Activity.objects.count() == 2
    assert HeldRow.objects.filter(organisation=None).count() == 3


def test_a_small_upload_not_asked_to_be_partial_is_refused_with_a_hint(org):
    client = _editor_client(org)
    text = HEADER + "\r\n".join(ROWS) + "\r\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/enter/upload/",
        {"file": SimpleUploadedFile("5w.csv", text.encode(), "text/csv"), "organisation": org.pk},
    )
    page = response.content.decode()
    assert "The file was refused: 3 problems. Nothing was imported." in page
    assert "Hold rows with problems for review" in page
    assert "not a whole number: &#x27;NA&#x27;" in page
    assert "Import the valid rows" not in page
    assert not Activity.objects.exists()

    # The review list is empty, and it says so.
    listed = client.get("/enter/held/").content.decode()
    assert "No rows are held." in listed


def test_on_the_web_a_viewer_sees_their_organisations_held_rows_but_may_not_settle_them(
    org, five_w, capsys
):
    from corridor.testing.signin import signed_in_client

    editor = UserFactory(username="editor")
    MembershipFactory(user=editor, organisation=org, role="editor")
    viewer = MembershipFactory(organisation=org, role="viewer").user
    args = ["import", str(five_w), "--quiet", "--partial", "--as", "editor", "--org", "CRN"]
    assert main(args) == 0
    capsys.readouterr()
    some = HeldRow.objects.get(row=5)

    client = signed_in_client(viewer)
    page = client.get("/enter/held/").content.decode()
    assert "5w.csv, row 5" in page
    assert "unknown sector &#x27;rocketry&#x27;" in page
    answer = client.post(f"/enter/held/{some.pk}/drop/", follow=True)
    assert "you may not change this" in answer.content.decode()
    some.refresh_from_db()
    assert some.status == HeldStatus.HELD

    # The editor fixes it on the same page: the sector cell, through the same rules.
    client = signed_in_client(editor)
    at = some.table["labels"].index("#sector")
    answer = client.post(f"/enter/held/{some.pk}/fix/", {f"cell-{at}": "wash"}, follow=True)
    assert "5w.csv, row 5: fixed and imported." in answer.content.decode()
    assert Activity.objects.filter(admin_unit__name_en="Tedim", sector="wash").exists()
