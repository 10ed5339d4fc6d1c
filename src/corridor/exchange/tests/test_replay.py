"""An unchanged re-import is answered from the run that applied the file (decision 0369), and
takes the full path as soon as anything it depends on has changed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import GlobalRole, Membership, OrgRole
from corridor.aid import services
from corridor.aid.models import Activity
from corridor.exchange import pipeline, replay
from corridor.exchange.models import ImportRun
from corridor.exchange.services import file_import
from corridor.geo.models import AdminUnit
from corridor.geo.services import place_alias_add
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.signin import signed_in_client

HEADER = (
    "Id,Organisation,Sector,Modality,Township,Month,Status,Women,Men,Notes\r\n"
    "#meta+id,#org,#sector,#modality,#adm3+code,#date+reported,#status,"
    "#reached+f+adults,#reached+m+adults,#description\r\n"
)
TOWNSHIPS = ("MMR004001", "MMR004002", "MMR005011")


def lines(acronym: str, count: int = 6, month: str = "2024-03") -> list[str]:
    return [
        f"R{n},{acronym},health,in_kind,{TOWNSHIPS[n % 3]},{month},ongoing,{10 + n},2,row {n}"
        for n in range(count)
    ]


@pytest.fixture
def setup(org, write):
    admin = UserFactory(password=None, global_role=GlobalRole.ADMIN, is_superuser=True)
    path = write("5w.csv", HEADER + "".join(line + "\r\n" for line in lines(org.acronym)))
    first = file_import(by=admin, path=path, organisation=org)
    assert first.ok
    assert first.created == 6
    return admin, org, path, first


def full_path(monkeypatch, **kwargs):
    """The same import with replay switched off: what the rows themselves give."""
    with monkeypatch.context() as patch:
        patch.setattr(replay, "kept_run", lambda **_: None)
        return file_import(**kwargs)


def test_an_unchanged_reimport_is_answered_from_the_kept_run(setup, monkeypatch):
    admin, org, path, first = setup
    built = []
    validated = pipeline._validated
    monkeypatch.setattr(
        pipeline, "_validated", lambda *a, **k: built.append(1) or validated(*a, **k)
    )
    again = file_import(by=admin, path=path, organisation=org)
    assert again.replayed_from == str(first.run_id)
    assert built == [], "the replayed import read and built the rows"
    full = full_path(monkeypatch, by=admin, path=path, organisation=org)
    assert full.replayed_from == ""
    assert built == [1]
    keys = ("rows", "valid", "created", "changed", "unchanged", "removed", "missing", "scope")
    for name in (*keys, "people_reached", "warning_count", "status", "kind"):
        assert getattr(again, name) == getattr(full, name), name
    assert (again.unchanged, again.created, again.changed) == (6, 0, 0)
    assert again.summary()["replayed_from"] == str(first.run_id)
    run = ImportRun.objects.get(pk=again.run_id)
    assert run.status == "applied"
    assert run.unchanged == 6
    assert "replayed" in run.notes[0]
    # The kept state holds digests and counts, no values of the file.
    assert "row 1" not in json.dumps(run.replay)

    # A dry run is answered the same way and keeps nothing.
    dry = file_import(by=admin, path=path, organisation=org, dry_run=True)
    assert dry.replayed_from
    assert dry.status == "checked"
    assert ImportRun.objects.get(pk=dry.run_id).replay is None


def test_an_edited_record_takes_the_full_path(setup):
    admin, org, path, _first = setup
    activity = Activity.objects.order_by("women").first()
    services.activity_update(by=admin, activity=activity, women=99, confirm=True)
    again = file_import(by=admin, path=path, organisation=org)
    assert again.replayed_from == ""
    assert again.changed == 1  # the file's value is written back
    # ... and that run is kept: the next one is answered from it.
    assert file_import(by=admin, path=path, organisation=org).replayed_from == str(again.run_id)


def test_a_removed_record_takes_the_full_path(setup):
    admin, org, path, _first = setup
    activity = Activity.objects.order_by("women").first()
    services.activity_remove(by=admin, activity=activity, reason="typed twice")
    again = file_import(by=admin, path=path, organisation=org)
    assert again.replayed_from == ""


def test_a_new_record_in_the_scope_takes_the_full_path(setup):
    admin, org, path, _first = setup
    services.activity_record(
        by=admin,
        organisation=org,
        admin_unit=AdminUnit.objects.get(pk=TOWNSHIPS[0]),
        sector="shelter_nfi",
        modality="in_kind",
        reporting_month=dt.date(2024, 3, 1),
        women=4,
    )
    again = file_import(by=admin, path=path, organisation=org)
    assert again.replayed_from == ""
    assert again.missing == 1  # reported, as only the rows can tell


def test_a_record_outside_the_scope_changes_nothing(setup):
    admin, org, path, first = setup
    services.activity_record(
        by=admin,
        organisation=org,
        admin_unit=AdminUnit.objects.get(pk=TOWNSHIPS[0]),
        sector="health",
        modality="in_kind",
        reporting_month=dt.date(2024, 7, 1),
        women=4,
    )
    assert file_import(by=admin, path=path, organisation=org).replayed_from == str(first.run_id)


def test_a_changed_gazetteer_takes_the_full_path(setup, places):
    admin, org, path, _first = setup
    place_alias_add(by=admin, alias="Somewhere New", pcode=TOWNSHIPS[1])
    again = file_import(by=admin, path=path, organisation=org)
    assert again.replayed_from == ""
    assert file_import(by=admin, path=path, organisation=org).replayed_from == str(again.run_id)
    # A township renamed (the resolver's own stamp counts units only; this one reads names).
    AdminUnit.objects.filter(pk=TOWNSHIPS[2]).update(name_en="Renamed")
    assert file_import(by=admin, path=path, organisation=org).replayed_from == ""


def test_changed_rules_take_the_full_path(setup, monkeypatch):
    admin, org, path, _first = setup
    monkeypatch.setattr(replay, "code_stamp", lambda: "rules of another release")
    assert file_import(by=admin, path=path, organisation=org).replayed_from == ""


def test_another_person_or_other_options_take_the_full_path(setup):
    admin, org, path, first = setup
    editor = UserFactory(password=None)
    Membership.objects.create(user=editor, organisation=org, role=OrgRole.EDITOR)
    assert file_import(by=editor, path=path, organisation=org).replayed_from == ""
    keyed = file_import(by=admin, path=path, organisation=org, key=["Id"])
    assert keyed.replayed_from == ""
    # The editor's role changes: their kept run no longer answers.
    again = file_import(by=editor, path=path, organisation=org)
    assert again.replayed_from
    Membership.objects.filter(user=editor).update(role=OrgRole.ORG_ADMIN)
    assert file_import(by=editor, path=path, organisation=org).replayed_from == ""
    # The same bytes uploaded for another organisation are another upload; and a new
    # organisation may be what a row's name now resolves to: the rows are read again.
    other = OrganisationFactory(name="Karen Aid Group", acronym="KAG")
    assert file_import(by=admin, path=path, organisation=other).replayed_from == ""
    again = file_import(by=admin, path=path, organisation=org)
    assert again.replayed_from == ""
    assert again.run_id != first.run_id
    assert file_import(by=admin, path=path, organisation=org).replayed_from == str(again.run_id)


def test_a_partial_or_refused_run_is_not_kept(org, write):
    admin = UserFactory(password=None, global_role=GlobalRole.ADMIN, is_superuser=True)
    bad = [*lines(org.acronym), f"R9,{org.acronym},health,in_kind,MMR004001,2024-03,ongoing,-1,0,x"]
    path = write("bad.csv", HEADER + "".join(line + "\r\n" for line in bad))
    partial = file_import(by=admin, path=path, organisation=org, partial=True)
    assert partial.ok
    assert partial.held == 1
    assert ImportRun.objects.get(pk=partial.run_id).replay is None
    again = file_import(by=admin, path=path, organisation=org, partial=True)
    assert again.replayed_from == ""
    assert again.held == 1


def test_the_command_line_says_it_was_replayed(cli_instance, tmp_path):
    assert cli_instance.init_copied("--no-input", timeout=300).returncode in (0, 1)
    path = tmp_path / "5w.csv"
    path.write_text(HEADER + "".join(line + "\r\n" for line in lines("CRN")), encoding="utf-8")
    # The run that creates the organisation changed what the rules read: it keeps nothing.
    first = cli_instance.run("import", str(path), "--create-orgs")
    assert first.returncode == 0, first.stderr
    assert "6 created" in first.stdout
    second = cli_instance.run("import", str(path))
    assert second.returncode == 0, second.stderr
    assert "as import run" not in second.stdout
    again = cli_instance.run("import", str(path))
    assert again.returncode == 0, again.stderr
    assert "imported: 0 created, 0 changed, 0 removed, 6 unchanged" in again.stdout
    assert "unchanged: 6 rows, as import run" in again.stdout
    as_json = cli_instance.run("import", str(path), "--json")
    assert json.loads(as_json.stdout)["replayed_from"]


def test_the_api_names_the_run_it_answered_from(org):
    client = signed_in_client(MembershipFactory(organisation=org, role="editor").user)
    content = (HEADER + "".join(line + "\r\n" for line in lines(org.acronym))).encode()

    def upload():
        file = SimpleUploadedFile("5w.csv", content, "text/csv")
        response = client.post("/api/exchange/imports", {"file": file, "org": org.acronym})
        assert response.status_code == 200, response.content
        return response.json()

    first = upload()
    assert (first["created"], first["replayed_from"]) == (6, None)
    again = upload()
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 6)
    assert again["replayed_from"] == first["run_id"]
