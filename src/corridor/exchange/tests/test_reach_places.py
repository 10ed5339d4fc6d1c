"""An import refreshes only the rollup places its rows left and reached (decision 0370), and
that targeted refresh leaves the rollups exactly as a full rebuild would."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.accounts.models import GlobalRole
from corridor.aid import services
from corridor.aid.models import Activity, MonthlyReach, MonthlyReachTotal
from corridor.exchange import reach_places
from corridor.exchange.services import file_import
from corridor.testing.factories import OrganisationFactory, UserFactory

TOWNSHIPS = ("MMR004001", "MMR004002", "MMR005011")
SECTORS = ("health", "shelter_nfi")
MONTHS = (dt.date(2024, 3, 1), dt.date(2024, 4, 1), dt.date(2024, 5, 1))
STATUSES = ("ongoing", "completed", "planned", "cancelled")
HEADER = (
    "Id,Organisation,Sector,Modality,Township,Month,Status,Women,Men\r\n"
    "#meta+id,#org,#sector,#modality,#adm3+code,#date+reported,#status,"
    "#reached+f+adults,#reached+m+adults\r\n"
)


def snapshot() -> tuple[set, set]:
    return (
        set(
            MonthlyReach.objects.values_list(
                "month",
                "admin_unit_id",
                "sector",
                "organisation_id",
                "reached",
                "planned",
                "reached_rows",
            )
        ),
        set(
            MonthlyReachTotal.objects.values_list(
                "month", "admin_unit_id", "sector", "reached", "planned", "organisations"
            )
        ),
    )


@pytest.fixture
def people(org):
    admin = UserFactory(password=None, global_role=GlobalRole.ADMIN, is_superuser=True)
    other = OrganisationFactory(name="Karen Aid Group", acronym="KAG")
    return admin, [org, other]


def write_file(folder, orgs, number: int, rows) -> object:
    lines = [
        f"{orgs[o].acronym}-R{n},{orgs[o].acronym},{sector},in_kind,{pcode},{month:%Y-%m},"
        f"{status},{women},2"
        for o, n, pcode, sector, month, status, women in rows
    ]
    path = folder / f"file{number}.csv"
    path.write_text(HEADER + "".join(line + "\r\n" for line in lines), encoding="utf-8")
    return path


row = st.tuples(
    st.integers(0, 1),
    st.integers(0, 5),
    st.sampled_from(TOWNSHIPS),
    st.sampled_from(SECTORS),
    st.sampled_from(MONTHS),
    st.sampled_from(STATUSES),
    st.integers(0, 30),
)
step = st.one_of(
    st.tuples(
        st.just("import"),
        st.lists(row, min_size=1, max_size=5, unique_by=lambda r: (r[0], r[1])),
        st.booleans(),
    ),
    st.tuples(st.just("again")),
    st.tuples(st.just("remove"), st.integers(0, 99)),
)


@settings(
    max_examples=15,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=7))
def test_targeted_refresh_equals_a_full_rebuild(people, tmp_path, steps):
    """Random imports (rows moving month, township, sector and status; with and without
    --replace), re-imports of the last file and removals: after each, the rollups the import
    kept are exactly those ``rollups_rebuild`` computes from every row."""
    admin, orgs = people
    Activity._base_manager.all().delete()
    MonthlyReach.objects.all().delete()
    MonthlyReachTotal.objects.all().delete()
    last = None
    for number, one in enumerate(steps):
        if one[0] == "import":
            last = (write_file(tmp_path, orgs, number, one[1]), one[2])
        if one[0] in ("import", "again") and last is not None:
            path, replace = last
            assert file_import(by=admin, path=path, replace=replace).ok
        elif one[0] == "remove":
            live = list(Activity.objects.order_by("pk"))
            if live:
                chosen = live[one[1] % len(live)]
                services.activity_remove(by=admin, activity=chosen, reason="typed twice")
        kept = snapshot()
        services.rollups_rebuild()
        assert snapshot() == kept, f"after step {number + 1} of {steps}"


def test_a_new_month_refreshes_that_month_only(people, tmp_path, monkeypatch):
    """A file for a new month recomputes that month's places, not the other months where the
    organisation has rows (the 338 s import on the ten-year hub, docs/scaling.md)."""
    admin, orgs = people
    old = [(0, n, TOWNSHIPS[n % 3], "health", MONTHS[n % 2], "ongoing", 5) for n in range(4)]
    assert file_import(by=admin, path=write_file(tmp_path, orgs, 0, old)).ok
    refreshed: list[set] = []
    refresh = reach_places.rollups_refresh

    def counted(places):
        refreshed.append(set(places))
        refresh(places)

    monkeypatch.setattr(reach_places, "rollups_refresh", counted)
    new = [(0, 10 + n, TOWNSHIPS[n], "health", MONTHS[2], "ongoing", 5) for n in range(2)]
    assert file_import(by=admin, path=write_file(tmp_path, orgs, 1, new)).created == 2
    assert refreshed == [{(MONTHS[2], TOWNSHIPS[0]), (MONTHS[2], TOWNSHIPS[1])}]

    # A row moved to another township: the place it left and the one it reached.
    moved = [(0, 10, TOWNSHIPS[2], "health", MONTHS[2], "ongoing", 5), new[1]]
    assert file_import(by=admin, path=write_file(tmp_path, orgs, 2, moved)).changed == 1
    assert refreshed[1] == {(MONTHS[2], TOWNSHIPS[0]), (MONTHS[2], TOWNSHIPS[2])}

    # --replace removing the row the file no longer holds: its place is refreshed.
    result = file_import(by=admin, path=write_file(tmp_path, orgs, 3, moved[:1]), replace=True)
    assert result.removed == 1
    assert refreshed[2] == {(MONTHS[2], TOWNSHIPS[1])}
    kept = snapshot()
    services.rollups_rebuild()
    assert snapshot() == kept

    # A dry run recomputes nothing (its writes are rolled back).
    dry = file_import(by=admin, path=write_file(tmp_path, orgs, 4, new), dry_run=True)
    assert dry.ok
    assert len(refreshed) == 3
