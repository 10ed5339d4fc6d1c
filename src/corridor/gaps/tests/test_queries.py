"""The gap table against an independent raw-SQL computation, the page, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.utils import timezone

from corridor.accounts.models import GlobalRole
from corridor.aid.models import Sector
from corridor.cli.main import main
from corridor.gaps.queries import GapInputError, gap_table
from corridor.testing import factories as f
from corridor.testing.signin import sign_in

pytestmark = pytest.mark.django_db

MARCH = dt.date(2024, 3, 1)

RAW_SQL = """
WITH fig AS (
  SELECT admin_unit_id AS pcode, as_of,
         COALESCE(people_in_need, idps) AS need, idps, people_in_need,
         ROW_NUMBER() OVER (PARTITION BY admin_unit_id
                            ORDER BY as_of DESC, COALESCE(people_in_need, idps) DESC) AS rn
  FROM situation_displacementfigure
  WHERE as_of < %(end)s AND sector = ''
), reach AS (
  SELECT admin_unit_id AS pcode, sector,
         SUM(women + men + girls + boys + unspecified) AS reached,
         COUNT(DISTINCT organisation_id) AS orgs
  FROM aid_activity WHERE reporting_month = %(start)s
    AND status IN ('ongoing', 'completed')
  GROUP BY admin_unit_id, sector
)
SELECT fig.pcode, s.sector, fig.need, COALESCE(reach.reached, 0), COALESCE(reach.orgs, 0)
FROM fig CROSS JOIN (SELECT DISTINCT sector FROM gap_sectors) s
LEFT JOIN reach ON reach.pcode = fig.pcode AND reach.sector = s.sector
WHERE fig.rn = 1
UNION ALL
SELECT reach.pcode, reach.sector, NULL, reach.reached, reach.orgs FROM reach
WHERE NOT EXISTS (SELECT 1 FROM fig WHERE fig.pcode = reach.pcode AND fig.rn = 1)
"""


def raw_gaps(month: dt.date) -> dict[tuple[str, str], tuple]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE gap_sectors (sector varchar(24))")
        for sector in Sector.values:
            cursor.execute("INSERT INTO gap_sectors VALUES (%s)", [sector])
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        cursor.execute(RAW_SQL, {"start": month, "end": end})
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE gap_sectors")
    return {(p, s): (need, int(reached), int(orgs)) for p, s, need, reached, orgs in rows}


@pytest.fixture
def situation():
    """Two townships, two figures in one of them, activities by three organisations."""
    a, b, c = f.township("MMR005022"), f.township("MMR005023"), f.township("MMR013001")
    one, two, three = (f.OrganisationFactory() for _ in range(3))
    f.DisplacementFigureFactory(admin_unit=a, as_of=dt.date(2024, 3, 5), idps=1000)
    f.DisplacementFigureFactory(
        admin_unit=a, as_of=dt.date(2024, 3, 25), idps=2000, people_in_need=2500
    )
    f.DisplacementFigureFactory(admin_unit=a, as_of=dt.date(2024, 4, 2), idps=9999)
    f.DisplacementFigureFactory(admin_unit=b, as_of=dt.date(2024, 3, 10), idps=400)
    f.ActivityFactory(admin_unit=a, organisation=one, women=100, men=50, girls=0, boys=0)
    f.ActivityFactory(admin_unit=a, organisation=two, women=10, men=10, girls=5, boys=5)
    f.ActivityFactory(
        admin_unit=a, organisation=two, sector=Sector.HEALTH, women=7, men=3, girls=0, boys=0
    )
    f.ActivityFactory(
        admin_unit=c, organisation=three, women=1, men=1, girls=1, boys=1, unspecified=6
    )
    f.ActivityFactory(admin_unit=a, organisation=three, reporting_month=dt.date(2024, 2, 1))
    # Planned and cancelled rows reach nobody (yet): the oracle leaves them out too.
    f.ActivityFactory(admin_unit=a, organisation=three, status="planned", women=900)
    f.ActivityFactory(admin_unit=b, organisation=three, status="cancelled", women=800)
    return a, b, c


def test_service_matches_raw_sql(situation):
    table = gap_table("2024-03")
    service = {(r.pcode, r.sector): (r.need, r.people_reached, r.organisations) for r in table.rows}
    assert service == raw_gaps(MARCH)
    assert service[("MMR005022", Sector.FOOD_SECURITY)] == (2500, 180, 2)
    assert service[("MMR013001", Sector.FOOD_SECURITY)] == (None, 10, 1)


def test_ranking_worst_first_and_filters(situation):
    table = gap_table("2024-03")
    assert [t.pcode for t in table.ranking] == ["MMR005023", "MMR005022"]
    assert table.ranking[0].coverage == 0.0
    assert table.ranking[1].coverage == round(180 / 2500, 4)
    health = gap_table("2024-03", sector=Sector.HEALTH, state="MMR005")
    assert {(r.pcode, r.people_reached) for r in health.rows} == {
        ("MMR005022", 10),
        ("MMR005023", 0),
    }


def test_bad_input_is_refused(situation):
    with pytest.raises(GapInputError, match="YYYY-MM"):
        gap_table("March")
    with pytest.raises(GapInputError, match="sector"):
        gap_table("2024-03", sector="fishing")
    with pytest.raises(GapInputError, match="state"):
        gap_table("2024-03", state="MMR999")


def _coordinator(client):
    user = f.UserFactory(global_role=GlobalRole.COORDINATOR)
    sign_in(client, user)
    return user


def test_page_api_service_and_sql_agree(client, situation):
    _coordinator(client)
    service = {(r.pcode, r.sector): r for r in gap_table("2024-03").rows}
    raw = raw_gaps(MARCH)
    page = client.get("/gaps/", {"month": "2024-03"}).content.decode()
    shown = {
        (pcode, sector): int(reached.replace(",", ""))
        for pcode, sector, reached in re.findall(
            r'data-pcode="(\w+)" data-sector="(\w+)">.*?class="n reached">([\d,]+)<', page
        )
    }
    assert len(shown) == len(service) == len(raw)
    for key, row in service.items():
        assert shown[key] == row.people_reached == raw[key][1]
    # The API gives the table to share: every figure the raw one has, or hidden.
    api = client.get("/api/gaps/", {"month": "2024-03"}).json()
    assert {(r["pcode"], r["sector"]) for r in api["rows"]} == set(raw)
    for r in api["rows"]:
        reached, orgs = raw[(r["pcode"], r["sector"])][1:]
        if "people_reached" in r["suppressed"]:
            assert r["people_reached"] is None
        else:
            assert r["people_reached"] == reached
            assert not 0 < reached < 5
        assert ("organisations" in r["suppressed"]) == (r["organisations"] is None)
        assert r["organisations"] in (None, orgs)
        assert r["organisations"] is None or not 0 < orgs < 5
    assert api["ranking"][0]["pcode"] == "MMR005023"


def test_api_needs_sign_in_and_good_month(client, situation):
    assert client.get("/api/gaps/", {"month": "2024-03"}).status_code == 401
    _coordinator(client)
    response = client.get("/api/gaps/", {"month": "2024-13"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.json()["detail"]


def test_cli_json_and_csv(situation, capsys):
    assert main(["gaps", "--month", "2024-03", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ranking"][0]["pcode"] == "MMR005023"
    assert main(["gaps", "--month", "2024-03", "--csv", "--sector", "health", "--internal"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("month,pcode")
    expected = "2024-03,MMR005022,Township MMR005022,health,2000,2500,2500,all_sectors,10,0,1,0.004"
    assert expected in lines
    assert lines[-1].startswith("internal:")
    # By default the table to share: one organisation in a township is never shown.
    assert main(["gaps", "--month", "2024-03", "--csv", "--sector", "health"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    row = next(line for line in lines if line.startswith("2024-03,MMR005022,"))
    assert row.split(",")[10] == "•"  # organisations
    assert lines[-2].startswith('"• = hidden: fewer than 5')
    assert main(["gaps", "--month", "nope"]) == 1
    assert "YYYY-MM" in capsys.readouterr().err


def test_cli_entry_point(cli_instance):
    init = cli_instance.init_copied(
        "--no-input",
        "--admin-username",
        "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": f.TEST_PASSWORD},
    )
    assert init.returncode == 0, init.stderr
    result = cli_instance.run("gaps", "--month", "2024-03", "--csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("month,pcode,township")
    bad = cli_instance.run("gaps", "--month", "2024-03", "--state", "MMR999")
    assert bad.returncode == 1
    assert "state 'MMR999'" in bad.stderr


def test_a_month_after_the_cutoff_cannot_be_shared(client, situation, capsys):
    this_month = timezone.localdate().strftime("%Y-%m")
    _coordinator(client)
    for url in ("/api/gaps/", "/gaps.csv"):
        refused = client.get(url, {"month": this_month})
        assert refused.status_code == 400
        assert "cannot be shared yet" in refused.content.decode()
    # The page shows the month as it is, and links its download to the latest shareable one.
    page = client.get("/gaps/", {"month": this_month}).content.decode()
    assert f"month={this_month}" not in page.split("gaps.csv?", 1)[1].split('"', 1)[0]
    assert main(["gaps", "--month", this_month]) == 1
    assert "cannot be shared yet" in capsys.readouterr().err
    assert main(["gaps", "--month", this_month, "--internal", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["audience"] == "internal"
