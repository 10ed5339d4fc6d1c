"""One table of cases through every entry point: the same verdict, in the same words.

Each case is what a person types. It goes through the service (the model's rules), the web
entry form over HTTP, the JSON API over HTTP, and the importer twice — the row builder and the
fast batch path — with a generated HXL file. Every entry point must save it, or refuse it with
exactly the problems (field, message) the table expects; the field is named the model's way
(the form's "township" and the file's "#adm3+code" are "admin_unit").
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.aid.rules import activity_problems
from corridor.aid.services import activities_set_status, activity_record
from corridor.core.rules import TOWNSHIP_CEILING
from corridor.exchange.kinds import batches
from corridor.exchange.ledger_import import ledger_import
from corridor.exchange.services import file_import
from corridor.funds.models import Transfer
from corridor.funds.services import transfer_record
from corridor.gaps.queries import gap_table
from corridor.geo.models import AdminUnit
from corridor.geo.resolver import invalidate_resolver
from corridor.situation.models import DisplacementFigure, Incident
from corridor.situation.services import figure_record, figure_update, incident_record
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client

TODAY = dt.date(2026, 12, 3)
TOWNSHIP = "MMR005022"
STATE = "MMR005"
ALL = "__all__"
CEILING = f"(at most {TOWNSHIP_CEILING})"
NOT_TOWNSHIP = f"{STATE} is a State/Region, not a township: give the township's p-code"
NOBODY = (
    "no people reached: give women, men, girls, boys or sex and age not known, "
    "or record the activity as planned"
)

# --- The tables -------------------------------------------------------------------------------

ACTIVITY = {"reporting_month": "2026-05", "women": "10", "men": "5"}
ACTIVITY_CASES = {
    "valid": ({}, []),
    "too many women": (
        {"women": "99999999999"},
        [("women", f"99999999999 is more people than live in any township {CEILING}")],
    ),
    "month 0002-06": (
        {"reporting_month": "0002-06"},
        [("reporting_month", "0002-06 is before 2021-01, the earliest date Corridor takes")],
    ),
    "month 2031-01": (
        {"reporting_month": "2031-01"},
        [("reporting_month", "2031-01 is more than 366 days ahead")],
    ),
    "end before start": (
        {"start_date": "2026-05-20", "end_date": "2026-05-10"},
        [("end_date", "ends 2026-05-10 before it starts 2026-05-20")],
    ),
    "state p-code": ({"admin_unit": STATE}, [("admin_unit", NOT_TOWNSHIP)]),
    "zero reach": ({"women": "0", "men": "0"}, [(ALL, NOBODY)]),
    "zero reach, planned": ({"women": "0", "men": "0", "status": "planned"}, []),
    "more households than people": (
        {"households": "40"},
        [("households", "40 households is more than the 15 people reached")],
    ),
    "only a start date": ({"reporting_month": "", "start_date": "2026-05-17"}, []),
}

FIGURE = {"as_of": "2026-11-30", "idps": "28491"}
FIGURE_CASES = {
    "valid": ({}, []),
    "5,000,000 IDPs": (
        {"idps": "5000000"},
        [("idps", f"5000000 is more people than live in any township {CEILING}")],
    ),
    "in 2030": ({"as_of": "2030-01-15"}, [("as_of", "2030-01-15 is in the future")]),
    "before 2021": (
        {"as_of": "2019-05-01"},
        [("as_of", "2019-05-01 is before 2021-01-01, the earliest date Corridor takes")],
    ),
    "state p-code": ({"admin_unit": STATE}, [("admin_unit", NOT_TOWNSHIP)]),
}

INCIDENT = {"occurred_on": "2026-11-02", "fatalities": "3"}
INCIDENT_CASES = {
    "valid": ({}, []),
    "a 2030 incident": (
        {"occurred_on": "2030-04-01"},
        [("occurred_on", "2030-04-01 is in the future")],
    ),
    "state p-code": ({"admin_unit": STATE}, [("admin_unit", NOT_TOWNSHIP)]),
    "impossible deaths": (
        {"fatalities": "99999999999"},
        [("fatalities", f"99999999999 is more people than live in any township {CEILING}")],
    ),
}

# --- Shared set-up ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db, monkeypatch):
    """A township and its state, an editor of one organisation, a source, and a fixed today."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    township(TOWNSHIP)  # with its state, STATE, and a district
    invalidate_resolver()
    org = OrganisationFactory(name="Chin Relief Network", acronym="CRN")
    user = UserFactory()
    MembershipFactory(user=user, organisation=org, role=OrgRole.EDITOR)
    yield {"org": org, "user": user, "client": signed_in_client(user), "source": SourceFactory()}
    invalidate_resolver()


def _typed(base: dict, change: dict) -> dict:
    return {"admin_unit": TOWNSHIP, **base, **change}


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    if len(text) == 7:  # a month as typed: YYYY-MM
        return dt.date(int(text[:4]), int(text[5:]), 1)
    return dt.date.fromisoformat(text)


def _problems_of(exc: ValidationError) -> list[tuple[str, str]]:
    return sorted((f, m) for f, messages in exc.message_dict.items() for m in messages)


def _refused(write: Any, **values: Any) -> list[tuple[str, str]]:
    """What a service refuses these values for (empty: it saved them)."""
    try:
        write(**values)
    except ValidationError as exc:
        return _problems_of(exc)
    return []


def _form_problems(response: Any) -> list[tuple[str, str]]:
    form = response.context["form"]
    return sorted(
        ("admin_unit" if name == "township" else name, message)
        for name, messages in form.errors.items()
        for message in messages
    )


def _api_problems(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert "is violated" not in body["detail"]  # never a raw constraint
    return sorted((f, m) for f, messages in body["errors"].items() for m in messages)


def _import(world: dict, tmp_path: Any, kind: str, tags: dict, typed: dict, *, batch: bool):
    """Import a two-line HXL file (hashtags, one row) the given way: (problems, result)."""
    names = [name for name in tags if name in typed or name in ("admin_unit",)]
    path = tmp_path / f"{kind}-{'batch' if batch else 'row'}.csv"
    lines = [",".join(tags[name] for name in names), ",".join(typed[name] for name in names)]
    extra = {"source_title": "Township report"} if kind == "figures" else {}
    if extra:
        lines = [
            lines[0] + ",#meta+source+name",
            lines[1] + "," + extra["source_title"],
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = file_import(
        by=world["user"], path=path, kind=kind, format="hxl", organisation=world["org"]
    )
    by_tag = {tag: name for name, tag in tags.items()}
    problems = sorted((by_tag.get(e.column, e.column) or ALL, e.reason) for e in result.errors)
    return problems, result


@pytest.fixture(params=["row", "batch"])
def import_path(request, monkeypatch):
    """The importer's two ways of building rows: each must give the same verdicts."""
    if request.param == "row":
        monkeypatch.setattr(
            "corridor.exchange.pipeline.batch_builder",
            lambda table, ctx, build: batches.rows_built(table, ctx, build),
        )
    # Otherwise the pipeline builds 4W rows a batch at a time (batches.ActivityBatches).
    return request.param


# --- Activities -------------------------------------------------------------------------------

ACTIVITY_TAGS = {
    "admin_unit": "#adm3+code",
    "sector": "#sector",
    "modality": "#modality",
    "status": "#status",
    "reporting_month": "#date+reported",
    "start_date": "#date+start",
    "end_date": "#date+end",
    "women": "#reached+f+adults",
    "men": "#reached+m+adults",
    "households": "#reached+hh",
}


def _activity_case(name: str) -> tuple[dict, list]:
    change, expected = ACTIVITY_CASES[name]
    typed = _typed({**ACTIVITY, "sector": "health", "modality": "service"}, change)
    return typed, sorted(expected)


def _activity_saved(typed: dict) -> None:
    """A saved activity counts in the month typed, or the month it started."""
    activity = Activity.objects.get()
    month = _date(typed.get("reporting_month") or "") or _date(typed["start_date"])
    assert activity.reporting_month == month.replace(day=1)


@pytest.mark.parametrize("case", ACTIVITY_CASES)
def test_activity_through_the_service(world, case):
    typed, expected = _activity_case(case)
    values = {
        "admin_unit": AdminUnit.objects.get(pcode=typed.pop("admin_unit")),
        **{k: _date(v) for k, v in typed.items() if k.endswith(("_month", "_date"))},
        **{k: int(v) for k, v in typed.items() if v.isdigit() and k not in ("sector",)},
        "sector": typed["sector"],
        "modality": typed["modality"],
        "status": typed.get("status", "ongoing"),
    }
    problems = _refused(activity_record, by=world["user"], organisation=world["org"], **values)
    assert problems == expected
    if expected:
        assert not Activity.objects.exists()
    else:
        _activity_saved(typed)


@pytest.mark.parametrize("case", ACTIVITY_CASES)
def test_activity_through_the_entry_form(world, case):
    typed, expected = _activity_case(case)
    # As the browser sends the form: its initial zeros in the counts left alone.
    post = {"organisation": world["org"].pk, "channel": "in_country", "status": "ongoing"}
    post |= {"girls": "0", "boys": "0", "unspecified": "0"}
    post |= {"township" if k == "admin_unit" else k: v for k, v in typed.items()}
    response = world["client"].post("/enter/activity/", post)
    if expected:
        assert response.status_code == 400
        assert _form_problems(response) == expected
        assert not Activity.objects.exists()
    else:
        assert response.status_code == 302, _form_problems(response)
        _activity_saved(typed)


@pytest.mark.parametrize("case", ACTIVITY_CASES)
def test_activity_through_the_api(world, case):
    typed, expected = _activity_case(case)
    body: dict[str, Any] = {"organisation": str(world["org"].pk)}
    for k, v in typed.items():
        if k.endswith(("_month", "_date")):
            body[k] = f"{v}-01" if len(v) == 7 else (v or None)
        else:
            body[k] = int(v) if v.isdigit() else v
    response = world["client"].post(
        "/api/aid/activities/", json.dumps(body), content_type="application/json"
    )
    if expected:
        assert _api_problems(response) == expected
        assert "confirmable" not in response.json()  # a refusal, not a likely mistake
        assert not Activity.objects.exists()
    else:
        assert response.status_code == 201, response.content
        _activity_saved(typed)


@pytest.mark.parametrize("case", ACTIVITY_CASES)
def test_activity_through_the_importer(world, tmp_path, import_path, case):
    typed, expected = _activity_case(case)
    problems, result = _import(
        world, tmp_path, "activities", ACTIVITY_TAGS, typed, batch=import_path == "batch"
    )
    assert problems == expected
    if expected:
        assert not Activity.objects.exists()
        assert all(e.file.endswith(".csv") and e.row == 2 for e in result.errors)
    else:
        _activity_saved(typed)


def test_an_activity_with_only_a_start_date_shows_in_its_month(world):
    """Typed as 17 May 2026 with no month: it is in May's list and May's gap table."""
    client = world["client"]
    body = {
        "organisation": str(world["org"].pk),
        "sector": "health",
        "modality": "service",
        "admin_unit": TOWNSHIP,
        "start_date": "2026-05-17",
        "women": 7,
    }
    response = client.post(
        "/api/aid/activities/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["reporting_month"] == "2026-05-01"
    may = client.get("/activities/", {"month": "2026-05"})
    assert [a.women for a in may.context["page"].object_list] == [7]
    table = gap_table("2026-05")
    assert [(row.pcode, row.people_reached) for row in table.rows] == [(TOWNSHIP, 7)]


# --- Displacement figures ---------------------------------------------------------------------

FIGURE_TAGS = {"admin_unit": "#adm3+code", "as_of": "#date", "idps": "#affected+idps"}


def _figure_case(name: str) -> tuple[dict, list]:
    change, expected = FIGURE_CASES[name]
    return _typed(FIGURE, change), sorted(expected)


@pytest.mark.parametrize("case", FIGURE_CASES)
def test_figure_through_the_service(world, case):
    typed, expected = _figure_case(case)
    problems = _refused(
        figure_record,
        by=world["user"],
        reporting_organisation=world["org"],
        admin_unit=AdminUnit.objects.get(pcode=typed["admin_unit"]),
        as_of=_date(typed["as_of"]),
        idps=int(typed["idps"]),
        source=world["source"],
    )
    assert problems == expected
    assert DisplacementFigure.objects.exists() == (not expected)


@pytest.mark.parametrize("case", FIGURE_CASES)
def test_figure_through_the_entry_form(world, case):
    typed, expected = _figure_case(case)
    post = {
        "organisation": world["org"].pk,
        "township": typed["admin_unit"],
        "as_of": typed["as_of"],
        "idps": typed["idps"],
        "source": world["source"].pk,
        "source_reliability": "F",
    }
    response = world["client"].post("/enter/figure/", post)
    if expected:
        assert response.status_code == 400
        assert _form_problems(response) == expected
    else:
        assert response.status_code == 302, _form_problems(response)
    assert DisplacementFigure.objects.exists() == (not expected)


@pytest.mark.parametrize("case", FIGURE_CASES)
def test_figure_through_the_api(world, case):
    typed, expected = _figure_case(case)
    body = {
        "reporting_organisation": str(world["org"].pk),
        "admin_unit": typed["admin_unit"],
        "as_of": typed["as_of"],
        "idps": int(typed["idps"]),
        "source": str(world["source"].pk),
    }
    response = world["client"].post(
        "/api/situation/figures/", json.dumps(body), content_type="application/json"
    )
    if expected:
        assert _api_problems(response) == expected
    else:
        assert response.status_code == 201, response.content
    assert DisplacementFigure.objects.exists() == (not expected)


@pytest.mark.parametrize("case", FIGURE_CASES)
def test_figure_through_the_importer(world, tmp_path, case):
    typed, expected = _figure_case(case)
    problems, _ = _import(world, tmp_path, "figures", FIGURE_TAGS, typed, batch=False)
    assert problems == expected
    assert DisplacementFigure.objects.exists() == (not expected)


# --- Incidents --------------------------------------------------------------------------------

INCIDENT_TAGS = {
    "admin_unit": "#adm3+code",
    "occurred_on": "#date+occurred",
    "incident_type": "#event+type",
    "fatalities": "#affected+killed",
}


def _incident_case(name: str) -> tuple[dict, list]:
    change, expected = INCIDENT_CASES[name]
    return _typed({**INCIDENT, "incident_type": "airstrike"}, change), sorted(expected)


@pytest.mark.parametrize("case", INCIDENT_CASES)
def test_incident_through_the_service(world, case):
    typed, expected = _incident_case(case)
    problems = _refused(
        incident_record,
        by=world["user"],
        reporting_organisation=world["org"],
        admin_unit=AdminUnit.objects.get(pcode=typed["admin_unit"]),
        occurred_on=_date(typed["occurred_on"]),
        incident_type="airstrike",
        fatalities=int(typed["fatalities"]),
    )
    assert problems == expected
    assert Incident.objects.exists() == (not expected)


@pytest.mark.parametrize("case", INCIDENT_CASES)
def test_incident_through_the_entry_form(world, case):
    typed, expected = _incident_case(case)
    post = {
        "organisation": world["org"].pk,
        "township": typed["admin_unit"],
        "occurred_on": typed["occurred_on"],
        "incident_type": "airstrike",
        "fatalities": typed["fatalities"],
        "injuries": "0",
        "detained": "0",
        "source": world["source"].pk,
        "source_reliability": "F",
    }
    response = world["client"].post("/enter/incident/", post)
    if expected:
        assert response.status_code == 400
        assert _form_problems(response) == expected
    else:
        assert response.status_code == 302, _form_problems(response)
    assert Incident.objects.exists() == (not expected)


@pytest.mark.parametrize("case", INCIDENT_CASES)
def test_incident_through_the_api(world, case):
    typed, expected = _incident_case(case)
    body = {
        "reporting_organisation": str(world["org"].pk),
        "admin_unit": typed["admin_unit"],
        "occurred_on": typed["occurred_on"],
        "incident_type": "airstrike",
        "fatalities": int(typed["fatalities"]),
    }
    response = world["client"].post(
        "/api/situation/incidents/", json.dumps(body), content_type="application/json"
    )
    if expected:
        assert _api_problems(response) == expected
    else:
        assert response.status_code == 201, response.content
    assert Incident.objects.exists() == (not expected)


@pytest.mark.parametrize("case", INCIDENT_CASES)
def test_incident_through_the_importer(world, tmp_path, case):
    typed, expected = _incident_case(case)
    problems, _ = _import(world, tmp_path, "incidents", INCIDENT_TAGS, typed, batch=False)
    assert problems == expected
    assert Incident.objects.exists() == (not expected)


# --- Transfers (the service, the money pages' form, the API and the ledger import) ------------

KNOWN = "e.g. MMK, THB, USD"
TRANSFER_CASES: dict[str, tuple[dict, list]] = {
    "valid": ({}, []),
    "sent in 2030": ({"sent_on": "2030-01-01"}, [("sent_on", "2030-01-01 is in the future")]),
    "fee above the amount": (
        {"fee": "150"},
        [("fee", "the fee 150 is more than the amount sent 100")],
    ),
    "sent before 2021": (
        {"sent_on": "2019-05-01"},
        [("sent_on", "2019-05-01 is before 2021-01-01, the earliest date Corridor takes")],
    ),
    "sent in 0002": (
        {"sent_on": "0002-05-01"},
        [("sent_on", "0002-05-01 is before 2021-01-01, the earliest date Corridor takes")],
    ),
    "nothing sent": ({"amount": "0"}, [("amount", "the amount must be more than 0, not 0")]),
    "less than nothing sent": (
        {"amount": "-20"},
        [("amount", "the amount must be more than 0, not -20")],
    ),
    "a negative fee": ({"fee": "-5"}, [("fee", "must be 0 or more, not -5")]),
    "cents of a currency without them": (
        {"amount": "100.50", "currency": "JPY"},
        [("amount", "100.50 has more decimals than JPY keeps")],
    ),
    "a currency Corridor does not know": (
        {"currency": "XYZ"},
        [("currency", f"give an ISO 4217 currency code Corridor knows ({KNOWN}), not XYZ")],
    ),
    "to itself": (
        {"to": "itself"},
        [("to_organisation", "a transfer goes between two different organisations")],
    ),
}
# The ledger file's columns that are not the model's field names.
LEDGER_FIELDS = {"from": "from_organisation", "to": "to_organisation"}


def _transfer_case(name: str) -> tuple[dict, list]:
    change, expected = TRANSFER_CASES[name]
    return {"amount": "100", "currency": "USD", "sent_on": "2026-11-01", **change}, expected


def _ledger_problems(errors: list[str]) -> list[tuple[str, str]]:
    """'transfers.csv, row 2, column fee: message' as (field, message)."""
    found = []
    for error in errors:
        assert error.startswith("transfers.csv, row 2, column "), error
        column, message = error.removeprefix("transfers.csv, row 2, column ").split(": ", 1)
        found.append((LEDGER_FIELDS.get(column, column), message))
    return sorted(found)


@pytest.mark.parametrize("send", ["service", "form", "api", "importer"])
@pytest.mark.parametrize("case", TRANSFER_CASES)
def test_transfer_through_every_entry_point(world, tmp_path, case, send):
    typed, expected = _transfer_case(case)
    receiver = world["org"] if typed.pop("to", "") == "itself" else OrganisationFactory()
    if send == "service":
        values: dict[str, Any] = {
            "amount": Decimal(typed["amount"]),
            "currency": typed["currency"],
            "sent_on": _date(typed["sent_on"]),
            "channel": "informal",
        }
        if "fee" in typed:
            values["fee"] = Decimal(typed["fee"])
        problems = _refused(
            transfer_record,
            by=world["user"],
            from_organisation=world["org"],
            to_organisation=receiver,
            **values,
        )
    elif send == "form":
        post = {
            **typed,
            "from_organisation": world["org"].pk,
            "to_organisation": receiver.pk,
            "channel": "informal",
        }
        response = world["client"].post("/money/transfers/new/", post)
        if response.status_code == 302:
            problems = []
        else:
            assert response.status_code == 400
            problems = _form_problems(response)
    elif send == "api":
        body = {
            **typed,
            "from_organisation": str(world["org"].pk),
            "to_organisation": str(receiver.pk),
            "channel": "informal",
        }
        response = world["client"].post(
            "/api/funds/transfers/", json.dumps(body), content_type="application/json"
        )
        problems = _api_problems(response) if response.status_code != 201 else []
    else:
        row = {"from": world["org"].name, "to": receiver.name, "channel": "hundi", **typed}
        path = tmp_path / "transfers.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        result = ledger_import(by=world["user"], path=path)
        assert result.created == (0 if expected else 1)
        problems = _ledger_problems(result.errors)
    assert problems == expected
    assert Transfer.objects.exists() == (not expected)


def test_the_window_follows_the_settings(world, settings):
    """The horizon and the earliest date are settings; the rules read them, not constants."""
    values = {"reporting_month": dt.date(2031, 1, 1), "women": 1, "admin_unit": TOWNSHIP}
    assert [p.code for p in activity_problems({**values, "level": 3})] == ["too_far_ahead"]
    settings.PLANNING_HORIZON_DAYS = 5 * 366
    assert activity_problems({**values, "level": 3}) == []
    settings.EARLIEST_DATE = dt.date(2031, 6, 1)
    assert [p.code for p in activity_problems({**values, "level": 3})] == ["too_early"]


@pytest.mark.parametrize("typed", ["2026-05", "May 2026", "17/05/2026", "2026-05-17"])
def test_a_month_typed_any_way_lands_in_it(world, tmp_path, typed):
    """The entry form and an imported file read a month the same way: the first of it."""
    post = {
        "organisation": world["org"].pk,
        "township": TOWNSHIP,
        "reporting_month": typed,
        "sector": "health",
        "modality": "service",
        "channel": "in_country",
        "status": "ongoing",
        **{"women": "4", "men": "0", "girls": "0", "boys": "0", "unspecified": "0"},
    }
    assert world["client"].post("/enter/activity/", post).status_code == 302
    row = {**_typed(ACTIVITY, {"reporting_month": typed}), "sector": "wash"}
    row["modality"] = "cash"
    problems, _ = _import(world, tmp_path, "activities", ACTIVITY_TAGS, row, batch=True)
    assert problems == []
    months = set(Activity.objects.values_list("reporting_month", flat=True))
    assert months == {dt.date(2026, 5, 1)}
    assert Activity.objects.count() == 2


# --- Rules a person confirms: a likely duplicate, a jump against the last figure (0215) ------
# The service, the form and the API refuse with the rule's words until the person confirms;
# an import saves the row and reports the same words as a warning; re-importing the same file
# flags nothing (its records are stored with those very values already, decision 0150).

DUPLICATE = (
    "looks like a duplicate of activity {id}, already recorded: same organisation, "
    "township, month, sector, modality and people"
)
JUMP = (
    "{value} is more than 10 times this township's last figure (28491 on 2026-10-31): "
    "check the number"
)
TWIN_CASES = {
    "the same report again": ({}, True),
    "other numbers": ({"women": "11"}, False),
    "another month": ({"reporting_month": "2026-06"}, False),
    "planned, same people": ({"status": "planned"}, True),
}
JUMP_CASES = {
    "400,000 IDPs after 28,491": ({"idps": "400000"}, True),
    "a rise within ten times": ({"idps": "250000"}, False),
    "a fall": ({"idps": "1200"}, False),
}


@pytest.fixture
def twin(world):
    """An activity already recorded (through the form, say): ACTIVITY's values."""
    stored = activity_record(
        by=world["user"],
        organisation=world["org"],
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        reporting_month=dt.date(2026, 5, 1),
        sector="health",
        modality="service",
        women=10,
        men=5,
    )
    return [(ALL, DUPLICATE.format(id=str(stored.pk)[:8]))]


@pytest.fixture
def last_figure(world):
    """The township's last figure: 28,491 IDPs on 31 October 2026."""
    figure_record(
        by=world["user"],
        reporting_organisation=world["org"],
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        as_of=dt.date(2026, 10, 31),
        idps=28491,
        source=SourceFactory(title="October count"),
    )


def _warnings(result: Any, tags: dict) -> list[tuple[str, str]]:
    by_tag = {tag: name for name, tag in tags.items()}
    return sorted((by_tag.get(w.column, w.column) or ALL, w.reason) for w in result.warnings)


@pytest.mark.parametrize("case", TWIN_CASES)
def test_a_likely_duplicate_through_the_service(world, twin, case):
    change, flagged = TWIN_CASES[case]
    values = {
        "admin_unit": AdminUnit.objects.get(pcode=TOWNSHIP),
        "reporting_month": _date(change.get("reporting_month", "2026-05")),
        "sector": "health",
        "modality": "service",
        "women": int(change.get("women", "10")),
        "men": 5,
        "status": change.get("status", "ongoing"),
    }
    write = {"by": world["user"], "organisation": world["org"], **values}
    assert _refused(activity_record, **write) == (twin if flagged else [])
    if flagged:
        assert Activity.objects.count() == 1
        activity_record(**write, confirm=True)
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("case", TWIN_CASES)
def test_a_likely_duplicate_through_the_entry_form(world, twin, case):
    change, flagged = TWIN_CASES[case]
    typed, _ = _activity_case("valid")
    post = {"organisation": world["org"].pk, "channel": "in_country", "status": "ongoing"}
    post |= {"girls": "0", "boys": "0", "unspecified": "0"}
    post |= {"township" if k == "admin_unit" else k: v for k, v in {**typed, **change}.items()}
    response = world["client"].post("/enter/activity/", post)
    if flagged:
        assert response.status_code == 400
        assert _form_problems(response) == twin
        assert 'name="confirm"' in response.content.decode()  # the box appears only now
        response = world["client"].post("/enter/activity/", {**post, "confirm": "on"})
    assert response.status_code == 302, _form_problems(response)
    assert Activity.objects.count() == 2


def test_the_confirm_box_is_not_offered_before_it_is_needed(world):
    page = world["client"].get("/enter/activity/")
    assert page.status_code == 200
    assert 'name="confirm"' not in page.content.decode()
    assert 'name="women"' in page.content.decode()


@pytest.mark.parametrize("case", TWIN_CASES)
def test_a_likely_duplicate_through_the_api(world, twin, case):
    change, flagged = TWIN_CASES[case]
    body: dict[str, Any] = {
        "organisation": str(world["org"].pk),
        "admin_unit": TOWNSHIP,
        "reporting_month": f"{change.get('reporting_month', '2026-05')}-01",
        "sector": "health",
        "modality": "service",
        "women": int(change.get("women", "10")),
        "men": 5,
        "status": change.get("status", "ongoing"),
    }

    def post(body: dict) -> Any:
        return world["client"].post(
            "/api/aid/activities/", json.dumps(body), content_type="application/json"
        )

    response = post(body)
    if flagged:
        assert _api_problems(response) == twin
        assert response.json()["confirmable"] is True  # "confirm": true would save it
        response = post({**body, "confirm": True})
    assert response.status_code == 201, response.content
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("case", TWIN_CASES)
def test_a_likely_duplicate_through_the_importer(world, twin, tmp_path, import_path, case):
    change, flagged = TWIN_CASES[case]
    typed, _ = _activity_case("valid")
    typed = {**typed, **change}
    batch = import_path == "batch"
    problems, result = _import(world, tmp_path, "activities", ACTIVITY_TAGS, typed, batch=batch)
    assert problems == []
    assert _warnings(result, ACTIVITY_TAGS) == (twin if flagged else [])
    assert result.warning_count == len(result.warnings)
    assert Activity.objects.count() == 2  # imported: the file's check showed the warning
    # The same file again: its record is stored already, as it is; nothing is flagged.
    _, again = _import(world, tmp_path, "activities", ACTIVITY_TAGS, typed, batch=batch)
    assert (again.unchanged, again.created, again.warnings) == (1, 0, [])
    assert Activity.objects.count() == 2


IN_FILE = (
    "looks like a duplicate of row {row} of this file: same organisation, township, month, "
    "sector, modality and people"
)


def _file_of(world: dict, tmp_path: Any, rows: list[dict]) -> Any:
    """An HXL file of activities, one line per typed row (the same columns for each)."""
    names = list(ACTIVITY_TAGS)
    lines = [",".join(ACTIVITY_TAGS[n] for n in names)]
    lines += [",".join(row.get(n, "") for n in names) for row in rows]
    path = tmp_path / "5w.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "import"])
def test_a_row_the_same_as_an_earlier_row_of_its_file(world, tmp_path, import_path, dry_run):
    """Within one file, by the same rule and in its words: row 4 and row 5 repeat row 2 (row 4
    in a later batch than row 2, so after row 2 is written when importing). The file's check
    and its import say the same; the rows are kept, as two records are (decision 0150)."""
    same, _ = _activity_case("valid")
    other = {**same, "women": "11"}
    path = _file_of(world, tmp_path, [same, other, same, same])
    write = {"by": world["user"], "kind": "activities", "format": "hxl"}
    result = file_import(
        **write, path=path, organisation=world["org"], dry_run=dry_run, batch_size=2
    )
    assert result.errors == []
    flagged = sorted((w.row, w.column, w.reason) for w in result.warnings)
    assert flagged == [(4, "", IN_FILE.format(row=2)), (5, "", IN_FILE.format(row=2))]
    assert Activity.objects.count() == (0 if dry_run else 4)
    if dry_run:
        return
    # The same file again: every row is stored as it is, accepted once; nothing is flagged.
    again = file_import(**write, path=path, organisation=world["org"], batch_size=2)
    assert (again.unchanged, again.created, again.warnings) == (4, 0, [])


FIGURE_IN_FILE = (
    "looks like a duplicate of row {row} of this file: same township, date, source, sector "
    "and numbers"
)
FIGURE_AGAIN = (
    "gives the township, date, source and sector of row {row} of this file again, with other "
    "numbers: only one figure is kept for them, this row's"
)


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "import"])
def test_a_figure_row_the_same_as_an_earlier_row_of_its_file(world, tmp_path, dry_run):
    """Figures by the same home as 4W rows (decision 0281): rows 4 and 5 repeat row 2 (in later
    batches); row 6 gives row 2's township, date and source with other IDPs, and, the file's
    last of them, its numbers are the ones kept. Check and import say the same."""
    names = list(FIGURE_TAGS)
    same = _typed(FIGURE, {})
    other = {**same, "as_of": "2026-10-31"}
    changed = {**same, "idps": "28000"}
    lines = [",".join(FIGURE_TAGS[n] for n in names) + ",#meta+source+name"]
    for row in (same, other, same, same, changed):
        lines.append(",".join(row[n] for n in names) + ",Township report")
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write = {"by": world["user"], "kind": "figures", "format": "hxl"}
    result = file_import(
        **write, path=path, organisation=world["org"], dry_run=dry_run, batch_size=2
    )
    assert result.errors == []
    assert sorted((w.row, w.column, w.reason) for w in result.warnings) == [
        (4, "", FIGURE_IN_FILE.format(row=2)),
        (5, "", FIGURE_IN_FILE.format(row=2)),
        (6, "", FIGURE_AGAIN.format(row=2)),
    ]
    if dry_run:
        assert not DisplacementFigure.objects.exists()
        return
    kept = DisplacementFigure.objects.order_by("as_of").values_list("as_of", "idps")
    assert list(kept) == [(dt.date(2026, 10, 31), 28491), (dt.date(2026, 11, 30), 28000)]


def test_figure_rows_of_other_sectors_or_sources_are_not_repeats(world, tmp_path):
    """Only the whole key repeats: the same township and date from another source is another
    figure, and is not flagged."""
    names = list(FIGURE_TAGS)
    same = _typed(FIGURE, {})
    lines = [",".join(FIGURE_TAGS[n] for n in names) + ",#meta+source+name"]
    for source in ("Township report", "Camp committee count"):
        lines.append(",".join(same[n] for n in names) + "," + source)
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = file_import(
        by=world["user"], path=path, kind="figures", format="hxl", organisation=world["org"]
    )
    assert (result.errors, result.warnings) == ([], [])
    assert DisplacementFigure.objects.count() == 2


def test_a_row_the_same_as_a_stored_activity_names_the_stored_one(world, twin, tmp_path):
    """A file repeating an activity recorded before it: every such row names the stored one,
    not an earlier row of the file."""
    same, _ = _activity_case("valid")
    path = _file_of(world, tmp_path, [same, same])
    result = file_import(
        by=world["user"], path=path, kind="activities", format="hxl", organisation=world["org"]
    )
    assert sorted((w.row, w.reason) for w in result.warnings) == [
        (2, twin[0][1]),
        (3, twin[0][1]),
    ]


def test_a_status_change_of_a_confirmed_duplicate_is_not_flagged_again(world, twin):
    """Accepted once: correcting another field (here the status, in bulk) is not refused."""
    second = activity_record(
        by=world["user"],
        organisation=world["org"],
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        reporting_month=dt.date(2026, 5, 1),
        sector="health",
        modality="service",
        women=10,
        men=5,
        confirm=True,
    )
    changed, refused = activities_set_status(
        by=world["user"], activities=[second], status="completed"
    )
    assert (changed, refused) == ([second], [])


def _figure_post(world: dict, typed: dict) -> dict:
    return {
        "organisation": world["org"].pk,
        "township": typed["admin_unit"],
        "as_of": typed["as_of"],
        "idps": typed["idps"],
        "source": world["source"].pk,
        "source_reliability": "F",
    }


def _jump_case(name: str) -> tuple[dict, list]:
    change, flagged = JUMP_CASES[name]
    typed = _typed(FIGURE, change)
    return typed, [("idps", JUMP.format(value=typed["idps"]))] if flagged else []


@pytest.mark.parametrize("case", JUMP_CASES)
def test_a_jump_through_the_service(world, last_figure, case):
    typed, expected = _jump_case(case)
    write = {
        "by": world["user"],
        "reporting_organisation": world["org"],
        "admin_unit": AdminUnit.objects.get(pcode=TOWNSHIP),
        "as_of": _date(typed["as_of"]),
        "idps": int(typed["idps"]),
        "source": world["source"],
    }
    assert _refused(figure_record, **write) == expected
    if expected:
        figure_record(**write, confirm=True)
    assert DisplacementFigure.objects.count() == 2


@pytest.mark.parametrize("case", JUMP_CASES)
def test_a_jump_through_the_entry_form(world, last_figure, case):
    typed, expected = _jump_case(case)
    post = _figure_post(world, typed)
    response = world["client"].post("/enter/figure/", post)
    if expected:
        assert response.status_code == 400
        assert _form_problems(response) == expected
        assert 'name="confirm"' in response.content.decode()
        response = world["client"].post("/enter/figure/", {**post, "confirm": "on"})
    assert response.status_code == 302, _form_problems(response)
    assert DisplacementFigure.objects.count() == 2


@pytest.mark.parametrize("case", JUMP_CASES)
def test_a_jump_through_the_api(world, last_figure, case):
    typed, expected = _jump_case(case)
    body = {
        "reporting_organisation": str(world["org"].pk),
        "admin_unit": typed["admin_unit"],
        "as_of": typed["as_of"],
        "idps": int(typed["idps"]),
        "source": str(world["source"].pk),
    }

    def post(body: dict) -> Any:
        return world["client"].post(
            "/api/situation/figures/", json.dumps(body), content_type="application/json"
        )

    response = post(body)
    if expected:
        assert _api_problems(response) == expected
        assert response.json()["confirmable"] is True
        response = post({**body, "confirm": True})
    assert response.status_code == 201, response.content
    assert DisplacementFigure.objects.count() == 2


@pytest.mark.parametrize("case", JUMP_CASES)
def test_a_jump_through_the_importer(world, last_figure, tmp_path, case):
    typed, expected = _jump_case(case)
    problems, result = _import(world, tmp_path, "figures", FIGURE_TAGS, typed, batch=False)
    assert problems == []
    assert _warnings(result, FIGURE_TAGS) == expected
    assert DisplacementFigure.objects.count() == 2
    _, again = _import(world, tmp_path, "figures", FIGURE_TAGS, typed, batch=False)
    assert (again.unchanged, again.warnings) == (1, [])


def test_a_jump_is_measured_against_the_figure_that_counted_the_day_before(world, last_figure):
    """A later figure is not the yardstick of an earlier date, and a correction of another
    field of an accepted jump is not flagged again."""
    source = SourceFactory(title="A November count")
    early = {
        "by": world["user"],
        "reporting_organisation": world["org"],
        "admin_unit": AdminUnit.objects.get(pcode=TOWNSHIP),
        "source": source,
    }
    # Before 31 October there is no figure: nothing to compare with.
    figure_record(**early, as_of=dt.date(2026, 9, 30), idps=900_000)
    jumped = figure_record(**early, as_of=dt.date(2026, 11, 30), idps=400_000, confirm=True)
    figure_update(by=world["user"], figure=jumped, notes="checked with the camp committee")
    jumped.refresh_from_db()
    assert jumped.notes == "checked with the camp committee"


def test_corridor_import_prints_the_rows_to_check(world, twin, tmp_path, capsys):
    """The CLI as a person runs it: the check and the import list the flagged row, by row,
    in the rule's words; the same file again is unchanged and flags nothing."""
    from corridor.cli.main import main

    path = tmp_path / "5w.csv"
    path.write_text(
        "#org,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults,#reached+m+adults\n"
        f"CRN,health,service,{TOWNSHIP},2026-05,10,5\n",
        encoding="utf-8",
    )
    warning = f"warning: 5w.csv, row 2: {twin[0][1]}"
    assert main(["import", str(path), "--quiet", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 rows to check (imported as they are):" in out
    assert warning in out
    assert Activity.objects.count() == 1
    assert main(["import", str(path), "--quiet"]) == 0
    assert warning in capsys.readouterr().out
    assert Activity.objects.count() == 2
    assert main(["import", str(path), "--quiet", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["unchanged"], again["warning_count"], again["warnings"]) == (1, 0, [])


def test_corridor_import_names_the_earlier_row_of_the_file(world, tmp_path, capsys):
    """The CLI as a person runs it: a row pasted twice is listed with the row it repeats."""
    from corridor.cli.main import main

    path = tmp_path / "5w.csv"
    row = f"CRN,health,service,{TOWNSHIP},2026-05,10,5\n"
    path.write_text(
        "#org,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults,#reached+m+adults\n"
        + row
        + row,
        encoding="utf-8",
    )
    assert main(["import", str(path), "--quiet", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"warning: 5w.csv, row 3: {IN_FILE.format(row=2)}" in out
    assert "row 2:" not in out
    assert Activity.objects.count() == 0


def test_a_service_refuses_fields_its_record_type_does_not_let_callers_set():
    from corridor.core.errors import InvalidInput
    from corridor.core.rules import settable_only, values_set

    allowed = frozenset({"notes", "status"})
    settable_only({"notes": "x"}, allowed, "activity")  # allowed: nothing raised
    with pytest.raises(
        InvalidInput, match=r"^activity: field\(s\) id, organisation cannot be set$"
    ):
        settable_only({"organisation": 1, "notes": "", "id": 2}, allowed, "activity")

    class Row:
        notes = "old"

    row = Row()
    values_set(row, {"notes": "new"})
    assert row.notes == "new"
