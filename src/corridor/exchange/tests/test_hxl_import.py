"""HXL import of real-world-shaped 4W, displacement and incident files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.exchange.models import ImportRun
from corridor.exchange.services import file_import
from corridor.geo.models import PlaceReview
from corridor.situation.models import DisplacementFigure, Incident, Source

ZAWGYI_NOTES = "ဆန္အိတ္မ်ားကို ၿမိဳ႕နယ္အတြင္း ေဝငွခဲ့သည္"
UNICODE_NOTES = "ဆန်အိတ်များကို မြို့နယ်အတွင်း ဝေငှခဲ့သည်"

# A 4W sheet as partners send it: a title line, a text header, the hashtag row with
# attributes in their own order and spacing, a column nobody asked for, blank rows.
FOUR_W = (
    "Chin 4W March 2024,,,,,,,,,,\r\n"
    "Organisation,Sector,Modality,State,Township,Month,Women,Men,Girls,Boys,Remarks,Internal\r\n"
    "#org,#sector +cluster,#modality,#adm1 +code,#adm3 +name,#date +reported,"
    "#reached +adults +f,#reached+m +adults,#reached +children +f,#reached +m +children,"
    "#description,#x_internal\r\n"
    "CRN,Food Security,In-kind,MMR004,Hakha,2024-03,120,95,40,38," + ZAWGYI_NOTES + ",abc\r\n"
    ",,,,,,,,,,,\r\n"
    'CRN,WASH,Service,MMR004,မင်းတပ်,March 2024,"1,200",900,300,250,wells,\r\n'
)


def run(path, **kwargs):
    kwargs.setdefault("by", None)
    return file_import(path=path, **kwargs)


def test_four_w_with_bom_title_row_shuffled_attributes_and_extra_column(org, write):
    path = write("chin-4w.csv", "\ufeff" + FOUR_W)

    result = run(path)

    assert result.ok, [e.line() for e in result.errors]
    assert (result.format, result.kind, result.rows, result.blank_rows) == (
        "hxl",
        "activities",
        2,
        1,
    )
    assert result.created == 2
    assert result.ignored == ["#x_internal (Internal)"]
    food = Activity.objects.get(sector="food_security")
    assert (food.organisation, food.admin_unit_id, food.reporting_month) == (
        org,
        "MMR004002",
        dt.date(2024, 3, 1),
    )
    assert (food.women, food.men, food.girls, food.boys, food.unspecified) == (120, 95, 40, 38, 0)
    assert food.modality == "in_kind"
    assert food.notes == UNICODE_NOTES  # Zawgyi converted
    wash = Activity.objects.get(sector="wash")
    assert (wash.admin_unit_id, wash.women, wash.modality) == ("MMR004006", 1200, "service")
    run_row = ImportRun.objects.get(pk=result.run_id)
    assert (run_row.status, run_row.created, run_row.rows) == ("applied", 2, 2)
    assert AuditEntry.objects.filter(action="import", object_type="aid.activity").count() == 1


def test_same_file_twice_changes_nothing(org, write):
    path = write("chin-4w.csv", FOUR_W)
    run(path)
    stamps = dict(Activity.objects.values_list("id", "updated_at"))

    again = run(path)

    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert dict(Activity.objects.values_list("id", "updated_at")) == stamps


def test_a_changed_value_updates_the_same_record_of_a_declared_key(org, write):
    run(write("a.csv", FOUR_W), key=["Sector", "Township", "Month"])
    ids = set(Activity.objects.values_list("id", flat=True))

    result = run(
        write("b.csv", FOUR_W.replace(",120,95,", ",121,95,")), key=["Sector", "Township", "Month"]
    )

    assert (result.created, result.changed, result.unchanged) == (0, 1, 1)
    assert set(Activity.objects.values_list("id", flat=True)) == ids
    assert Activity.objects.get(sector="food_security").women == 121


def test_a_changed_value_without_a_key_is_another_record(org, write):
    """By content (decision 0150): the old record is kept, and named, until --replace."""
    run(write("a.csv", FOUR_W))

    kept = run(write("b.csv", FOUR_W.replace(",120,95,", ",121,95,")))
    assert (kept.created, kept.changed, kept.unchanged, kept.missing) == (1, 0, 1, 1)
    assert Activity.objects.count() == 3

    replaced = run(write("b.csv", FOUR_W.replace(",120,95,", ",121,95,")), replace=True)
    assert (replaced.created, replaced.removed, replaced.unchanged) == (0, 1, 2)
    assert Activity.objects.get(sector="food_security").women == 121


def test_identical_rows_in_one_file_are_two_records(org, write):
    line = FOUR_W.splitlines()[3]
    result = run(write("dup.csv", "\r\n".join([*FOUR_W.splitlines()[:3], line, line]) + "\r\n"))
    assert result.created == 2
    assert Activity.objects.count() == 2


def test_bad_file_reports_every_error_and_changes_nothing(org, write):
    bad = (
        "#org,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults,#value,#currency\r\n"
        "CRN,food_security,cash,MMR004002,2024-03,12,100,USD\r\n"
        "CRN,football,cash,MMR004002,2024-03,-3,,\r\n"
        "CRN,health,in_kind,MMR999999,2024-13,5,50,\r\n"
        "Nobody,health,in_kind,MMR004002,2024-03,5,,\r\n"
    )
    before = AuditEntry.objects.count()

    result = run(write("bad.csv", bad))

    assert not result.ok
    assert [(e.row, e.column, e.value, e.reason) for e in result.errors] == [
        (
            3,
            "#sector",
            "football",
            "unknown sector 'football'; use one of food_security, health, nutrition, wash, "
            "shelter_nfi, protection, education, livelihoods, multipurpose_cash, logistics",
        ),
        (3, "#reached+f+adults", "-3", "must be 0 or more, not -3"),
        (4, "#adm3+code", "MMR999999", "unknown p-code 'MMR999999'"),
        (4, "#date+reported", "2024-13", "no such month: '2024-13'"),
        (4, "#currency", "", "a value needs its ISO 4217 currency code (e.g. MMK, THB, USD)"),
        (
            5,
            "#org",
            "Nobody",
            "unknown organisation 'Nobody'; to create it, import with --create-orgs",
        ),
    ]
    assert Activity.objects.count() == 0
    assert AuditEntry.objects.count() == before
    report = result.report_csv().splitlines()
    assert report[0] == "file,row,column,value,reason"
    assert report[1].startswith("bad.csv,3,#sector,football,")
    assert report[2] == "bad.csv,3,#reached+f+adults,'-3,must be 0 or more, not -3".replace(
        "must be 0 or more, not -3", '"must be 0 or more, not -3"'
    )
    assert ImportRun.objects.get(pk=result.run_id).status == "refused"


def test_unresolved_place_names_go_to_the_review_queue(org, write):
    text = (
        "#org,#sector,#modality,#adm1+name,#adm3+name,#date+reported,#reached+f+adults\r\n"
        "CRN,health,service,Chin,Zzyzx Town,2024-03,4\r\n"
    )
    result = run(write("unknown.csv", text))

    assert not result.ok
    assert result.errors[0].column == "#adm3+name"
    assert "unknown place 'Zzyzx Town'" in result.errors[0].reason
    review = PlaceReview.objects.get()
    assert (review.query, review.level, review.parent, review.context) == (
        "Zzyzx Town",
        3,
        "Chin",
        "unknown.csv row 2",
    )
    assert result.reviews == 1


def test_dry_run_checks_without_writing(org, write):
    result = run(write("chin.csv", FOUR_W), dry_run=True)
    assert result.ok
    assert result.status == "checked"
    assert result.rows == 2
    assert Activity.objects.count() == 0


def test_excel_file_with_hashtags_below_a_header(org, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Organisation", "Sector", "Modality", "Township p-code", "Start", "Total reached", "Women"]
    )
    sheet.append(
        [
            "#org",
            "#sector",
            "#modality",
            "#adm3+code",
            "#date+start",
            "#reached+total",
            "#reached+f+adults",
        ]
    )
    sheet.append(["CRN", "Nutrition", "in_kind", "MMR004002", dt.datetime(2024, 2, 5), 150, 50])
    sheet.append([None] * 7)
    sheet.append(["CRN", "Protection", "service", "MMR004006", dt.datetime(2024, 2, 9), 12.0, None])
    path = tmp_path / "4w.xlsx"
    book.save(path)

    result = run(path)

    assert result.ok, [e.line() for e in result.errors]
    assert (result.rows, result.blank_rows) == (2, 1)
    nutrition = Activity.objects.get(sector="nutrition")
    assert (nutrition.start_date, nutrition.women, nutrition.unspecified) == (
        dt.date(2024, 2, 5),
        50,
        100,
    )
    assert Activity.objects.get(sector="protection").unspecified == 12


def test_utf16_tab_separated_with_org_given_on_the_command(org, write):
    text = "#sector\t#modality\t#adm3+code\t#date+reported\t#reached+m+adults\r\n" + (
        "health\tservice\tMMR004002\t2024-04\t7\r\n"
    )
    result = run(write("tab.csv", text, encoding="utf-16"), organisation=org)
    assert result.ok, [e.line() for e in result.errors]
    assert Activity.objects.get().men == 7


def test_figures_with_sources(places, write):
    text = (
        "Township,Date,IDPs,Source,Link\r\n"
        "#adm3+code,#date,#affected+idps,#meta+source,#meta+source+url\r\n"
        'MMR004002,2024-03-31,"12,500",UNHCR Myanmar update,https://example.org/u\r\n'
        "MMR004006,31 March 2024,၄၀၀,UNHCR Myanmar update,https://example.org/u\r\n"
    )
    result = run(write("idps.csv", text))

    assert result.ok, [e.line() for e in result.errors]
    assert result.kind == "figures"
    assert dict(DisplacementFigure.objects.values_list("admin_unit_id", "idps")) == {
        "MMR004002": 12500,
        "MMR004006": 400,
    }
    assert Source.objects.get().url == "https://example.org/u"
    assert run(write("idps.csv", text)).created == 0


def test_incidents_with_two_sources(places, write):
    text = (
        "#date+occurred,#event+type,#adm3+name,#affected+killed,#meta+source,#meta+source\r\n"
        "2024-03-10,Airstrike,Hakha,3,Khonumthung News,Chin World\r\n"
    )
    result = run(write("inc.csv", text))

    assert result.ok, [e.line() for e in result.errors]
    incident = Incident.objects.get()
    assert (incident.incident_type, incident.admin_unit_id, incident.fatalities) == (
        "airstrike",
        "MMR004002",
        3,
    )
    assert sorted(incident.sources.values_list("title", flat=True)) == [
        "Chin World",
        "Khonumthung News",
    ]


def test_no_hashtag_row_is_a_clear_error(places, write):
    from corridor.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="cannot tell the format"):
        run(write("plain.csv", "a,b\r\n1,2\r\n"))
    with pytest.raises(InvalidInput, match="no HXL hashtag row in the first 25 rows"):
        run(write("plain.csv", "a,b\r\n1,2\r\n"), format="hxl")


def test_value_and_currency(org, write):
    text = (
        "#org,#sector,#modality,#adm3+code,#date+reported,#reached+total,#value,#currency\r\n"
        'CRN,multipurpose_cash,cash,MMR004002,2024-03,12,"1,500.50",thb\r\n'
    )
    assert run(write("v.csv", text)).ok
    activity = Activity.objects.get()
    assert (activity.value, activity.currency) == (Decimal("1500.50"), "THB")


INSTRUCTIONS = (
    "Instructions",
    [["How to fill in this 4W"], ["One row per activity; township p-codes from MIMU."]],
)
LISTS = ("Lists", [["Sector"], ["food_security"], ["wash"], ["health"]])


def test_workbook_data_on_a_later_sheet_is_found_and_errors_name_it(org, workbook):
    data = (
        "4W March 2024",
        [
            ["Organisation", "Sector", "Modality", "Township", "Month", "Women"],
            ["#org", "#sector", "#modality", "#adm3+code", "#date+reported", "#reached+f+adults"],
            ["CRN", "Health", "service", "MMR004002", "2024-03", 31],
            ["CRN", "football", "service", "MMR004002", "2024-03", 4],
        ],
    )
    path = workbook("partners-4w.xlsx", [INSTRUCTIONS, data, LISTS])

    refused = run(path)

    assert (refused.format, refused.kind, refused.status) == ("hxl", "activities", "refused")
    assert [e.line() for e in refused.errors] == [
        "partners-4w.xlsx, sheet 4W March 2024, row 4, column #sector (Sector): unknown sector "
        "'football'; use one of food_security, health, nutrition, wash, shelter_nfi, "
        "protection, education, livelihoods, multipurpose_cash, logistics"
    ]
    assert Activity.objects.count() == 0

    data[1].pop()
    fixed = workbook("partners-4w.xlsx", [INSTRUCTIONS, data, LISTS])
    result = run(fixed)
    assert result.ok, [e.line() for e in result.errors]
    assert (result.rows, result.created) == (1, 1)
    health = Activity.objects.get()
    assert (health.sector, health.admin_unit_id, health.women) == ("health", "MMR004002", 31)


def test_workbook_without_hashtags_on_any_sheet_names_its_sheets(places, workbook):
    from corridor.core.errors import InvalidInput

    path = workbook("plain.xlsx", [INSTRUCTIONS, LISTS])
    with pytest.raises(InvalidInput) as refused:
        run(path, format="hxl")
    assert str(refused.value) == (
        "plain.xlsx: no sheet has an HXL hashtag row in its first 25 rows "
        "(sheets: Instructions, Lists)"
    )
    with pytest.raises(InvalidInput, match=r"plain\.xlsx: cannot tell the format"):
        run(path)


def test_reasons_are_in_the_language_of_the_person_importing(org, write):
    from django.utils import translation

    text = (
        "#org,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
        "CRN,health,service,MMR999999,2024-03,5\r\n"
        "CRN,health,boat,MMR004002,2024-13,-2\r\n"
    )
    path = write("bad-my.csv", text)
    with translation.override("my"):
        result = run(path)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "#adm3+code", "p-code 'MMR999999' ကို မသိပါ"),
        (
            3,
            "#modality",
            "အကူအညီပုံစံ 'boat' ကို မသိပါ။ in_kind, cash, voucher, service ထဲမှ တစ်ခုကို သုံးပါ",
        ),
        (3, "#date+reported", "ဤလ မရှိပါ- '2024-13'"),
        (3, "#reached+f+adults", "၀ သို့မဟုတ် ထို့ထက်များရမည်၊ -2 မဖြစ်ရ"),
    ]
    # The same file at the command line (no language chosen) reads in English.
    assert [e.reason for e in run(path).errors][:1] == ["unknown p-code 'MMR999999'"]
    assert Activity.objects.count() == 0
