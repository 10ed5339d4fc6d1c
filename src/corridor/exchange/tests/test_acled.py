"""ACLED-style event files become incidents with their sources; the type table is applied."""

from __future__ import annotations

import csv
import io

import pytest

from corridor.exchange.kinds.acled_events import OTHERWISE, SUB_EVENT_TYPES, incident_type_for
from corridor.exchange.services import file_import
from corridor.situation.models import Incident, IncidentType

ACLED = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,iso,region,country,"
    "admin1,admin2,admin3,location,latitude,longitude,source,notes,fatalities\r\n"
    "MMR61001,10 March 2024,2024,Explosions/Remote violence,Air/drone strike,"
    "Military Forces of Myanmar (2021-),,104,Southeast Asia,Myanmar,Chin,Hakha,Hakha,Hakha,"
    "22.6455,93.6050,Khonumthung News; Chin World,Jets bombed a school.,3\r\n"
    "MMR61002,2024-03-11,2024,Strategic developments,Looting/property destruction,"
    "Military Forces of Myanmar (2021-),,104,Southeast Asia,Myanmar,Sagaing,Kale,Kale,Kale,"
    "23.19,94.05,Myanmar Now,Soldiers torched 40 houses.,0\r\n"
)


def test_acled_events_with_sources(places, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(ACLED, encoding="utf-8")

    result = file_import(by=None, path=path)

    assert result.ok, [e.line() for e in result.errors]
    assert (result.format, result.kind, result.created) == ("acled", "incidents", 2)
    assert result.ignored == ["year", "iso", "region", "country"]
    strike = Incident.objects.get(incident_type="airstrike")
    assert (strike.admin_unit_id, strike.fatalities, strike.latitude) == ("MMR004002", 3, 22.6455)
    assert strike.description == (
        "Jets bombed a school.\nLocation: Hakha\nActor: Military Forces of Myanmar (2021-)"
    )
    assert sorted(strike.sources.values_list("title", flat=True)) == [
        "Chin World",
        "Khonumthung News",
    ]
    assert Incident.objects.get(admin_unit_id="MMR005027").incident_type == "arson"
    assert file_import(by=None, path=path).unchanged == 2


def test_every_mapped_type_is_one_of_ours():
    rules = set(SUB_EVENT_TYPES.values()) - {"killing_if_fatal", "arson_if_burning"}
    assert rules <= set(IncidentType.values)
    assert set(OTHERWISE.values()) <= set(IncidentType.values)


@pytest.mark.parametrize(
    ("sub", "fatalities", "notes", "expected"),
    [
        ("Attack", 2, "", "killing"),
        ("Attack", 0, "", "attack_on_civilians"),
        ("Arrests", 0, "", "arrest"),
        ("Looting/property destruction", 0, "village set on fire", "arson"),
        ("Looting/property destruction", 0, "shops looted", "looting"),
        ("Remote explosive/landmine/IED", 1, "", "explosive_device"),
        ("Abduction/forced disappearance", 0, "", "abduction"),
        ("Sexual violence", 0, "", "sexual_violence"),
        ("Something new", 0, "", "armed_clash"),
    ],
)
def test_type_rules(sub, fatalities, notes, expected):
    assert incident_type_for("Battles", sub, fatalities=fatalities, notes=notes) == expected


def test_acled_workbook_is_told_by_its_columns_on_any_sheet(places, workbook):
    events = list(csv.reader(io.StringIO(ACLED)))
    path = workbook(
        "acled-export.xlsx",
        [("Read me", [["ACLED export, Myanmar, March 2024"]]), ("Events", events)],
    )

    result = file_import(by=None, path=path)

    assert result.ok, [e.line() for e in result.errors]
    assert (result.format, result.kind, result.created) == ("acled", "incidents", 2)
    assert set(Incident.objects.values_list("incident_type", "admin_unit_id")) == {
        ("airstrike", "MMR004002"),
        ("arson", "MMR005027"),
    }
