"""The HXL tables for sharing, as a viewer downloads them over HTTP: only what the disclosure
gate lets through (issue 10, finding 2), and the internal file only for those who may add."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import hxl
from django.conf import settings
from django.utils import timezone

from corridor.audit.models import AuditEntry
from corridor.disclosure import NOT_NAMED, publication_cutoff
from corridor.exchange.services import file_import, hxl_export_shared
from corridor.exchange.sharing import SUPPRESSED
from corridor.orgs.models import Visibility
from corridor.testing.factories import (
    ActivityFactory,
    DisplacementFigureFactory,
    IncidentFactory,
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
)
from corridor.testing.signin import signed_in_client

BUSY, QUIET = "MMR004002", "MMR004006"
MARCH = dt.date(2024, 3, 1)
EXACT_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def _rows(response):
    """The file as the title row, the header row, the hashtag row and the data rows."""
    assert response.status_code == 200, response.content
    text = response.content.decode("utf-8-sig")
    title, header, tags, *rows = list(csv.reader(io.StringIO(text)))
    # libhxl finds the hashtag row below the title and reads every data row.
    assert len(list(hxl.data(io.BytesIO(response.content)))) == len(rows)
    return title, header, tags, rows, text


def _counts_are_safe(tags, rows, numeric):
    """Every count is 0, at least k, or the suppressed mark; never 1..k-1 nor blank."""
    k = settings.DISCLOSURE_K
    at = [tags.index(t) for t in numeric]
    for row in rows:
        for i in at:
            cell = row[i]
            assert cell == SUPPRESSED or (cell.isdigit() and (int(cell) == 0 or int(cell) >= k)), (
                tags[i],
                cell,
                row,
            )


def _recent(days):
    return timezone.localdate() - dt.timedelta(days=days)


def test_shared_incidents_hold_no_day_small_count_text_source_place_or_recent_row(places):
    source = SourceFactory(title="Radio Free Witness", publisher="RFW Desk")
    for n in range(6):  # six airstrikes: a count that may be shown
        IncidentFactory(
            admin_unit_id=BUSY,
            incident_type="airstrike",
            occurred_on=MARCH + dt.timedelta(days=n),
            fatalities=2,
            detained=1,
        )
    # Seven more in the quiet township: the arrests below can hide behind them, not behind
    # the busy township's row.
    IncidentFactory.create_batch(
        7, admin_unit_id=QUIET, incident_type="airstrike", occurred_on=dt.date(2024, 3, 20)
    )
    for detained in (3, 1):  # two arrests: a count of 2, and 4 detained, must not show
        arrest = IncidentFactory(
            admin_unit_id=QUIET,
            incident_type="arrest",
            occurred_on=dt.date(2024, 3, 14),
            detained=detained,
            latitude=21.4321,
            longitude=93.8765,
            description="Location: Nyaung Pin Thar village, near the school",
        )
        arrest.sources.add(source)
    IncidentFactory(
        admin_unit_id=BUSY,
        occurred_on=_recent(1),  # entered yesterday, and dated yesterday
        description="Yesterday Kan Gyi village",
    )
    viewer = MembershipFactory(role="viewer").user

    title, _, tags, rows, text = _rows(
        signed_in_client(viewer).get("/api/exchange/exports/hxl/incidents.csv")
    )

    assert title[0].startswith("Corridor incidents for sharing")
    assert SUPPRESSED in title[0]
    assert tags == [
        "#adm1+code",
        "#adm1+name",
        "#adm2+code",
        "#adm2+name",
        "#adm3+code",
        "#adm3+name",
        "#event+type",
        "#date+occurred",
        "#event+num",
        "#affected+killed",
        "#affected+injured",
        "#affected+detained",
    ]
    _counts_are_safe(tags, rows, tags[-4:])
    by_place = {(r[4], r[6]): r for r in rows}
    assert by_place[(BUSY, "airstrike")][7:] == ["2024-03", "6", "12", "0", "6"]
    assert by_place[(QUIET, "arrest")][8:] == [SUPPRESSED] * 4
    assert not EXACT_DAY.search(text)
    assert not UUID.search(text)
    secrets = ("Location", "village", "Nyaung", "Kan Gyi", "Radio Free", "RFW", "21.43", "93.87")
    for secret in (*secrets, "#description", "#meta", "#geo"):
        assert secret not in text, secret
    # Nothing after the cutoff: yesterday's incident is in no row.
    assert {r[7] for r in rows} == {"2024-03"}
    entry = AuditEntry.objects.filter(action="export", actor_id=viewer.pk).get()
    assert entry.changes["audience"] == "shared"


def test_shared_activities_pool_unnamed_hide_small_counts_and_cannot_be_differenced(places):
    public = OrganisationFactory(name="Chin Relief Network")
    masked = OrganisationFactory(
        name="Real Pseudonymous Name", visibility=Visibility.PSEUDONYMOUS, alias="Group P"
    )
    hidden = OrganisationFactory(
        name="Secret Anonymous Group", visibility=Visibility.ANONYMOUS, alias=""
    )
    viewer = MembershipFactory(organisation=public, role="viewer").user
    for org in (masked, hidden):
        MembershipFactory(organisation=org, user=viewer, role="viewer")
    ActivityFactory(
        organisation=public,
        admin_unit_id=BUSY,
        sector="health",
        reporting_month=MARCH,
        women=40,
        men=3,  # alone it would be total - the others
        girls=12,
        boys=9,
        unspecified=0,
        value=Decimal("250.00"),
        currency="USD",
        notes="clinic near the monastery, ask Daw Hla",
    )
    ActivityFactory(organisation=masked, admin_unit_id=BUSY, sector="wash", reporting_month=MARCH)
    ActivityFactory(organisation=hidden, admin_unit_id=QUIET, sector="wash", reporting_month=MARCH)
    ActivityFactory(
        organisation=public,
        admin_unit_id=BUSY,
        reporting_month=None,
        start_date=_recent(2),
        women=50,
    )
    client = signed_in_client(viewer)

    _, _, tags, rows, text = _rows(client.get("/api/exchange/exports/hxl/activities.csv"))

    first = tags.index("#reached+f+adults")
    reach = tags[first : first + 6]
    assert reach[-1] == "#reached+total"
    _counts_are_safe(tags, rows, reach)
    org_at, month_at = tags.index("#org+name"), tags.index("#date+reported")
    labels = {r[org_at] for r in rows}
    assert labels == {"Chin Relief Network", "Group P", NOT_NAMED}
    for secret in (
        "Real Pseudonymous",
        "Secret Anonymous",
        "monastery",
        "Daw Hla",
        "250",
        "USD",
        str(hidden.pk),
    ):
        assert secret not in text, secret
    assert not EXACT_DAY.search(text)
    assert {r[month_at] for r in rows} == {"2024-03"}  # the row started two days ago is not in
    health = next(r for r in rows if r[org_at] == "Chin Relief Network")
    cells, total = health[first : first + 5], health[first + 5]
    assert total == "64"
    # men (3) is hidden, and so is a partner: total minus the shown cells says nothing.
    assert cells.count(SUPPRESSED) >= 2

    # One organisation's file: its rows exactly as they read in the whole table.
    _, _, _, only, _ = _rows(
        client.get(f"/api/exchange/exports/hxl/activities.csv?org={masked.pk}")
    )
    assert only == [r for r in rows if r[org_at] == "Group P"]
    refused = client.get(f"/api/exchange/exports/hxl/incidents.csv?org={masked.pk}")
    assert refused.status_code == 400


def test_shared_figures_are_latest_per_month_with_small_values_hidden(places):
    source = SourceFactory(title="Camp committee list", publisher="Committee")
    DisplacementFigureFactory(
        admin_unit_id=BUSY,
        as_of=dt.date(2024, 3, 10),
        idps=900,
        refugees=3,
        source=source,
        notes="counted at Ywar Thit monastery",
    )
    DisplacementFigureFactory(
        admin_unit_id=BUSY, as_of=dt.date(2024, 3, 28), idps=1200, refugees=3, source=source
    )
    DisplacementFigureFactory(admin_unit_id=QUIET, as_of=_recent(1), idps=4000, source=source)
    viewer = MembershipFactory(role="viewer").user

    _, _, tags, rows, text = _rows(
        signed_in_client(viewer).get("/api/exchange/exports/hxl/figures.csv")
    )

    assert [r[4:] for r in rows] == [
        [BUSY, rows[0][5], "2024-03", "1200", SUPPRESSED, ""],
    ]
    for secret in ("Camp committee", "Committee", "Ywar Thit", "monastery", "2024-03-28"):
        assert secret not in text, secret
    _counts_are_safe(tags, rows, ["#affected+idps", "#affected+refugees"])


def test_internal_export_is_refused_to_viewers_and_round_trips_for_editors(org, tmp_path):
    ActivityFactory(organisation=org, admin_unit_id=BUSY, women=3, notes="clinic day")
    viewer = MembershipFactory(organisation=org, role="viewer").user
    editor = MembershipFactory(organisation=org, role="editor").user

    for kind in ("activities", "figures", "incidents"):
        refused = signed_in_client(viewer).get(f"/api/exchange/exports/hxl-internal/{kind}.csv")
        assert refused.status_code == 403, kind
    own = signed_in_client(viewer).get(
        f"/api/exchange/exports/hxl-internal/activities.csv?org={org.pk}"
    )
    assert own.status_code == 403

    response = signed_in_client(editor).get("/api/exchange/exports/hxl-internal/activities.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="corridor-activities-internal.csv"'
    )
    text = response.content.decode("utf-8-sig")
    assert text.startswith("INTERNAL - ")
    assert "clinic day" in text
    assert "#meta+id" in text
    path = tmp_path / "internal.csv"
    path.write_bytes(response.content)
    again = file_import(by=None, path=path)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 1)


def test_a_shared_export_made_today_leaves_out_the_month_not_yet_over(places):
    today = dt.date(2024, 4, 20)
    IncidentFactory.create_batch(6, admin_unit_id=BUSY, occurred_on=dt.date(2024, 3, 30))
    IncidentFactory.create_batch(6, admin_unit_id=BUSY, occurred_on=dt.date(2024, 4, 1))
    out = io.StringIO()
    hxl_export_shared(by=None, kind="incidents", out=out, today=today)
    title, _, _, *rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert "up to 2024-03 " in title[0]
    months = {row[7] for row in rows}
    # With the 14-day delay the cutoff is Sunday 31 March: April has not ended before it.
    assert publication_cutoff(today, 14) == dt.date(2024, 3, 31)
    assert months == {"2024-03"}
    out = io.StringIO()
    hxl_export_shared(by=None, kind="incidents", out=out, today=dt.date(2024, 4, 13))
    assert len(list(csv.reader(io.StringIO(out.getvalue())))) == 3  # title, header, tags


def test_files_page_offers_the_internal_file_only_to_those_it_serves(org):
    viewer = MembershipFactory(organisation=org, role="viewer").user
    editor = MembershipFactory(organisation=org, role="editor").user

    seen = signed_in_client(viewer).get("/exchange/").content.decode()
    assert "/api/exchange/exports/hxl/activities.csv" in seen
    assert "hxl-internal" not in seen
    offered = signed_in_client(editor).get("/exchange/").content.decode()
    assert "/api/exchange/exports/hxl-internal/activities.csv" in offered
    assert f"/api/exchange/exports/hxl/activities.csv?org={org.pk}" in offered
