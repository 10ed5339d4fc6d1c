"""Files shaped like the real ones that broke the import (issue 11), over the API and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.aid.models import Activity
from corridor.cli.main import main
from corridor.exchange import reading
from corridor.exchange.tests.legacy_xls import OLE2_TEST_DOCUMENT, write_xls
from corridor.geo.models import PlaceReview
from corridor.testing.factories import MembershipFactory
from corridor.testing.signin import signed_in_client

TAGS = "#org,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
ROW = "CRN,health,service,MMR004002,2024-03,9\r\n"


def upload(client, name: str, content: bytes, **data):
    return client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile(name, content, "application/octet-stream"), **data},
    )


def editor_client(org):
    return signed_in_client(MembershipFactory(organisation=org, role="editor").user)


# -- rows of "#" cells ----------------------------------------------------------------------


def test_a_title_row_starting_with_hash_is_passed_over(org):
    text = "# Q1 report,,,,,\r\n" + TAGS + ROW

    response = upload(editor_client(org), "q1.csv", text.encode(), org="CRN")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["created"]) == ("applied", 1)
    assert Activity.objects.get().women == 9


def test_a_hashtag_row_with_an_old_style_tag_is_refused_naming_the_cell(org):
    text = "Country,Sector\r\n#country/en,#sector\r\nMyanmar,health\r\n"

    response = upload(editor_client(org), "old-hxl.csv", text.encode(), org="CRN")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "old-hxl.csv, row 2: not HXL hashtags: '#country/en' (a hashtag is # and a name, "
        "then +attributes, e.g. #country+name+i_en)"
    )
    assert Activity.objects.count() == 0


def test_rows_of_hash_cells_without_a_hashtag_are_refused_over_the_cli(org, tmp_path, capsys):
    path = tmp_path / "titles.csv"
    path.write_text("# Q1 report\r\n#country/en,#adm1/en\r\nMyanmar,Chin\r\n", encoding="utf-8")

    assert main(["import", str(path), "--quiet"]) == 1

    err = capsys.readouterr().err
    assert "titles.csv: no HXL hashtag row in the first 25 rows" in err
    assert "row 1 starts with # but '# Q1 report' is not an HXL hashtag" in err
    assert Activity.objects.count() == 0


def test_a_title_row_starting_with_hash_is_passed_over_in_a_workbook(org, workbook, capsys):
    path = workbook(
        "q1.xlsx", [("Data", [["# Q1 report"], TAGS.strip().split(","), ROW.strip().split(",")])]
    )

    assert main(["import", str(path), "--quiet"]) == 0

    assert "imported: 1 created" in capsys.readouterr().out
    assert Activity.objects.get().women == 9


# -- organisations the file names -------------------------------------------------------------

# A cluster 5W: each row names its partner; one partner is not in Corridor yet.
FIVE_W = (
    "Organisation,Sector,Modality,Township,Month,Women\r\n"
    + TAGS
    + ROW
    + "Save the Kids Myanmar,health,service,MMR004002,2024-03,12\r\n"
)


def test_a_row_naming_an_unknown_organisation_is_refused_not_filed_under_the_upload_org(org):
    response = upload(editor_client(org), "5w.csv", FIVE_W.encode(), org="CRN")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["created"], body["error_count"]) == ("refused", 0, 1)
    error = body["errors"][0]
    assert (error["row"], error["column"], error["value"], error["reason"]) == (
        4,
        "#org (Organisation)",
        "Save the Kids Myanmar",
        "unknown organisation 'Save the Kids Myanmar'; a coordinator can create it (--create-orgs)",
    )
    assert Activity.objects.count() == 0


def test_the_cli_refuses_an_unknown_organisation_even_with_org(org, tmp_path, capsys):
    path = tmp_path / "5w.csv"
    path.write_text(FIVE_W, encoding="utf-8")

    assert main(["import", str(path), "--org", "CRN", "--quiet"]) == 1

    assert (
        "5w.csv, row 4, column #org (Organisation): unknown organisation 'Save the Kids Myanmar'"
        in capsys.readouterr().out
    )
    assert Activity.objects.count() == 0


# -- zipped tables --------------------------------------------------------------------------


def zipped(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(member, text.encode())
    return out.getvalue()


def test_a_zipped_csv_is_read(org):
    # As a browser or HDX zips an export: a folder entry and macOS's resource fork around it.
    content = zipped(
        {
            "5w/": "",
            "5w/chin-5w.csv": "\ufeffChin 5W\r\n" + TAGS + ROW,
            "__MACOSX/5w/._chin-5w.csv": "junk",
        }
    )

    response = upload(editor_client(org), "chin-5w.zip", content, org="CRN")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["created"]) == ("applied", 1)
    assert Activity.objects.get().women == 9


def test_errors_in_a_zipped_tsv_name_the_zip_and_the_table(org, tmp_path, capsys):
    tsv = (TAGS + ROW.replace(",9", ",nine")).replace(",", "\t")
    path = tmp_path / "5w.zip"
    path.write_bytes(zipped({"chin.tsv": tsv}))

    assert main(["import", str(path), "--quiet"]) == 1

    assert (
        "5w.zip, file chin.tsv, row 2, column #reached+f+adults: not a whole number: 'nine'"
        in capsys.readouterr().out
    )


def test_a_zip_of_several_tables_is_refused_naming_them(org, tmp_path, capsys):
    path = tmp_path / "exports.zip"
    path.write_bytes(zipped({"q1.csv": TAGS + ROW, "q2.csv": TAGS + ROW, "README.txt": "x"}))

    assert main(["import", str(path), "--quiet"]) == 1

    assert (
        "exports.zip: the ZIP file holds 2 tables (q1.csv, q2.csv); import them one at a time"
        in capsys.readouterr().err
    )
    response = upload(editor_client(org), "exports.zip", path.read_bytes(), org="CRN")
    assert response.status_code == 400
    assert "holds 2 tables (q1.csv, q2.csv)" in response.json()["detail"]
    assert Activity.objects.count() == 0


def test_a_zip_without_a_table_is_refused_saying_what_it_holds(org):
    content = zipped({"report.pdf": "%PDF-1.4"})

    response = upload(editor_client(org), "report.zip", content, org="CRN")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "report.zip: the ZIP file holds no CSV or TSV table (it holds: report.pdf)"
    )


def test_the_progress_of_a_zipped_csv_ends_at_the_zip_s_size(tmp_path):
    path = tmp_path / "big.zip"
    body = "".join(ROW.replace(",9", f",{n}") for n in range(20_000))
    path.write_bytes(zipped({"big.csv": TAGS + body}))
    moved: list[int] = []

    rows = list(reading.csv_rows(path, name="big.zip", progress=moved.append))

    assert len(rows) == 20_001
    assert sum(moved) == path.stat().st_size
    assert len(moved) > 1


# -- ACLED places ---------------------------------------------------------------------------

ACLED_HEADER = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,admin1,admin2,admin3,"
    "location,latitude,longitude,source,notes,fatalities\r\n"
)


def acled(*places: tuple[str, str, str]) -> str:
    return ACLED_HEADER + "".join(
        f"MMR{70000 + at},2024-03-10,2024,Battles,Armed clash,Military Forces of Myanmar (2021-),"
        f"{admin1},{admin2},{admin3},{admin3},16.9,96.1,Myanmar Now,Fighting.,0\r\n"
        for at, (admin1, admin2, admin3) in enumerate(places)
    )


def test_acled_reasons_point_at_its_admin_columns_not_at_a_p_code(org, places):
    text = acled(
        ("Yangon", "Yangon-North", "Hlaingtharya"),  # East and West since the split
        ("Chin", "Hakha", "Nowhereville"),
        ("", "", ""),
        ("Yangon", "Yangon-North", "Hlaing Thar Yar"),  # a spelling of both East and West
    )

    # The upload page's check is a dry run: nothing is queued, so the reasons say what to do.
    response = upload(editor_client(org), "acled.csv", text.encode(), org="CRN", dry_run="true")

    assert response.status_code == 200, response.content
    errors = [(e["row"], e["column"], e["reason"]) for e in response.json()["errors"]]
    assert errors == [
        (
            2,
            "admin3",
            "'Hlaingtharya' names a retired place (MMR013008 Hlaingtharya); its ground is now "
            "Hlaingtharya (East) (MMR013046), Hlaingtharya (West) (MMR013047): check the "
            "admin1/admin2/admin3 names or ask a coordinator to decide it in the gazetteer "
            "review queue",
        ),
        (
            3,
            "admin3",
            "unknown place 'Nowhereville'; check the admin1/admin2/admin3 names "
            "or ask a coordinator to add the name to the gazetteer",
        ),
        (4, "admin1", "a place is required (admin1/admin2/admin3)"),
        (
            5,
            "admin3",
            "place 'Hlaing Thar Yar' is ambiguous: Hlaingtharya (East) (MMR013046), "
            "Hlaingtharya (West) (MMR013047); check the admin1/admin2/admin3 names "
            "or ask a coordinator to add the name to the gazetteer",
        ),
    ]
    assert not any("p-code" in reason for _, _, reason in errors)


def test_an_acled_import_sends_its_ambiguous_places_to_review(places, tmp_path, capsys):
    path = tmp_path / "acled.csv"
    path.write_text(acled(("Yangon", "Yangon-North", "Hlaingtharya")), encoding="utf-8")

    assert main(["import", str(path), "--quiet"]) == 1

    out = capsys.readouterr().out
    assert "acled.csv, row 2, column admin3: 'Hlaingtharya' names a retired place " in out
    assert ": sent to the gazetteer review queue to pick one" in out
    assert "p-code" not in out
    # The person deciding sees where ACLED put the event (no geo_precision column here).
    review = PlaceReview.objects.get()
    assert review.context == "acled.csv row 2 (point 16.9, 96.1)"
    assert [c["pcode"] for c in review.candidates] == ["MMR013046", "MMR013047"]


# -- legacy Excel (.xls) --------------------------------------------------------------------


def test_a_legacy_xls_workbook_is_read_from_the_sheet_that_holds_the_data(org, tmp_path):
    # As Excel 97-2003 saves a 4W: instructions first, then a title, headers, hashtags, rows
    # with real numbers and dates.
    path = write_xls(
        tmp_path / "chin-4w.xls",
        [
            ("Instructions", [["Fill one row per activity."]]),
            (
                "4W",
                [
                    ["Chin 4W, March 2024"],
                    ["Organisation", "Sector", "Modality", "Township", "Month", "Women"],
                    TAGS.strip().split(","),
                    ["CRN", "health", "service", "MMR004002", dt.date(2024, 3, 1), 9],
                    ["CRN", "wash", "service", "MMR004002", dt.date(2024, 4, 1), 1200.0],
                ],
            ),
        ],
    )

    response = upload(editor_client(org), "chin-4w.xls", path.read_bytes(), org="CRN")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["created"]) == ("applied", 2)
    months = dict(Activity.objects.values_list("sector", "reporting_month"))
    assert months == {"health": dt.date(2024, 3, 1), "wash": dt.date(2024, 4, 1)}
    assert Activity.objects.get(sector="wash").women == 1200


def test_errors_in_a_legacy_xls_name_its_sheet(org, tmp_path, capsys):
    path = write_xls(
        tmp_path / "4w.xls",
        [
            ("Read me", [["Instructions"]]),
            (
                "Data",
                [
                    TAGS.strip().split(","),
                    ["CRN", "health", "service", "MMR004002", "2024-03", "nine"],
                ],
            ),
        ],
    )

    assert main(["import", str(path), "--quiet"]) == 1

    assert (
        "4w.xls, sheet Data, row 2, column #reached+f+adults: not a whole number: 'nine'"
        in capsys.readouterr().out
    )


def test_an_ole2_file_that_is_no_workbook_is_refused_clearly(org, tmp_path):
    path = tmp_path / "minutes.xls"
    path.write_bytes(OLE2_TEST_DOCUMENT)

    response = upload(editor_client(org), "minutes.xls", path.read_bytes(), org="CRN")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("minutes.xls: not a readable .xls workbook (")
    assert detail.endswith("); save it as .xlsx or CSV")


# -- XLSX uploads (the upload was kept without its name's extension) --------------------------


def _chin_xlsx(workbook):
    """A 4W workbook as partners send it: instructions first, then a title row, headers,
    hashtags and rows with real dates and numbers."""
    return workbook(
        "chin-4w.xlsx",
        [
            ("Instructions", [["One row per activity; hashtags under the headers."]]),
            (
                "4W",
                [
                    ["Chin 4W, March 2024"],
                    ["Organisation", "Sector", "Modality", "Township", "Month", "Women"],
                    TAGS.strip().split(","),
                    ["CRN", "health", "service", "MMR004002", dt.datetime(2024, 3, 1), 9],
                    ["CRN", "wash", "service", "MMR004006", dt.datetime(2024, 3, 1), 12.0],
                ],
            ),
        ],
    )


def test_an_xlsx_upload_over_the_api_is_read(org, workbook):
    content = _chin_xlsx(workbook).read_bytes()

    response = upload(editor_client(org), "chin-4w.xlsx", content, org="CRN")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["created"]) == ("applied", 2)
    assert sorted(Activity.objects.values_list("women", flat=True)) == [9, 12]


def test_an_xlsx_upload_on_the_web_page_is_checked_then_imported(org, workbook, settings, tmp_path):
    settings.HOME = tmp_path  # the held upload lives in this test's own instance folder
    client = editor_client(org)
    content = _chin_xlsx(workbook).read_bytes()
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    checked = client.post(
        "/enter/upload/",
        {"file": SimpleUploadedFile("chin-4w.xlsx", content, kind), "organisation": str(org.pk)},
    )

    page = checked.content.decode()
    assert checked.status_code == 200, page
    assert "openpyxl" not in page
    assert "does not support" not in page
    run = re.search(r'name="run" value="([^"]+)"', page).group(1)
    applied = client.post("/enter/upload/apply/", {"run": run}).content.decode()
    assert "Imported: 2 new, 0 changed, 0 removed, 0 unchanged." in applied
    assert sorted(Activity.objects.values_list("women", flat=True)) == [9, 12]
