"""XLSForm field forms: pyxform accepts them, and their KoBo/ODK submission exports import back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import load_workbook

from corridor.aid.models import Activity, Channel, Modality, Sector, Status
from corridor.cli.main import main
from corridor.exchange.formats import xlsform
from corridor.exchange.services import file_import, xlsform_export
from corridor.geo.models import AdminUnit
from corridor.situation.models import DisplacementFigure, Source

XF = "{http://www.w3.org/2002/xforms}"


def paths(xform: str) -> dict[str, str]:
    """Question name -> the path KoBo writes as its column header (group/question)."""
    root = etree.fromstring(xform.encode())
    found = {}
    for bind in root.iter(f"{XF}bind"):
        parts = bind.get("nodeset").strip("/").split("/")[1:]
        if parts and parts[0] != "meta":
            found[parts[-1]] = "/".join(parts)
    return found


def instance_values(xform: str, list_name: str) -> list[str]:
    root = etree.fromstring(xform.encode())
    instance = root.find(f".//{XF}instance[@id='{list_name}']")
    return [item.findtext(f"{XF}name") for item in instance.iter(f"{XF}item")]


@pytest.fixture
def forms(places):
    built = {}
    for form in xlsform.FORMS:
        data = xlsform_export(form=form)
        built[form] = (data, xlsform.xform(data))
    return built


def test_pyxform_accepts_both_forms_with_english_and_burmese_choice_lists(forms):
    townships = AdminUnit.objects.filter(level=3)
    states = AdminUnit.objects.filter(level=1)
    for form, (data, xform) in forms.items():
        book = load_workbook(io.BytesIO(data), read_only=True)
        assert book.sheetnames == ["survey", "choices", "settings"]
        header = next(book["choices"].iter_rows(values_only=True))
        assert header[:4] == ("list_name", "name", "label::English (en)", "label::Burmese (my)")
        assert 'lang="English (en)"' in xform
        assert 'lang="Burmese (my)"' in xform
        assert sorted(instance_values(xform, "townships")) == sorted(
            townships.values_list("pcode", flat=True)
        )
        assert sorted(instance_values(xform, "states")) == sorted(
            states.values_list("pcode", flat=True)
        )
        # Townships are filtered by the state chosen above them.
        assert "instance('townships')/root/item[state= /" in xform
        hakha = AdminUnit.objects.get(pcode="MMR004002")
        assert hakha.name_my
        assert hakha.name_my in xform
        assert f"corridor_{form}" in xform
    activity = forms["activity"][1]
    for list_name, choices in (
        ("sectors", Sector),
        ("modalities", Modality),
        ("channels", Channel),
        ("statuses", Status),
    ):
        assert instance_values(activity, list_name) == list(choices.values)
    assert "ကျန်းမာရေး" in activity  # Burmese label of the health sector
    assert paths(activity)["sector"] == "report/sector"
    assert paths(activity)["women"] == "reached/women"
    assert paths(forms["displacement"][1])["idps"] == "figures/idps"
    assert "sectors" not in forms["displacement"][1]


def _kobo_csv(path, header: list[str], rows: list[dict[str, str]]) -> None:
    # KoBoToolbox's CSV export: semicolons, group paths in headers, its own columns.
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])


def _activity_header(xform: str) -> list[str]:
    names = paths(xform)
    questions = [names[n] for n in ("sector", "modality", "channel", "status", "adm1_code")]
    questions += [names[n] for n in ("adm3_code", "reporting_month", "start_date", "end_date")]
    questions += [names[n] for n in ("women", "men", "girls", "boys", "unspecified")]
    questions += [names[n] for n in ("households", "value", "currency", "notes")]
    return [
        "start",
        "end",
        *questions,
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
    ]


def _submission(n: int, **values: str) -> dict[str, str]:
    base = {
        "start": f"2024-03-0{n}T08:00:00.000+06:30",
        "end": f"2024-03-0{n}T08:20:00.000+06:30",
        "report/sector": "food_security",
        "report/modality": "in_kind",
        "report/channel": "cross_border_th",
        "report/status": "completed",
        "report/adm1_code": "MMR004",
        "report/adm3_code": "MMR004002",
        "report/reporting_month": "2024-03-01",
        "reached/women": "12",
        "reached/men": "9",
        "reached/girls": "4",
        "reached/boys": "3",
        "reached/unspecified": "0",
        "_id": str(1000 + n),
        "_uuid": f"6b8e0c1a-0000-4000-8000-00000000000{n}",
        "_submission_time": f"2024-03-0{n}T01:50:00",
        "_status": "submitted_via_web",
        "__version__": "vQz7x",
        "_index": str(n),
    }
    base.update(values)
    return base


def test_kobo_csv_of_the_activity_form_imports_exactly(forms, org, tmp_path):
    header = _activity_header(forms["activity"][1])
    path = tmp_path / "corridor_activity_-_all_versions_-_labels_-_2024-03-10.csv"
    _kobo_csv(
        path,
        header,
        [
            _submission(1),
            _submission(
                2,
                **{
                    "report/sector": "wash",
                    "report/modality": "cash",
                    "report/adm3_code": "MMR004006",
                    "reached/households": "14",
                    "value": "1500000",
                    "currency": "MMK",
                    "notes": "ရေသန့်ဗူး ဖြန့်ဝေ",
                },
            ),
            _submission(
                3,
                **{
                    "report/sector": "health",
                    "report/modality": "service",
                    "report/status": "ongoing",
                    "report/adm1_code": "MMR005",
                    "report/adm3_code": "MMR005022",
                    "report/reporting_month": "2024-02-01",
                    "report/start_date": "2024-02-03",
                    "reached/unspecified": "40",
                },
            ),
        ],
    )
    result = file_import(by=None, path=path, organisation=org)
    assert (result.format, result.kind, result.status) == ("kobo-csv", "activities", "applied")
    assert (result.rows, result.created, result.error_count) == (3, 3, 0)
    assert result.ignored == ["start", "end"]
    rows = {a.admin_unit_id: a for a in Activity.objects.filter(organisation=org).order_by("id")}
    assert len(rows) == 3
    hakha, other, third = rows["MMR004002"], rows["MMR004006"], rows["MMR005022"]
    assert (hakha.sector, hakha.modality, hakha.channel, hakha.status) == (
        "food_security",
        "in_kind",
        "cross_border_th",
        "completed",
    )
    assert hakha.reporting_month == dt.date(2024, 3, 1)
    assert (hakha.women, hakha.men, hakha.girls, hakha.boys, hakha.people_reached) == (
        12,
        9,
        4,
        3,
        28,
    )
    assert (other.value, other.currency, other.households) == (Decimal("1500000"), "MMK", 14)
    assert other.notes == "ရေသန့်ဗူး ဖြန့်ဝေ"
    assert (third.reporting_month, third.start_date, third.unspecified) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 3),
        40,
    )
    again = file_import(by=None, path=path, organisation=org)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)


def test_kobo_xlsx_export_with_a_repeat_sheet_reads_the_submissions_sheet(forms, org, workbook):
    header = _activity_header(forms["activity"][1])
    submissions = [_submission(1), _submission(2, **{"report/sector": "health"})]
    path = workbook(
        "corridor_activity_-_all_versions.xlsx",
        [
            ("Corridor activity", [header] + [[s.get(c, "") for c in header] for s in submissions]),
            # KoBo writes each repeat group to a sheet of its own after the submissions.
            ("photos", [["photo", "_index", "_parent_index"]]),
        ],
    )

    result = file_import(by=None, path=path, organisation=org)

    assert (result.format, result.kind, result.status) == ("kobo-csv", "activities", "applied")
    assert (result.rows, result.created, result.error_count) == (2, 2, 0)
    assert sorted(Activity.objects.values_list("sector", "women")) == [
        ("food_security", 12),
        ("health", 12),
    ]


def test_kobo_json_of_the_displacement_form_imports_exactly(forms, org, tmp_path):
    names = paths(forms["displacement"][1])
    results = []
    for n, (pcode, idps, refugees, need) in enumerate(
        (("MMR004002", "3400", "0", "5100"), ("MMR004006", "820", "", "1200")), 1
    ):
        results.append(
            {
                "_id": 200 + n,
                "formhub/uuid": "f0c2a8e4b1d94c5e8f0a1b2c3d4e5f60",
                "start": "2024-04-01T09:00:00.000+06:30",
                "end": "2024-04-01T09:12:00.000+06:30",
                names["adm1_code"]: "MMR004",
                names["adm3_code"]: pcode,
                names["as_of"]: "2024-03-31",
                names["idps"]: idps,
                **({names["refugees"]: refugees} if refugees else {}),
                names["people_in_need"]: need,
                names["source_title"]: "Chin IDP monthly update",
                names["source_publisher"]: "Chin Relief Network",
                names["source_date"]: "2024-04-01",
                "__version__": "vA1",
                "meta/instanceID": f"uuid:0c7c5f7e-1111-4222-8333-44445555000{n}",
                "_xform_id_string": "corridor_displacement",
                "_uuid": f"0c7c5f7e-1111-4222-8333-44445555000{n}",
                "_attachments": [],
                "_status": "submitted_via_web",
                "_geolocation": [None, None],
                "_submission_time": "2024-04-01T02:45:00",
                "_tags": [],
                "_notes": [],
                "_validation_status": {},
                "_submitted_by": None,
            }
        )
    path = tmp_path / "submissions.json"
    path.write_text(
        json.dumps({"count": 2, "next": None, "previous": None, "results": results}),
        encoding="utf-8",
    )
    result = file_import(by=None, path=path, organisation=org)
    assert (result.format, result.kind, result.status) == ("kobo-json", "figures", "applied")
    assert (result.rows, result.created, result.error_count) == (2, 2, 0)
    figures = {f.admin_unit_id: f for f in DisplacementFigure.objects.all()}
    assert len(figures) == 2
    assert (figures["MMR004002"].idps, figures["MMR004002"].refugees) == (3400, 0)
    assert figures["MMR004002"].people_in_need == 5100
    assert (figures["MMR004006"].idps, figures["MMR004006"].refugees) == (820, None)
    assert {f.as_of for f in figures.values()} == {dt.date(2024, 3, 31)}
    assert {f.reporting_organisation_id for f in figures.values()} == {org.pk}
    source = Source.objects.get()
    assert (source.title, source.publisher, source.published_on) == (
        "Chin IDP monthly update",
        "Chin Relief Network",
        dt.date(2024, 4, 1),
    )


def test_a_bad_submission_is_reported_exactly_and_changes_nothing(forms, org, tmp_path):
    header = _activity_header(forms["activity"][1])
    good = tmp_path / "good.csv"
    _kobo_csv(good, header, [_submission(1)])
    assert file_import(by=None, path=good, organisation=org).created == 1
    before = list(Activity.objects.values_list())

    bad = tmp_path / "bad.csv"
    _kobo_csv(
        bad,
        header,
        [
            _submission(1, **{"reached/women": "15"}),
            _submission(2, **{"report/adm3_code": "MMR004999"}),
            _submission(3, **{"reached/boys": "-3"}),
        ],
    )
    result = file_import(by=None, path=bad, organisation=org)
    assert result.status == "refused"
    assert [(e.row, e.column, e.value, e.reason) for e in result.errors] == [
        (3, "report/adm3_code", "MMR004999", "unknown p-code 'MMR004999'"),
        (4, "reached/boys", "-3", "must be 0 or more, not -3"),
    ]
    assert list(Activity.objects.values_list()) == before


def test_cli_writes_the_xlsform_and_its_xform(places, tmp_path, capsys):
    target = tmp_path / "activity.xlsx"
    assert main(["export", "xlsform", "--form", "activity", "-o", str(target), "--xform"]) == 0
    err = capsys.readouterr().err
    assert f"XForm written to {tmp_path / 'activity.xml'}" in err
    xform = (tmp_path / "activity.xml").read_text(encoding="utf-8")
    assert instance_values(xform, "sectors") == list(Sector.values)
    assert load_workbook(target).sheetnames == ["survey", "choices", "settings"]
    assert main(["export", "xlsform", "-o", str(target)]) == 1
    assert "needs --form" in capsys.readouterr().err
