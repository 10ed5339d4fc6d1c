"""HXL export: libhxl reads it, internal files round-trip losslessly and say they are internal.

What the sharing tables may and may not hold is tested in test_hxl_shared.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import hxl

from corridor.aid.models import Activity
from corridor.exchange.services import file_import, hxl_export_internal
from corridor.situation.models import DisplacementFigure, Incident
from corridor.testing.factories import (
    ActivityFactory,
    DisplacementFigureFactory,
    IncidentFactory,
    OrganisationFactory,
    SourceFactory,
)

ACTIVITY_FIELDS = [
    "id",
    "organisation_id",
    "sector",
    "modality",
    "channel",
    "admin_unit_id",
    "reporting_month",
    "start_date",
    "end_date",
    "status",
    "women",
    "men",
    "girls",
    "boys",
    "unspecified",
    "households",
    "value",
    "currency",
    "notes",
]


def export(kind, **kwargs):
    out = io.StringIO()
    kwargs.setdefault("by", None)
    hxl_export_internal(kind=kind, out=out, **kwargs)
    return out.getvalue()


def snapshot(model, fields):
    return sorted(model.objects.values_list(*fields))


def test_activities_round_trip_is_lossless(org, tmp_path):
    other = OrganisationFactory(name="Anon Group", visibility="anonymous")
    ActivityFactory(organisation=org, admin_unit_id="MMR004002", notes='=HYPERLINK("x")')
    ActivityFactory(
        organisation=other,
        admin_unit_id="MMR004006",
        sector="wash",
        modality="cash",
        reporting_month=None,
        start_date=dt.date(2024, 1, 3),
        end_date=dt.date(2024, 2, 1),
        unspecified=7,
        households=3,
        value=Decimal("250.00"),
        currency="USD",
        notes="'+ quoted already, ဆန်",
    )
    before = snapshot(Activity, ACTIVITY_FIELDS)
    text = export("activities")
    path = tmp_path / "out.csv"
    path.write_text(text, encoding="utf-8", newline="")
    Activity.objects.all().delete()

    result = file_import(by=None, path=path)

    assert result.ok, [e.line() for e in result.errors]
    assert result.created == 2
    # A row with only a start date comes back counted in the month it started (aid/rules.py).
    month = ACTIVITY_FIELDS.index("reporting_month")
    before = [
        (*row[:month], row[month] or row[month + 1].replace(day=1), *row[month + 1 :])
        for row in before
    ]
    assert snapshot(Activity, ACTIVITY_FIELDS) == before
    assert file_import(by=None, path=path).unchanged == 2


def test_export_is_read_by_libhxl_with_standard_hashtags(org):
    ActivityFactory(organisation=org, admin_unit_id="MMR004002", women=3)
    data = hxl.data(io.BytesIO(export("activities").encode()))
    tags = data.display_tags
    for tag in (
        "#org+name",
        "#sector",
        "#adm1+code",
        "#adm3+code",
        "#date+reported",
        "#reached+f+adults",
        "#reached+m+children",
        "#reached+total",
    ):
        assert tag in tags
    rows = list(data)
    assert len(rows) == 1
    assert rows[0].get("#adm3+code") == "MMR004002"
    assert rows[0].get("#reached+f+adults") == "3"


def test_figures_and_incidents_round_trip(places, tmp_path):
    source = SourceFactory(title="OCHA snapshot", url="https://example.org/s")
    DisplacementFigureFactory(admin_unit_id="MMR004002", source=source, refugees=5)
    incident = IncidentFactory(
        admin_unit_id="MMR004006",
        latitude=21.4,
        longitude=93.8,
        fatalities=2,
        description="-12 houses burned",
    )
    incident.sources.add(source, SourceFactory(title="Second"))
    figure_fields = ["id", "admin_unit_id", "as_of", "idps", "refugees", "source_id"]
    incident_fields = [
        "id",
        "admin_unit_id",
        "occurred_on",
        "incident_type",
        "latitude",
        "longitude",
        "fatalities",
        "description",
    ]
    figures, incidents = (
        snapshot(DisplacementFigure, figure_fields),
        snapshot(Incident, incident_fields),
    )
    links = sorted(Incident.sources.through.objects.values_list("incident_id", "source_id"))
    figure_file, incident_file = tmp_path / "f.csv", tmp_path / "i.csv"
    figure_file.write_text(export("figures"), encoding="utf-8")
    incident_file.write_text(export("incidents"), encoding="utf-8")
    assert "'-12 houses burned" in incident_file.read_text(encoding="utf-8")
    DisplacementFigure.objects.all().delete()
    Incident.objects.all().delete()

    assert file_import(by=None, path=figure_file).ok
    assert file_import(by=None, path=incident_file).ok

    assert snapshot(DisplacementFigure, figure_fields) == figures
    assert snapshot(Incident, incident_fields) == incidents
    assert sorted(Incident.sources.through.objects.values_list("incident_id", "source_id")) == links


def test_internal_file_says_so_in_its_first_row_and_still_imports(org, tmp_path):
    ActivityFactory(organisation=org, admin_unit_id="MMR004002")
    text = export("activities")
    first = next(csv.reader(io.StringIO(text)))
    assert len(first) == 1
    assert first[0].startswith("INTERNAL - ")
    assert "Do not share" in first[0]
    path = tmp_path / "internal.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert file_import(by=None, path=path).unchanged == 1
    assert len(list(hxl.data(io.BytesIO(text.encode())))) == 1
