"""A cluster-wide 5W whose rows name their organisations (issue 11 §2, decision 0160).

Three partners: two Corridor knows, one it does not. Tried as people use it: the CLI through
its entry point (as the operator, and ``--as`` a coordinator or an editor) and the API over
HTTP. A hidden organisation's real name must never come back in any answer or report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.cli.main import main
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.testing.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    anonymous_organisation,
)
from corridor.testing.signin import signed_in_client

HIDDEN_NAME = "Hidden Real Name Zq4"
MASKED_NAME = "Masked Real Name Qx7"
SECRETS = (HIDDEN_NAME, "HRZ", MASKED_NAME, "MRQ")

TITLE = "Organisation,Acronym,Org type,Sector,Modality,Township Pcode,Month,Women reached"
TAGS = (
    "#org+name,#org+acronym,#org+type,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults"
)
ROWS = [
    "Chin Relief Network,CRN,NNGO,health,service,MMR004002,2024-03,9",
    "Karen Health Alliance,KHA,NNGO,health,service,MMR004002,2024-03,11",
    "Sagaing Youth Relief,SYR,NNGO,food_security,in_kind,MMR004002,2024-03,13",
    "Chin Relief Network,CRN,NNGO,wash,in_kind,MMR004002,2024-04,5",
    "Sagaing Youth Relief,SYR,NNGO,health,service,MMR004002,2024-04,7",
]


def five_w(*rows: str) -> str:
    return "\r\n".join([TITLE, TAGS, *(rows or ROWS)]) + "\r\n"


@pytest.fixture
def world(places):
    crn = OrganisationFactory(name="Chin Relief Network", acronym="CRN")
    kha = OrganisationFactory(name="Karen Health Alliance", acronym="KHA")
    masked = OrganisationFactory(
        name=MASKED_NAME, acronym="MRQ", visibility=Visibility.PSEUDONYMOUS, alias="Blue Lotus"
    )
    hidden = anonymous_organisation(HIDDEN_NAME, acronym="HRZ")
    editor = MembershipFactory(organisation=crn, role=OrgRole.EDITOR).user
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    return {
        "crn": crn,
        "kha": kha,
        "masked": masked,
        "hidden": hidden,
        "editor": editor,
        "coordinator": coordinator,
    }


@pytest.fixture
def cluster_file(tmp_path):
    def _write(text: str = "") -> str:
        path = tmp_path / "cluster-5w.csv"
        path.write_text(text or five_w(), encoding="utf-8")
        return str(path)

    return _write


def counts() -> dict[str, int]:
    found: dict[str, int] = {}
    for name in Activity.objects.values_list("organisation__name", flat=True):
        found[name] = found.get(name, 0) + 1
    return found


# -- the CLI -----------------------------------------------------------------------------------


def test_without_create_orgs_the_missing_one_is_named_and_nothing_is_filed(
    world, cluster_file, capsys, tmp_path
):
    report = tmp_path / "errors.csv"
    code = main(["import", cluster_file(), "--quiet", "--report", str(report)])

    out = capsys.readouterr().out
    assert code == 1
    assert (
        "cluster-5w.csv, row 5, column #org+name (Organisation): unknown organisation "
        "'Sagaing Youth Relief'; to create it, import with --create-orgs" in out
    )
    assert "organisations to create (1; import with --create-orgs):" in out
    assert "Sagaing Youth Relief (SYR, local_cso): 2 rows (5, 7)" in out
    assert "refused: 2 errors, nothing imported" in out
    # Only the two rows of the missing partner are refused; the known ones would go in.
    assert [r["row"] for r in csv.DictReader(io.StringIO(report.read_text()))] == ["5", "7"]
    assert Activity.objects.count() == 0
    assert not Organisation.objects.filter(name="Sagaing Youth Relief").exists()


def test_a_dry_run_lists_the_organisations_to_create_and_creates_nothing(
    world, cluster_file, capsys
):
    code = main(["import", cluster_file(), "--quiet", "--dry-run", "--create-orgs"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "organisations to create (1):" in out
    assert "Sagaing Youth Relief (SYR, local_cso): 2 rows (5, 7)" in out
    assert "checked: no errors; would be 5 created, 0 changed, 0 removed, 0 unchanged" in out
    assert Organisation.objects.filter(name="Sagaing Youth Relief").count() == 0
    assert Activity.objects.count() == 0


def test_create_orgs_creates_the_missing_one_not_public_and_files_each_row_under_its_own(
    world, cluster_file, capsys
):
    code = main(["import", cluster_file(), "--quiet", "--create-orgs"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "organisations created (1, not public; see docs/exchange.md):" in out
    assert "imported: 5 created" in out
    new = Organisation.objects.get(name="Sagaing Youth Relief")
    assert (new.acronym, new.kind, new.base_country) == ("SYR", OrgKind.LOCAL_CSO, "MM")
    assert new.visibility == Visibility.PSEUDONYMOUS
    assert new.alias == f"Partner {str(new.pk)[:8]}"
    assert new.public_label == new.alias  # never its name, outside Corridor
    assert counts() == {
        "Chin Relief Network": 2,
        "Karen Health Alliance": 1,
        "Sagaing Youth Relief": 2,
    }
    assert AuditEntry.objects.filter(
        action="create", object_type="orgs.organisation", object_id=str(new.pk)
    ).exists()

    # The same file again: the new partner is known now; nothing more is created.
    assert main(["import", cluster_file(), "--quiet", "--create-orgs"]) == 0
    out = capsys.readouterr().out
    assert "organisations" not in out
    assert "imported: 0 created, 0 changed, 0 removed, 5 unchanged" in out
    assert Organisation.objects.filter(name="Sagaing Youth Relief").count() == 1


def test_a_refused_file_creates_no_organisation(world, cluster_file, capsys):
    bad = [*ROWS[:2], "Sagaing Youth Relief,SYR,NNGO,health,service,MMR999999,2024-03,1"]

    code = main(["import", cluster_file(five_w(*bad)), "--quiet", "--create-orgs"])

    assert code == 1
    assert "unknown p-code 'MMR999999'" in capsys.readouterr().out
    assert not Organisation.objects.filter(name="Sagaing Youth Relief").exists()
    assert Activity.objects.count() == 0


def test_a_coordinator_files_for_every_partner_and_creates_the_new_one(world, cluster_file, capsys):
    coordinator = world["coordinator"].username

    code = main(["import", cluster_file(), "--quiet", "--create-orgs", "--as", coordinator])

    out = capsys.readouterr().out
    assert code == 0, out
    assert counts() == {
        "Chin Relief Network": 2,
        "Karen Health Alliance": 1,
        "Sagaing Youth Relief": 2,
    }
    new = Organisation.objects.get(name="Sagaing Youth Relief")
    entry = AuditEntry.objects.get(object_type="orgs.organisation", object_id=str(new.pk))
    assert str(entry.actor_id) == str(world["coordinator"].pk)


def test_an_editor_may_not_create_organisations(world, cluster_file, capsys):
    code = main(
        ["import", cluster_file(), "--quiet", "--create-orgs", "--as", world["editor"].username]
    )

    assert code == 1
    err = capsys.readouterr().err
    assert "only coordinators and admins may create organisations (--create-orgs)" in err
    assert Activity.objects.count() == 0
    assert not Organisation.objects.filter(name="Sagaing Youth Relief").exists()


def test_an_editor_is_refused_another_organisations_rows_by_names_they_may_see(
    world, cluster_file, capsys, tmp_path
):
    rows = [
        ROWS[0],
        ROWS[1],
        "Blue Lotus,,,health,service,MMR004002,2024-03,3",
        f"{HIDDEN_NAME},,,health,service,MMR004002,2024-03,3",
        "HRZ,,,health,service,MMR004002,2024-03,3",
        f"{MASKED_NAME},,,health,service,MMR004002,2024-03,3",
        "Hidden Real Name Zq5,,,health,service,MMR004002,2024-03,3",
    ]
    report = tmp_path / "errors.csv"

    code = main(
        [
            "import",
            cluster_file(five_w(*rows)),
            "--quiet",
            "--as",
            world["editor"].username,
            "--report",
            str(report),
        ]
    )

    captured = capsys.readouterr()
    out = captured.out
    assert code == 1
    reasons = {r["row"]: r["reason"] for r in csv.DictReader(io.StringIO(report.read_text()))}
    assert reasons == {
        "4": "you may not add activities for Karen Health Alliance",
        "5": "you may not add activities for Blue Lotus",
        "6": f"unknown organisation {HIDDEN_NAME!r}; a coordinator can create it (--create-orgs)",
        "7": "unknown organisation 'HRZ'; a coordinator can create it (--create-orgs)",
        "8": f"unknown organisation {MASKED_NAME!r}; a coordinator can create it (--create-orgs)",
        "9": "unknown organisation 'Hidden Real Name Zq5'; a coordinator can create it "
        "(--create-orgs)",
    }
    # The editor typed the hidden names themselves; nothing else of them comes back: no
    # suggestion, no acronym, no alias of what they may not see.
    whole = out + captured.err + report.read_text()
    assert whole.count(HIDDEN_NAME) == out.count(HIDDEN_NAME) + report.read_text().count(
        HIDDEN_NAME
    )
    for secret in ("Zq4'?", "did you mean 'Hidden", "HRZ)", "MRQ", "Anonymous organisation"):
        assert secret not in whole
    assert Activity.objects.count() == 0


def test_a_near_miss_is_offered_only_among_names_one_may_see(world, cluster_file, capsys, tmp_path):
    rows = [
        "Chin Relief Netwrk,,,health,service,MMR004002,2024-03,9",
        "Hidden Real Name Zq,,,health,service,MMR004002,2024-03,9",
    ]
    report = tmp_path / "errors.csv"
    main(
        [
            "import",
            cluster_file(five_w(*rows)),
            "--quiet",
            "--as",
            world["editor"].username,
            "--report",
            str(report),
        ]
    )
    capsys.readouterr()

    reasons = [r["reason"] for r in csv.DictReader(io.StringIO(report.read_text()))]
    assert reasons[0].endswith("; did you mean 'Chin Relief Network'?")
    assert "did you mean" not in reasons[1]
    assert HIDDEN_NAME not in report.read_text()


# -- the API over HTTP -------------------------------------------------------------------------


def upload(client, content: str, **data):
    return client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile("5w.csv", content.encode(), "text/csv"), **data},
    )


def test_api_coordinator_previews_then_creates(world):
    client = signed_in_client(world["coordinator"])

    preview = upload(client, five_w(), dry_run="true")
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["status"] == "refused"
    assert body["organisations_to_create"] == [
        {
            "name": "Sagaing Youth Relief",
            "acronym": "SYR",
            "type": "local_cso",
            "rows": [5, 7],
            "row_count": 2,
            "created": False,
        }
    ]
    assert {e["row"] for e in body["errors"]} == {5, 7}

    applied = upload(client, five_w(), create_orgs="true")
    body = applied.json()
    assert (applied.status_code, body["status"], body["created"]) == (200, "applied", 5)
    assert body["organisations_to_create"][0]["created"] is True
    assert counts()["Sagaing Youth Relief"] == 2


def test_api_editor_create_orgs_is_refused_with_a_clear_message(world):
    client = signed_in_client(world["editor"])

    response = upload(client, five_w(), create_orgs="true")

    assert response.status_code == 403
    assert "only coordinators and admins may create organisations" in response.json()["detail"]
    assert Activity.objects.count() == 0


def test_api_editor_rows_of_others_refused_without_leaking_hidden_names(world):
    client = signed_in_client(world["editor"])
    rows = [ROWS[0], ROWS[1], "Blue Lotus,,,health,service,MMR004002,2024-03,3", ROWS[2]]

    response = upload(client, five_w(*rows), org="CRN")

    body = response.json()
    assert body["status"] == "refused"
    assert [(e["row"], e["reason"]) for e in body["errors"]] == [
        (4, "you may not add activities for Karen Health Alliance"),
        (5, "you may not add activities for Blue Lotus"),
        (
            6,
            "unknown organisation 'Sagaing Youth Relief'; a coordinator can create it "
            "(--create-orgs)",
        ),
    ]
    report = client.get(body["error_report_url"]).content.decode()
    for secret in SECRETS:
        assert secret not in response.content.decode()
        assert secret not in report
    assert Activity.objects.count() == 0


def test_api_coordinator_may_not_file_for_an_anonymous_organisation_by_id(world):
    client = signed_in_client(world["coordinator"])
    hidden = str(world["hidden"].pk)
    tags = "#org+code," + TAGS.split(",", 1)[1]
    text = f"{tags}\r\n{hidden},SYR,NNGO,health,service,MMR004002,2024-03,1\r\n"

    body = upload(client, text, create_orgs="true").json()

    assert body["status"] == "refused"
    assert body["errors"][0]["reason"] == f"no organisation with id {hidden}"
    assert body["organisations_to_create"] == []
    assert Activity.objects.count() == 0


def test_resumable_batches_create_the_new_one_with_the_batch_citing_it(world, cluster_file, capsys):
    code = main(
        ["import", cluster_file(), "--quiet", "--create-orgs", "--resumable", "--batch-size", "2"]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert "organisations created (1, not public; see docs/exchange.md):" in out
    assert Organisation.objects.filter(name="Sagaing Youth Relief").count() == 1
    assert counts()["Sagaing Youth Relief"] == 2


def _summary(capsys, *args: str) -> dict:
    code = main(["import", *args, "--quiet", "--json"])
    out = capsys.readouterr().out
    summary = json.loads(out)
    assert code == 0, out
    return summary


def test_the_scope_names_an_organisation_the_import_creates_by_its_name(
    world, cluster_file, capsys
):
    coordinator = world["coordinator"].username
    for dry_run in (["--dry-run"], []):
        summary = _summary(capsys, cluster_file(), "--create-orgs", "--as", coordinator, *dry_run)
        # Not the id the new organisation gets: the person never saw it.
        assert "Sagaing Youth Relief: activities of 2024-03 to 2024-04" in summary["scope"]


def test_a_coordinators_re_import_removes_only_the_records_they_filed(world, cluster_file, capsys):
    """Decision 0240: a coordinator's --replace removes, for a partner, what the
    coordinator filed and nobody changed since; what the partner entered or changed stays."""
    coordinator = world["coordinator"].username
    kha_wash = "Karen Health Alliance,KHA,NNGO,wash,in_kind,MMR004002,2024-03,4"
    crn_food = "Chin Relief Network,CRN,NNGO,food_security,cash,MMR004002,2024-04,6"
    _summary(
        capsys,
        cluster_file(five_w(*ROWS, kha_wash, crn_food)),
        "--create-orgs",
        "--as",
        coordinator,
    )
    editor = world["editor"]
    own = ActivityFactory(
        organisation=world["crn"],
        admin_unit_id="MMR004002",
        reporting_month=dt.date(2024, 3, 1),
        created_by=editor,
        updated_by=editor,
    )
    # CRN's editor corrected one of the records the coordinator filed.
    Activity.objects.filter(organisation=world["crn"], sector="food_security").update(
        updated_by=editor
    )

    # The next version no longer has the KHA wash row nor the CRN food row.
    summary = _summary(capsys, cluster_file(five_w(*ROWS)), "--replace", "--as", coordinator)

    assert (summary["created"], summary["changed"], summary["removed"]) == (0, 0, 1)
    assert not Activity.objects.filter(organisation=world["kha"], sector="wash").exists()
    assert Activity.objects.filter(pk=own.pk).exists()
    assert Activity.objects.filter(organisation=world["crn"], sector="food_security").exists()
    assert summary["scope_kept"] == [
        "Chin Relief Network: activities of 2024-03 to 2024-04: records others entered or changed"
    ]

    # An editor's --replace for their own organisation removes as before, whoever filed it.
    mine = five_w(*[row for row in ROWS if "Chin Relief" in row])
    summary = _summary(capsys, cluster_file(mine), "--replace", "--as", editor.username)
    assert (summary["removed"], summary["scope_kept"]) == (2, [])
    assert not Activity.objects.filter(pk=own.pk).exists()
    assert not Activity.objects.filter(organisation=world["crn"], sector="food_security").exists()
