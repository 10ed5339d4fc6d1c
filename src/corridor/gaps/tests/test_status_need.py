"""Status and periods (issue 12 §2): only reached counts as reached, need by sector and period,
one latest-figure rule, headlines that say their period. Pages and APIs over HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from corridor.accounts.models import GlobalRole
from corridor.aid.models import Sector, Status
from corridor.exchange.sharing import activities_table
from corridor.gaps.queries import NEED_ALL_SECTORS, NEED_IDPS, NEED_SECTOR, gap_table
from corridor.situation.models import DisplacementFigure
from corridor.situation.queries import latest_figures
from corridor.testing import factories as f
from corridor.testing.signin import sign_in

pytestmark = pytest.mark.django_db

MARCH = dt.date(2024, 3, 1)
TOWNSHIP = "MMR005022"


@pytest.fixture
def reach():
    """One township; in March 2024 six organisations reach 60 people (ongoing or completed),
    one plans to reach 700 and one cancelled 900."""
    place = f.township(TOWNSHIP)
    f.DisplacementFigureFactory(admin_unit=place, as_of=dt.date(2024, 3, 20), idps=5000)
    for n in range(6):
        f.ActivityFactory(
            admin_unit=place,
            organisation=f.OrganisationFactory(name=f"Reaching {n}"),
            status=Status.COMPLETED if n % 2 else Status.ONGOING,
            women=10,
            men=0,
            girls=0,
            boys=0,
        )
    planner = f.OrganisationFactory(name="Planner")
    f.ActivityFactory(
        admin_unit=place,
        organisation=planner,
        status=Status.PLANNED,
        women=700,
        men=0,
        girls=0,
        boys=0,
    )
    f.ActivityFactory(
        admin_unit=place,
        organisation=f.OrganisationFactory(name="Canceller"),
        status=Status.CANCELLED,
        women=900,
        men=0,
        girls=0,
        boys=0,
    )
    return place


def _coordinator(client):
    sign_in(client, f.UserFactory(global_role=GlobalRole.COORDINATOR))


def _food(table):
    return next(r for r in table.rows if r.sector == Sector.FOOD_SECURITY)


def test_gap_table_counts_reached_and_shows_planned_apart(reach):
    row = _food(gap_table("2024-03"))
    assert (row.people_reached, row.planned, row.organisations) == (60, 700, 6)
    assert row.coverage == round(60 / 5000, 4)
    assert gap_table("2024-03").ranking[0].people_reached == 60


def test_api_csv_and_township_page_agree(client, reach):
    _coordinator(client)
    api = client.get("/api/gaps/", {"month": "2024-03", "sector": "food_security"}).json()
    (row,) = api["rows"]
    assert (row["people_reached"], row["planned"], row["organisations"]) == (60, 700, 6)
    assert row["need_basis"] == NEED_IDPS
    assert row["need_period"] == "2024-03"

    answer = client.get("/gaps.csv", {"month": "2024-03", "sector": "food_security"})
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header, first = lines[0], lines[1]
    shown = dict(zip(header, first, strict=False))
    assert (shown["people_reached"], shown["planned"], shown["organisations"]) == (
        "60",
        "700",
        "6",
    )

    page = client.get(f"/townships/{TOWNSHIP}/", {"month": "2024-03"}).content.decode()
    food = page.split('data-sector="food_security"', 1)[1].split("</tr>", 1)[0]
    assert 'class="n reached">60<' in food
    assert 'class="n planned">700<' in food
    # The cancelled row counts nowhere: no number shown is its 900 or a sum with it. Only the
    # page's numbers are looked at: "900" anywhere in the page also matched the random ids in
    # its links (a figure's or an organisation's UUID holds "900" about once in 200), which
    # made this test fail now and then.
    shown_numbers = {int(n.replace(",", "")) for n in re.findall(r">\s*(\d[\d,]*)\s*<", page)}
    assert 60 in shown_numbers
    assert 700 in shown_numbers
    assert not shown_numbers & {900, 960, 1600, 1660}

    township = client.get(f"/api/web/townships/{TOWNSHIP}", {"month": "2024-03"}).json()
    present = {p["label"]: (p["people_reached"], p["planned"]) for p in township["present"]}
    assert present["Planner"] == (0, 700)
    assert present["Canceller"] == (0, 0)
    assert present["Reaching 1"] == (10, 0)


def test_dashboard_headlines_count_only_reached(client, reach):
    _coordinator(client)
    period = {"start": "2024-03", "end": "2024-03"}
    answer = client.get("/api/web/headlines", period).json()
    by_key = {h["key"]: h for h in answer["headlines"]}
    assert by_key["reached"]["value"] == 60
    assert by_key["planned"]["value"] == 700
    assert by_key["organisations"]["value"] == 6
    assert by_key["reached"]["period"] == by_key["organisations"]["period"]
    assert "2024" in by_key["reached"]["period"]
    trends = client.get("/api/web/trends", period).json()
    reached = next(s for s in trends["series"] if s["key"] == "reached")
    assert [p["value"] for p in reached["points"]] == [60]
    page = client.get("/", period).content.decode()
    card = page.split('id="headline-reached"', 1)[1].split("</div>", 1)[0]
    assert ">60<" in card


def test_sharing_table_and_record_api_leave_planned_out(client, reach):
    table = activities_table(by=None, organisation=None, today=timezone.localdate())
    labels = {row[8] for row in table.rows}
    assert "Planner" not in labels
    assert "Canceller" not in labels
    assert "Reaching 0" in labels
    _coordinator(client)
    items = client.get("/api/aid/activities/", {"limit": 100}).json()["items"]
    planned = next(i for i in items if i["status"] == "planned")
    assert (planned["people_reached"], planned["people_planned"]) == (0, 700)


def test_cancelled_status_is_stored_and_checked(reach):
    assert Status.CANCELLED in Status.values
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        f.ActivityFactory(admin_unit=reach, status="postponed")


# --- need by sector and validity period ------------------------------------------------------


@pytest.fixture
def needs():
    place = f.township(TOWNSHIP)
    hno = f.SourceFactory(title="HNO 2024", publisher="OCHA", reliability="B")
    f.DisplacementFigureFactory(admin_unit=place, as_of=dt.date(2024, 2, 10), idps=1000)
    # Food security's people in need for the whole of 2024, published the December before.
    f.DisplacementFigureFactory(
        admin_unit=place,
        as_of=dt.date(2023, 12, 15),
        idps=None,
        people_in_need=8000,
        sector=Sector.FOOD_SECURITY,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2024, 12, 31),
        source=hno,
    )
    f.ActivityFactory(admin_unit=place, sector=Sector.HEALTH, women=100, men=0, girls=0, boys=0)
    return place, hno


def test_a_sector_need_does_not_make_a_gap_in_other_sectors(needs):
    table = gap_table("2024-03")
    by_sector = {r.sector: r for r in table.rows}
    food, health = by_sector[Sector.FOOD_SECURITY], by_sector[Sector.HEALTH]
    assert (food.need, food.need_basis, food.need_source) == (8000, NEED_SECTOR, "OCHA: HNO 2024")
    assert (food.need_valid_from, food.need_valid_to) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )
    # Health falls back to the township's IDPs, not to food security's need.
    assert (health.need, health.need_basis, health.coverage) == (1000, NEED_IDPS, 0.1)
    # With a people-in-need figure for all sectors, that one counts for health.
    place, hno = needs
    f.DisplacementFigureFactory(
        admin_unit=place,
        as_of=dt.date(2024, 1, 5),
        idps=900,
        people_in_need=2000,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2024, 12, 31),
        source=hno,
    )
    health = next(r for r in gap_table("2024-03").rows if r.sector == Sector.HEALTH)
    assert (health.need, health.need_basis, health.idps) == (2000, NEED_ALL_SECTORS, 1000)
    # The ranking uses the township's need for all sectors.
    assert gap_table("2024-03").ranking[0].need == 2000


def test_a_need_valid_for_a_year_counts_every_month_of_it(needs):
    for month in ("2024-01", "2024-06", "2024-12"):
        food = _food(gap_table(month))
        assert (food.need, food.need_basis) == (8000, NEED_SECTOR), month
    # Before and after its year it does not count: IDPs (when there are any by then) do.
    assert _food(gap_table("2025-01")).need_basis == NEED_IDPS
    assert not any(r.sector == Sector.FOOD_SECURITY for r in gap_table("2023-12").rows)


def test_the_gap_page_shows_the_need_source_and_period(client, needs):
    _coordinator(client)
    page = client.get("/gaps/", {"month": "2024-06", "sector": "food_security"}).content.decode()
    row = page.split('data-sector="food_security"', 1)[1].split("</tr>", 1)[0]
    assert "OCHA: HNO 2024" in row
    assert "2024" in row.split("OCHA: HNO 2024", 1)[1]
    api = client.get("/api/gaps/", {"month": "2024-06", "sector": "food_security"}).json()
    assert (api["rows"][0]["need_basis"], api["rows"][0]["need_period"]) == (
        NEED_SECTOR,
        "2024-01..2024-12",
    )


def test_a_sector_figure_holds_need_only():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        f.DisplacementFigureFactory(idps=5, people_in_need=10, sector=Sector.HEALTH)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.DisplacementFigureFactory(
            people_in_need=10, valid_from=dt.date(2024, 2, 1), valid_to=dt.date(2024, 1, 1)
        )


# --- the one latest-figure rule --------------------------------------------------------------


def test_latest_figure_ties_go_to_the_more_reliable_source_then_the_larger(client):
    place = f.township(TOWNSHIP)
    day = dt.date(2024, 3, 20)
    f.DisplacementFigureFactory(
        admin_unit=place, as_of=dt.date(2024, 3, 1), idps=99999, source=f.SourceFactory()
    )
    f.DisplacementFigureFactory(
        admin_unit=place, as_of=day, idps=700, source=f.SourceFactory(reliability="F")
    )
    f.DisplacementFigureFactory(
        admin_unit=place, as_of=day, idps=300, source=f.SourceFactory(reliability="A")
    )
    figures = DisplacementFigure.objects.all()
    assert latest_figures(figures, dt.date(2024, 3, 31))[TOWNSHIP].idps == 300
    assert latest_figures(figures, dt.date(2024, 3, 19))[TOWNSHIP].idps == 99999
    # Same reliability: the larger.
    f.DisplacementFigureFactory(
        admin_unit=place, as_of=day, idps=400, source=f.SourceFactory(reliability="A")
    )
    assert latest_figures(figures, dt.date(2024, 3, 31))[TOWNSHIP].idps == 400
    # The gap table, the dashboard's map and its headline use the same figure.
    assert _food(gap_table("2024-03")).idps == 400
    _coordinator(client)
    period = {"start": "2024-03", "end": "2024-03"}
    layer = client.get("/api/web/map", {**period, "layer": "idps"})
    assert layer.status_code == 200
    headlines = client.get("/api/web/headlines", period).json()["headlines"]
    assert next(h for h in headlines if h["key"] == "idps")["value"] == 400
    # A later month without a new figure carries it forward, with its date beside it.
    june = _food(gap_table("2024-06"))
    assert (june.idps, june.figure_as_of) == (400, day)


def test_an_old_national_headline_says_its_date(client):
    source = f.SourceFactory(title="National estimate", publisher="UNHCR")
    from corridor.situation.models import Indicator

    Indicator.objects.create(
        code="idps_total", label="IDPs", value=1_500_000, as_of=dt.date(2023, 6, 30), source=source
    )
    _coordinator(client)
    period = {"start": "2026-01", "end": "2026-06"}
    idps = next(
        h
        for h in client.get("/api/web/headlines", period).json()["headlines"]
        if h["key"] == "idps"
    )
    assert idps["value"] == 1_500_000
    assert idps["before_period"] is True
    assert "2023-06-30" in idps["period"]
    page = client.get("/", period).content.decode()
    card = page.split('id="headline-idps"', 1)[1].split("</div>", 1)[0]
    assert "2023-06-30" in card
    assert "stale" in card
    # A township figure within the period replaces it.
    f.DisplacementFigureFactory(admin_unit=f.township(TOWNSHIP), as_of=dt.date(2026, 3, 1), idps=7)
    idps = next(
        h
        for h in client.get("/api/web/headlines", period).json()["headlines"]
        if h["key"] == "idps"
    )
    assert (idps["value"], idps["before_period"]) == (7, False)


def test_township_page_opens_on_the_latest_month_with_data(client):
    place = f.township(TOWNSHIP)
    f.ActivityFactory(admin_unit=place, reporting_month=dt.date(2024, 3, 1))
    # A plan for a later month and a cancelled row are not data.
    f.ActivityFactory(admin_unit=place, reporting_month=dt.date(2024, 9, 1), status="planned")
    f.ActivityFactory(admin_unit=place, reporting_month=dt.date(2024, 8, 1), status="cancelled")
    _coordinator(client)
    answer = client.get(f"/api/web/townships/{TOWNSHIP}").json()
    assert answer["month"] == "2024-03"
    # A figure in a later month is data.
    f.DisplacementFigureFactory(admin_unit=place, as_of=dt.date(2024, 5, 9))
    assert client.get(f"/api/web/townships/{TOWNSHIP}").json()["month"] == "2024-05"
    page = client.get(f"/townships/{TOWNSHIP}/").content.decode()
    assert "May 2024" in page or "2024-05" in page
