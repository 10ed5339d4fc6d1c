"""Naming organisations in an import: no hidden name in any refusal, no existence oracle.

Issue 10, finding 1: an editor named a pseudonymous organisation by its alias (or its id in
#org+code) and the refusal printed its real name, in the answer and in the error report; the
upload's ``org`` answered 403 for a hidden organisation and 400 for a missing one. The API,
the web upload and the CLI are each tried as people use them (decision 0110).
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.orgs.models import Visibility
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    anonymous_organisation,
)
from corridor.testing.signin import signed_in_client

ROW = "health,service,MMR004002,2024-03,9"
HEADER = "#sector,#modality,#adm3+code,#date+reported,#reached+f+adults"
MASKED_NAME = "Masked Real Name Qx7"
HIDDEN_NAME = "Hidden Real Name Zq4"


@pytest.fixture
def world(places):
    own = OrganisationFactory(name="Own Network", acronym="OWN")
    masked = OrganisationFactory(
        name=MASKED_NAME, acronym="MRQ", visibility=Visibility.PSEUDONYMOUS, alias="Blue Lotus"
    )
    hidden = anonymous_organisation(HIDDEN_NAME, acronym="HRZ")
    editor = MembershipFactory(organisation=own, role=OrgRole.EDITOR).user
    return {"own": own, "masked": masked, "hidden": hidden, "client": signed_in_client(editor)}


def _file(column: str, value: str) -> str:
    return f"{column},{HEADER}\r\n{value},{ROW}\r\n"


def upload(client, content: str, **data):
    return client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile("4w.csv", content.encode(), "text/csv"), **data},
    )


def _refusal(client, content: str, **data) -> tuple[list[dict], str]:
    """The row errors of a refused upload, and its error report as downloaded."""
    response = upload(client, content, **data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "refused"
    report = client.get(body["error_report_url"])
    assert report.status_code == 200
    return body["errors"], report.content.decode()


#: A masked CSRF token (64 letters and digits, new on every page): a three-letter acronym turns
#: up in one by chance about once in two thousand pages, so tokens are left out of the search.
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _no_real_name(*texts: str) -> None:
    for text in texts:
        text = CSRF_TOKEN.sub("", text)
        for secret in (MASKED_NAME, "MRQ", HIDDEN_NAME, "HRZ"):
            assert secret not in text


def test_a_pseudonym_named_by_alias_is_refused_by_its_alias(world):
    errors, report = _refusal(world["client"], _file("#org", "Blue Lotus"))

    assert [e["reason"] for e in errors] == ["you may not add activities for Blue Lotus"]
    assert "you may not add activities for Blue Lotus" in report
    _no_real_name(str(errors), report)
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("whose", ["masked", "hidden"])
def test_a_hidden_id_answers_as_an_id_nobody_has(world, whose):
    hidden_id = str(world[whose].pk)
    missing_id = str(uuid.uuid4())

    errors, report = _refusal(world["client"], _file("#org+code", hidden_id))
    missing, missing_report = _refusal(world["client"], _file("#org+code", missing_id))

    assert [e["reason"] for e in errors] == [f"no organisation with id {hidden_id}"]
    assert [{**e, "value": "", "reason": e["reason"].replace(hidden_id, "")} for e in errors] == [
        {**e, "value": "", "reason": e["reason"].replace(missing_id, "")} for e in missing
    ]
    assert report.replace(hidden_id, "?") == missing_report.replace(missing_id, "?")
    _no_real_name(str(errors), report)


@pytest.mark.parametrize(
    "text", [MASKED_NAME, "MRQ", HIDDEN_NAME, "HRZ", "Anonymous organisation {hidden8}"]
)
def test_a_hidden_name_in_a_row_answers_as_a_name_nobody_has(world, text):
    text = text.format(hidden8=str(world["hidden"].pk)[:8])

    errors, report = _refusal(world["client"], _file("#org", text))
    missing, missing_report = _refusal(world["client"], _file("#org", "Nobody At All"))

    assert [e["reason"] for e in errors] == [
        f"unknown organisation {text!r}; a coordinator can create it (--create-orgs)"
    ]
    assert errors[0]["reason"].replace(text, "?") == missing[0]["reason"].replace(
        "Nobody At All", "?"
    )
    assert report.replace(text, "?") == missing_report.replace("Nobody At All", "?")


@pytest.mark.parametrize(
    "text", [MASKED_NAME, "mrq", HIDDEN_NAME, "HRZ", "{masked}", "{hidden}", "{hidden_label}"]
)
def test_the_org_field_answers_the_same_for_hidden_and_missing(world, text):
    text = text.format(
        masked=world["masked"].pk, hidden=world["hidden"].pk, hidden_label=world["hidden"].name
    )
    client = world["client"]
    good = f"{HEADER}\r\n{ROW}\r\n"

    hidden = upload(client, good, org=text)
    missing = upload(client, good, org="Nobody At All")

    assert (hidden.status_code, missing.status_code) == (400, 400)
    assert hidden.json() == {"detail": f"no organisation {text!r}"}
    assert missing.json() == {"detail": "no organisation 'Nobody At All'"}
    assert Activity.objects.count() == 0


def test_the_org_field_finds_a_pseudonym_by_its_alias_and_ones_own_by_any_name(world):
    client = world["client"]
    good = f"{HEADER}\r\n{ROW}\r\n"

    refused = upload(client, good, org="Blue Lotus")
    assert refused.status_code == 403  # the alias is public; adding for it is not allowed
    _no_real_name(refused.content.decode())

    for text in ("own", "Own Network", str(world["own"].pk)):
        assert upload(client, good, org=text, dry_run="true").status_code == 200, text


def test_a_member_of_the_pseudonym_still_uses_its_real_name(world):
    member = MembershipFactory(organisation=world["masked"], role=OrgRole.EDITOR).user
    response = upload(signed_in_client(member), _file("#org", MASKED_NAME))
    assert response.json()["status"] == "applied", response.content
    assert Activity.objects.get().organisation == world["masked"]


def test_web_upload_refuses_by_alias_and_hides_a_hidden_organisation(world):
    client = world["client"]

    def page(org_pk, content):
        return client.post(
            "/enter/upload/",
            {
                "file": SimpleUploadedFile("4w.csv", content.encode(), "text/csv"),
                "organisation": str(org_pk),
            },
        )

    checked = page(world["own"].pk, _file("#org", "Blue Lotus"))
    text = checked.content.decode()
    assert checked.status_code == 200
    # The row's own organisation decides (decision 0160): refused by the alias.
    assert "you may not add activities for Blue Lotus" in text
    _no_real_name(text)

    # Choosing a hidden organisation in the form answers as choosing one that does not exist.
    hidden = page(world["masked"].pk, f"{HEADER}\r\n{ROW}\r\n")
    missing = page(uuid.uuid4(), f"{HEADER}\r\n{ROW}\r\n")
    assert hidden.status_code == missing.status_code == 400
    assert "Select a valid choice" in hidden.content.decode()
    _no_real_name(hidden.content.decode())
    assert Activity.objects.count() == 0


def test_cli_operator_names_any_organisation_and_a_missing_one_is_refused(cli_instance, tmp_path):
    """The instance operator (``by`` None) may see every organisation: --org by any name."""
    assert cli_instance.init_copied("--no-input", timeout=300).returncode in (0, 1)
    seed = (
        "from corridor.orgs.models import Organisation as O\n"
        f"o = O(name={MASKED_NAME!r}, acronym='MRQ', kind='local_cso', base_country='MM',"
        " visibility='pseudonymous', alias='Blue Lotus'); o.save(); print(o.pk)"
    )
    seeded = cli_instance.run("manage", "shell", "-v", "0", "-c", seed)
    assert seeded.returncode == 0, seeded.stderr
    masked_id = seeded.stdout.strip().splitlines()[-1]
    data = tmp_path / "4w.csv"
    data.write_text(f"{HEADER}\r\n{ROW}\r\n", encoding="utf-8")

    for text in ("Blue Lotus", MASKED_NAME, "mrq", masked_id):
        result = cli_instance.run("import", str(data), "--org", text, "--dry-run", "--quiet")
        assert result.returncode == 0, (text, result.stdout, result.stderr)
        assert "checked: no errors" in result.stdout

    missing = cli_instance.run("import", str(data), "--org", "Nobody At All", "--quiet")
    assert missing.returncode != 0
    assert "no organisation 'Nobody At All'" in missing.stderr
