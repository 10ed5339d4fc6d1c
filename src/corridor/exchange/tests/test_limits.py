"""Hostile nesting and size refuse the file in one line naming it: never a 500, never a crash.

Over HTTP (API and upload page), through the CLI, and in the readers themselves.
"""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.safety import MAX_JSON_DEPTH, load_json
from corridor.testing.factories import MembershipFactory
from corridor.testing.signin import signed_in_client

DEEP_JSON = b"[" * 200_000


def api_upload(client, name: str, content: bytes, **data):
    return client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile(name, content), "org": "CRN", **data},
    )


@pytest.fixture
def editor_client(org):
    return signed_in_client(MembershipFactory(organisation=org, role="editor").user)


def test_deeply_nested_kobo_json_is_refused_over_the_api(editor_client):
    for data in ({}, {"format": "kobo-json", "dry_run": "true"}):
        response = api_upload(editor_client, "deep.json", DEEP_JSON, **data)

        assert response.status_code == 400, response.content
        detail = response.json()["detail"]
        assert detail == f"deep.json: refused: JSON nested deeper than {MAX_JSON_DEPTH} levels"


def test_nesting_just_under_the_interpreters_limit_is_refused_too():
    shallow = json.dumps([{"_uuid": "a", "photos": [[[["x"]]]]}])
    assert load_json(shallow, name="ok.json")[0]["_uuid"] == "a"
    nested = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(InvalidInput, match=r"nested\.json: refused: JSON nested deeper"):
        load_json(nested, name="nested.json")
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, name="edge.json")


def test_deeply_nested_json_in_an_api_body_is_refused(editor_client):
    # django-ninja answers any body its parser cannot read with a 400 of its own.
    response = editor_client.post(
        "/api/aid/activities/", data=b'{"a":' * 100_000, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "Cannot parse request body"


def test_deeply_nested_json_is_refused_on_the_upload_page(editor_client, org):
    response = editor_client.post(
        "/enter/upload/",
        {"file": SimpleUploadedFile("deep.json", DEEP_JSON), "organisation": str(org.pk)},
    )
    assert response.status_code == 400
    assert "deep.json: refused: JSON nested deeper than" in response.content.decode()


def test_deeply_nested_json_is_refused_at_the_command_line(cli_instance, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(DEEP_JSON)
    # An instance as a person has it: an import first asks whether an earlier run already
    # applied this file (decision 0369), which needs the database.
    admin = ("--no-input", "--admin-username", "admin", "--admin-password", "a-long-pass-phrase-9")
    assert cli_instance.init_copied(*admin).returncode == 0

    done = cli_instance.run("import", str(deep), "--dry-run")

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"corridor import: error: deep.json: refused: JSON nested deeper than "
        f"{MAX_JSON_DEPTH} levels"
    )


def test_an_over_long_csv_line_and_an_over_wide_row_are_refused(
    editor_client, monkeypatch, tmp_path
):
    monkeypatch.setattr(reading, "MAX_LINE", 1000)
    monkeypatch.setattr(reading, "MAX_COLUMNS", 50)
    header = "#sector,#adm3+code\r\n"

    long_line = api_upload(editor_client, "long.csv", (header + "x" * 2000 + "\r\n").encode())
    assert long_line.status_code == 400
    assert long_line.json()["detail"] == "long.csv, line 2: refused: a line longer than 0 MB"

    wide = api_upload(editor_client, "wide.csv", (header + "," * 60 + "\r\n").encode())
    assert wide.status_code == 400
    assert wide.json()["detail"] == "wide.csv, row 2: refused: more than 50 cells in one row"


def test_an_over_large_csv_cell_is_refused(editor_client):
    cell = "#sector,#adm3+code\r\n" + "y" * (reading.MAX_CELL + 10) + ",MMR004002\r\n"
    response = api_upload(editor_client, "cell.csv", cell.encode())
    assert response.status_code == 400
    assert response.json()["detail"].startswith("cell.csv, row 2: not a readable CSV row")


def _workbook(tmp_path, rows, rewrite=None):
    book = openpyxl.Workbook()
    for cells in rows:
        book.active.append(cells)
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    if rewrite is None:
        return plain.read_bytes()
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(changed, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = rewrite(data)
            out.writestr(item.filename, data)  # stored: the ZIP checks let it through
    return changed.read_bytes()


FOUR_W = [
    ["#sector", "#modality", "#adm3+code", "#date+reported", "#reached+f+adults"],
    ["health", "service", "MMR004002", "2024-03", 9],
]


def test_a_workbook_uploaded_over_the_api_is_read(editor_client, tmp_path):
    # Uploads are held under a neutral name; openpyxl must not go by the extension.
    response = api_upload(editor_client, "4w.xlsx", _workbook(tmp_path, FOUR_W), dry_run="true")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["rows"]) == ("checked", 1)


def test_a_forged_sheet_size_does_not_pad_rows(tmp_path):
    forged = _workbook(
        tmp_path,
        FOUR_W,
        lambda data: re.sub(
            rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data
        ),
    )
    path = tmp_path / "forged.xlsx"
    path.write_bytes(forged)
    rows = [cells for _, cells in reading.xlsx_rows(path)]
    assert [len(cells) for cells in rows] == [5, 5]


def test_broken_deep_or_wide_workbooks_are_refused_over_the_api(
    editor_client, monkeypatch, tmp_path
):
    broken = _workbook(
        tmp_path, FOUR_W, lambda data: data.replace(b"</row></sheetData>", b"</sheetData>")
    )
    response = api_upload(editor_client, "broken.xlsx", broken, format="hxl")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("broken.xlsx: not a readable XLSX file")

    deep = _workbook(
        tmp_path,
        FOUR_W,
        lambda data: data.replace(
            b"<sheetData>", b"<sheetData>" + b"<x>" * 200_000 + b"</x>" * 200_000
        ),
    )
    response = api_upload(editor_client, "deep.xlsx", deep, dry_run="true")
    # The sheet is read by a streaming parser without recursion: unknown elements, however
    # deep, are passed over and the rows still read.
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["rows"]) == ("checked", 1)

    monkeypatch.setattr(reading, "MAX_COLUMNS", 50)
    wide = _workbook(tmp_path, [FOUR_W[0], ["x"] * 60])
    response = api_upload(editor_client, "wide.xlsx", wide, format="hxl")
    assert response.status_code == 400
    assert response.json()["detail"] == "wide.xlsx, row 2: refused: more than 50 cells in one row"
