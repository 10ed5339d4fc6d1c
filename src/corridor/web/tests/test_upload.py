"""Bulk upload in the web pages: check first (report and error CSV), then import, all or nothing."""

from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.exchange.models import ImportRun
from corridor.testing import factories as f
from corridor.testing.signin import sign_in
from corridor.web import uploads
from corridor.web.tests.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db

GOOD = (
    "#sector,#modality,#adm3+code,#date+reported,#reached+f+adults,#reached+m+adults\r\n"
    f"health,service,{TOWNSHIP},2024-04,9,4\r\n"
    f"wash,in_kind,{TOWNSHIP},2024-04,20,11\r\n"
)
BAD = (
    "#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
    f"health,service,{TOWNSHIP},2024-04,9\r\n"
    f"football,service,{TOWNSHIP},2024-04,-3\r\n"
    "health,service,MMR999999,2024-13,5\r\n"
)


@pytest.fixture(autouse=True)
def private_home(settings, tmp_path):
    """Each test its own instance folder, so held files of one test never meet another's."""
    settings.HOME = tmp_path


def _upload(client, text: str, org, name: str = "4w.csv", **extra):
    return client.post(
        "/enter/upload/",
        {
            "file": SimpleUploadedFile(name, text.encode(), "text/csv"),
            "organisation": str(org.pk),
            **extra,
        },
    )


def test_check_then_import(client, editor, data):
    page = client.get("/enter/upload/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f'<option value="{data["org"].pk}" selected>' in page  # their only organisation
    before = Activity.objects.count()

    checked = _upload(client, GOOD, data["org"], format="hxl", kind="activities")
    assert checked.status_code == 200
    page = checked.content.decode()
    assert 'id="upload-ok"' in page
    assert "No problems found in 2 rows." in page
    assert Activity.objects.count() == before  # a check saves nothing
    run = ImportRun.objects.get(dry_run=True)
    assert run.status == "checked"
    assert run.by == editor
    held = list(uploads._folder().iterdir())
    assert [p.name for p in held] == [str(run.pk)]
    assert GOOD.encode() not in held[0].read_bytes()  # held encrypted
    run_id = re.search(r'name="run" value="([^"]+)"', page).group(1)
    assert run_id == str(run.pk)

    applied = client.post("/enter/upload/apply/", {"run": run_id})
    assert applied.status_code == 200
    page = applied.content.decode()
    assert 'id="upload-done"' in page
    assert "Imported: 2 new, 0 changed, 0 removed, 0 unchanged." in page
    assert Activity.objects.count() == before + 2
    assert set(
        Activity.objects.filter(reporting_month=dt.date(2024, 4, 1)).values_list(
            "organisation", flat=True
        )
    ) == {data["org"].pk}
    assert not list(uploads._folder().iterdir())  # the hold is gone
    # Importing again needs a new check: the hold was used once.
    again = client.post("/enter/upload/apply/", {"run": run_id})
    assert again.status_code == 302
    assert Activity.objects.count() == before + 2


def test_a_bad_file_shows_row_column_reason_and_the_error_csv(client, editor, data):
    response = _upload(client, BAD, data["org"], name="bad.csv")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file was refused: 4 problems. Nothing was imported." in page
    rows = re.findall(
        r'<tr><td class="n">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', page
    )
    assert rows[0][:3] == ("3", "#sector", "football")
    assert rows[0][3].startswith("unknown sector &#x27;football&#x27;")
    assert ("3", "#reached+f+adults", "-3", "must be 0 or more, not -3") in rows
    assert ("4", "#adm3+code", "MMR999999", "unknown p-code &#x27;MMR999999&#x27;") in rows
    assert 'name="run"' not in page  # nothing to import
    assert not list(uploads._folder().iterdir())
    link = re.search(r'href="(/api/exchange/imports/[^"]+/errors\.csv)"', page).group(1)
    report = client.get(link)
    assert report.status_code == 200
    text = report.content.decode()
    assert "bad.csv,3,#sector,football" in text
    assert "MMR999999" in text
    # Only the person who ran the check may download it.
    other = f.UserFactory()
    f.MembershipFactory(user=other, organisation=data["org"], role=OrgRole.EDITOR)
    sign_in(client, other)
    assert client.get(link).status_code == 404


def test_a_file_whose_format_cannot_be_told_is_refused_plainly(client, editor, data):
    response = _upload(client, "just,some,columns\r\n1,2,3\r\n", data["org"], name="odd.csv")
    assert response.status_code == 400
    assert "cannot tell the format" in response.content.decode()


def test_refusals_and_reasons_are_in_burmese_for_a_burmese_user(client, editor, data):
    editor.language = "my"
    editor.save(update_fields=["language"])
    odd = _upload(client, "just,some,columns\r\n1,2,3\r\n", data["org"], name="odd.csv")
    assert odd.status_code == 400
    assert "odd.csv- ဖိုင်ပုံစံကို မသိနိုင်ပါ" in odd.content.decode()

    page = _upload(client, BAD, data["org"], name="bad.csv").content.decode()
    assert "၀ သို့မဟုတ် ထို့ထက်များရမည်၊ -3 မဖြစ်ရ" in page
    assert "p-code &#x27;MMR999999&#x27; ကို မသိပါ" in page
    assert "ဤလ မရှိပါ- &#x27;2024-13&#x27;" in page


def test_only_organisations_the_person_reports_for_are_offered(client, editor, data):
    other = f.OrganisationFactory(name="Someone Else")
    page = client.get("/enter/upload/").content.decode()
    assert "Someone Else" not in page
    response = _upload(client, GOOD, other)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_viewers_may_not_upload(client, data):
    viewer = f.UserFactory()
    f.MembershipFactory(user=viewer, organisation=data["org"], role=OrgRole.VIEWER)
    sign_in(client, viewer)
    assert client.get("/enter/upload/").status_code == 403
    assert _upload(client, GOOD, data["org"]).status_code == 403
    assert client.post("/enter/upload/apply/", {"run": "x"}).status_code == 403


def test_a_hold_cannot_be_taken_from_another_session(client, editor, data):
    page = _upload(client, GOOD, data["org"]).content.decode()
    run_id = re.search(r'name="run" value="([^"]+)"', page).group(1)
    from django.test import Client

    other = Client()
    sign_in(other, editor)  # same person, another browser: another session, no key
    assert other.post("/enter/upload/apply/", {"run": run_id}).status_code == 302
    assert not Activity.objects.filter(reporting_month=dt.date(2024, 4, 1)).exists()


def test_old_holds_are_swept(client, editor, data):
    _upload(client, GOOD, data["org"])
    assert len(list(uploads._folder().iterdir())) == 1
    assert uploads.holds_sweep(now=time.time() + 10) == 0
    assert uploads.holds_sweep(now=time.time() + uploads.HOLD_MINUTES * 60 + 5) == 1
    assert not list(uploads._folder().iterdir())


def test_a_hold_another_server_swept_first_is_not_an_error(tmp_path, monkeypatch):
    """Two `corridor serve` processes on one instance folder sweep at the same time (0230)."""
    old = tmp_path / "old"
    old.write_bytes(b"held")
    past = time.time() - uploads.HOLD_MINUTES * 60 - 5
    os.utime(old, (past, past))

    class Listed:
        """The folder as listed by this process, after the other one took "gone"."""

        def iterdir(self):
            return iter([tmp_path / "gone", old])

    monkeypatch.setattr(uploads, "_folder", Listed)
    assert uploads.holds_sweep() == 1
    assert not old.exists()


def test_with_rows_held_the_check_says_replacing_removes_nothing_yet(client, editor, data):
    first = _upload(client, GOOD, data["org"]).content.decode()
    client.post("/enter/upload/apply/", {"run": re.search(r'name="run" value="([^"]+)"', first)[1]})
    assert Activity.objects.filter(reporting_month=dt.date(2024, 4, 1)).count() == 2
    # The update: the health row again, the wash row gone, and a row with a problem.
    update = GOOD.splitlines()[0] + "\r\n" + GOOD.splitlines()[1] + "\r\n"
    update += f"football,service,{TOWNSHIP},2024-04,5,5\r\n"

    page = _upload(client, update, data["org"], partial="on", replace="on").content.decode()

    assert "If you import it: 0 new, 0 changed, 0 removed, 1 unchanged." in page
    assert 'id="upload-kept-held"' in page
    assert "One record it covers is not in this file; it is kept while rows" in page
    assert "Not in this file (kept), for example:" in page
    assert "Removed, for example" not in page
