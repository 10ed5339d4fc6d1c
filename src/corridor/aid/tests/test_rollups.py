"""The monthly reach rollups stay exact whatever writes the activities (decision 0225).

Random sequences of every write path — the aid services (record, update, bulk status, remove,
restore, delete), the importer (new rows, re-imports that move rows to another month or
township, --replace removal, dry runs, refused files) and `corridor rollups rebuild` — are
applied, and after each step both rollups are compared with a sum over the activity rows done
here in Python, row by row, from ``Activity.people_reached`` and ``people_planned``. A write
path that skipped ``rollups_refresh`` leaves a rollup behind its rows and fails the comparison;
a new write service in ``aid.services`` that this test does not drive fails
``test_every_activity_write_service_is_driven``.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.accounts.models import GlobalRole
from corridor.aid import services
from corridor.aid.models import (
    ALL_SECTORS_TOTAL,
    Activity,
    Modality,
    MonthlyReach,
    MonthlyReachTotal,
    Status,
)
from corridor.cli.main import main
from corridor.exchange.services import file_import
from corridor.geo.models import AdminUnit
from corridor.geo.resolver import invalidate_resolver
from corridor.geo.services import admin_units_load
from corridor.testing.factories import OrganisationFactory, UserFactory

TOWNSHIPS = ("MMR004001", "MMR004002", "MMR005011")
SECTORS = ("health", "shelter_nfi", "food_security")
MONTHS = (dt.date(2024, 3, 1), dt.date(2024, 4, 1), dt.date(2024, 5, 1))
STATUSES = tuple(Status.values)

#: The services of ``aid.services`` that write activity rows, each driven below.
DRIVEN = {
    "activity_record",
    "activity_update",
    "activity_delete",
    "activity_remove",
    "activity_restore",
    "activities_set_status",
}


def expected() -> tuple[dict, dict]:
    """(per month, township, sector and organisation; per month, township and sector, with
    the township's all-sector row): the sums the rollups must hold, from the rows one by one."""
    reach: dict = defaultdict(lambda: [0, 0, 0])
    orgs: dict = defaultdict(set)
    for a in Activity.objects.exclude(reporting_month=None):
        if a.status == Status.CANCELLED:
            continue
        cell = reach[(a.reporting_month, a.admin_unit_id, a.sector, a.organisation_id)]
        cell[0] += a.people_reached
        cell[1] += a.people_planned
        cell[2] += int(a.counts_as_reached)
    totals: dict = defaultdict(lambda: [0, 0, 0])
    for (month, pcode, sector, org), (reached, planned, rows) in reach.items():
        for key in ((month, pcode, sector), (month, pcode, ALL_SECTORS_TOTAL)):
            totals[key][0] += reached
            totals[key][1] += planned
            if rows:
                orgs[key].add(org)
    for key, found in orgs.items():
        totals[key][2] = len(found)
    return (
        {key: tuple(value) for key, value in reach.items()},
        {key: tuple(value) for key, value in totals.items()},
    )


def stored() -> tuple[dict, dict]:
    reach = {
        (m, p, s, o): (r, pl, n)
        for m, p, s, o, r, pl, n in MonthlyReach.objects.values_list(
            "month", "admin_unit_id", "sector", "organisation_id", *NUMBERS
        )
    }
    totals = {
        (m, p, s): (r, pl, n)
        for m, p, s, r, pl, n in MonthlyReachTotal.objects.values_list(
            "month", "admin_unit_id", "sector", "reached", "planned", "organisations"
        )
    }
    return reach, totals


NUMBERS = ("reached", "planned", "reached_rows")


def assert_exact(step: str) -> None:
    assert stored() == expected(), f"the rollups differ from the rows after {step}"


@pytest.fixture
def world(db):
    admin_units_load(by=None)
    invalidate_resolver()
    admin = UserFactory(password=None, global_role=GlobalRole.ADMIN, is_superuser=True)
    orgs = [
        OrganisationFactory(name="Chin Relief Network", acronym="CRN"),
        OrganisationFactory(name="Karen Aid Group", acronym="KAG"),
    ]
    yield admin, orgs
    invalidate_resolver()


HEADER = (
    "Organisation,Sector,Modality,Township,Month,Status,Women,Men,Girls,Boys\r\n"
    "#org,#sector,#modality,#adm3+code,#date+reported,#status,#reached+f+adults,"
    "#reached+m+adults,#reached+f+children,#reached+m+children\r\n"
)
# One row per township × sector, so the key columns below identify it: a re-import may move
# it to another month (the row is updated, not replaced) or change its status and people.
KEY = ["Organisation", "Township", "Sector"]

row_of = st.tuples(
    st.sampled_from(TOWNSHIPS),
    st.sampled_from(SECTORS),
    st.sampled_from(MONTHS),
    st.sampled_from(STATUSES),
    st.integers(0, 40),
)

step = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 1), row_of),
    st.tuples(
        st.just("update"),
        st.integers(0, 99),
        st.fixed_dictionaries(
            {},
            optional={
                "admin_unit": st.sampled_from(TOWNSHIPS),
                "sector": st.sampled_from(SECTORS),
                "reporting_month": st.sampled_from(MONTHS),
                "status": st.sampled_from(STATUSES),
                "women": st.integers(0, 40),
            },
        ),
    ),
    st.tuples(
        st.just("status"), st.lists(st.integers(0, 99), max_size=3), st.sampled_from(STATUSES)
    ),
    st.tuples(st.just("remove"), st.integers(0, 99)),
    st.tuples(st.just("restore"), st.integers(0, 99)),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(
        st.just("import"),
        st.integers(0, 1),
        st.lists(row_of, max_size=4, unique_by=lambda r: (r[0], r[1])),
        st.sampled_from(("apply", "replace", "dry_run", "refused")),
    ),
    st.tuples(st.just("rebuild")),
)


def _pick(rows, index: int):
    return rows[index % len(rows)] if rows else None


def apply(step_: tuple, admin, orgs, folder: Path) -> None:
    name = step_[0]
    live = list(Activity.objects.order_by("pk"))
    if name == "record":
        _, org, (pcode, sector, month, status, women) = step_
        services.activity_record(
            by=admin,
            organisation=orgs[org],
            admin_unit=AdminUnit.objects.get(pk=pcode),
            sector=sector,
            modality=Modality.IN_KIND,
            reporting_month=month,
            status=status,
            women=women,
            men=3,
            # Drawn values can repeat a row already recorded: the person confirms it, as the
            # duplicate rule lets them (decision 0215); the rollups must count it either way.
            confirm=True,
        )
    elif name == "update" and (activity := _pick(live, step_[1])):
        values = dict(step_[2])
        if "admin_unit" in values:
            values["admin_unit"] = AdminUnit.objects.get(pk=values["admin_unit"])
        services.activity_update(by=admin, activity=activity, confirm=True, **values)
    elif name == "status":
        chosen = [a for i in step_[1] if (a := _pick(live, i))]
        services.activities_set_status(by=admin, activities=chosen, status=step_[2])
    elif name == "remove" and (activity := _pick(live, step_[1])):
        services.activity_remove(by=admin, activity=activity, reason="typed twice")
    elif name == "restore":
        removed = list(Activity.all_objects.filter(removed_at__isnull=False).order_by("pk"))
        if activity := _pick(removed, step_[1]):
            services.activity_restore(by=admin, activity=activity)
    elif name == "delete" and (activity := _pick(live, step_[1])):
        services.activity_delete(by=admin, activity=activity)
    elif name == "import":
        _, org, rows, mode = step_
        acronym = orgs[org].acronym
        lines = [
            f"{acronym},{sector},in_kind,{pcode},{month:%Y-%m},{status},{women},2,1,1"
            for pcode, sector, month, status, women in rows
        ]
        if mode == "refused":
            lines.append(f"{acronym},health,in_kind,MMR004001,2024-03,ongoing,-5,0,0,0")
        path = folder / "5w.csv"
        path.write_text(HEADER + "".join(line + "\r\n" for line in lines), encoding="utf-8")
        result = file_import(
            by=admin,
            path=path,
            key=KEY,
            replace=mode == "replace",
            dry_run=mode == "dry_run",
        )
        assert result.ok == (mode != "refused"), result.errors
    elif name == "rebuild":
        assert main(["rollups", "rebuild"]) == 0


@settings(
    max_examples=12,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_rollups_equal_the_rows_after_any_writes(world, tmp_path, steps):
    admin, orgs = world
    # Each example starts empty: examples share the test's transaction.
    Activity._base_manager.all().delete()
    MonthlyReach.objects.all().delete()
    MonthlyReachTotal.objects.all().delete()
    for number, one in enumerate(steps):
        apply(one, admin, orgs, tmp_path)
        assert_exact(f"step {number + 1} of {steps}")


def test_every_activity_write_service_is_driven():
    """A new service that writes activities must be driven by the test above (and so keep
    the rollups exact) before it can be added."""
    writers = {
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__ == services.__name__ and name.startswith("activit")
    }
    assert writers == DRIVEN


def test_a_stale_rollup_is_caught_and_rebuilt(world, capsys):
    """The comparison fails on a rollup its rows moved away from, and `corridor rollups
    rebuild` (for upgrades) makes it exact again."""
    admin, orgs = world
    activity = services.activity_record(
        by=admin,
        organisation=orgs[0],
        admin_unit=AdminUnit.objects.get(pk="MMR004001"),
        sector="health",
        modality=Modality.IN_KIND,
        reporting_month=MONTHS[0],
        women=7,
    )
    assert_exact("recording a row")
    # A write past the services: the rollup still holds the old people.
    Activity.objects.filter(pk=activity.pk).update(women=70)
    with pytest.raises(AssertionError):
        assert_exact("a write past the services")
    assert main(["rollups", "rebuild"]) == 0
    assert "monthly_reach" in capsys.readouterr().out
    assert_exact("the rebuild")
    assert (
        MonthlyReachTotal.objects.get(
            month=MONTHS[0], admin_unit_id="MMR004001", sector="health"
        ).reached
        == 70
    )


def test_a_resumable_import_stopped_half_way_leaves_exact_rollups(world, tmp_path, monkeypatch):
    """Each committed batch of a resumable import refreshes its places (decision 0274): when the
    run stops after two batches, the rollups hold exactly the rows those batches wrote; the
    rerun finishes the file and they still match. The second pass moves rows to another month
    and township, so the places a batch leaves are refreshed too."""
    from corridor.exchange import pipeline

    admin, _orgs = world
    # One row per township × sector (the key), nine rows: batches of four, four and one.
    rows = [
        (pcode, sector, MONTHS[n % 2], "ongoing", 10 + n)
        for n, (pcode, sector) in enumerate((p, s) for p in TOWNSHIPS for s in SECTORS)
    ]

    def write(rows, name):
        lines = [
            f"CRN,{sector},in_kind,{pcode},{month:%Y-%m},{status},{women},2,1,1"
            for pcode, sector, month, status, women in rows
        ]
        path = tmp_path / name
        path.write_text(HEADER + "".join(line + "\r\n" for line in lines), encoding="utf-8")
        return path

    def stop_after(batches: int):
        write_batch = pipeline._Writer.write
        written = []

        def write_then_stop(self, batch):
            if len(written) == batches:
                raise RuntimeError("the process was stopped")
            written.append(batch)
            return write_batch(self, batch)

        monkeypatch.setattr(pipeline._Writer, "write", write_then_stop)

    first = write(rows, "first.csv")
    stop_after(2)
    with pytest.raises(RuntimeError, match="stopped"):
        file_import(by=admin, path=first, key=KEY, resumable=True, batch_size=4)
    monkeypatch.undo()
    assert Activity.objects.count() == 8  # two batches of four
    assert_exact("a resumable import stopped after two batches")

    assert file_import(by=admin, path=first, key=KEY, resumable=True, batch_size=4).ok
    assert Activity.objects.count() == len(rows)
    assert_exact("the rerun")

    # The same records (same key: organisation, township, sector) moved to May, 5 people.
    moved = write([(p, s, MONTHS[2], st_, 5) for p, s, _m, st_, _w in rows], "moved.csv")
    stop_after(1)
    with pytest.raises(RuntimeError, match="stopped"):
        file_import(by=admin, path=moved, key=KEY, resumable=True, batch_size=4)
    monkeypatch.undo()
    assert Activity.objects.filter(reporting_month=MONTHS[2]).count() == 4
    assert_exact("a resumable re-import that moved rows, stopped after one batch")


def test_an_unchanged_reimport_leaves_the_rollups_alone(world, tmp_path, monkeypatch):
    """Re-importing an unchanged file writes no row, so it recomputes no rollup (decision
    0357); the same file with one row changed recomputes them, and they match the rows."""
    from corridor.exchange import reach_places

    admin, _orgs = world
    refreshed: list[set] = []
    refresh = reach_places.rollups_refresh

    def counted(places):
        places = set(places)
        refreshed.append(places)
        refresh(places)

    monkeypatch.setattr(reach_places, "rollups_refresh", counted)
    lines = [f"CRN,{s},in_kind,{p},2024-03,ongoing,7,2,1,1" for p in TOWNSHIPS for s in SECTORS]
    path = tmp_path / "5w.csv"
    path.write_text(HEADER + "".join(line + "\r\n" for line in lines), encoding="utf-8")
    first = file_import(by=admin, path=path, key=KEY)
    assert first.ok
    assert first.created == len(lines)
    assert len(refreshed) == 1
    assert_exact("the first import")

    again = file_import(by=admin, path=path, key=KEY)
    assert again.ok
    assert (again.created, again.changed, again.unchanged) == (0, 0, len(lines))
    assert len(refreshed) == 1, "an unchanged re-import recomputed the rollups"
    assert_exact("the unchanged re-import")

    lines[0] = lines[0].replace(",7,2,1,1", ",70,2,1,1")
    path.write_text(HEADER + "".join(line + "\r\n" for line in lines), encoding="utf-8")
    changed = file_import(by=admin, path=path, key=KEY)
    assert changed.ok
    assert changed.changed == 1
    assert len(refreshed) == 2
    # Only the changed row's place (decision 0370), not every place of the organisation.
    assert refreshed[1] == {(dt.date(2024, 3, 1), TOWNSHIPS[0])}
    assert_exact("a re-import with one row changed")
