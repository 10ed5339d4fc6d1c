"""How long the gap table for one month (all sectors) takes with 1,000,000 activities.

Since decision 0225 the reach side is read from the monthly rollups: the rows are loaded past
Corridor (raw inserts), so the script then builds the rollups with ``rollups_rebuild`` (timed)
and times, in the same run: ``gap_table(month)`` for the operator (township × sector totals)
and for a viewer (the organisation-keyed rollup, scoped like a coordinator's), the month's
reach summed from the activity rows as before the rollups (the old query), and the
all-period table (every month's township × sector cells at once) from the rollup and in
DuckDB.

Rows are ongoing, completed, planned or cancelled (45/40/10/5 %): only the first two count
as reached, as in the gap table (decision 0175).

Loads the shipped admin units, 5 years of monthly displacement figures for every township and
N activity rows spread over those 60 months, then times ``gap_table(month)`` (the function the
page, the API and `corridor gaps` call) and the same computation in DuckDB over the same rows.

Run (SQLite):      CORRIDOR_HOME=$(mktemp -d) .venv/bin/python bench/gaps.py
Run (PostgreSQL):  CORRIDOR_HOME=$(mktemp -d) \
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench_gaps \
    .venv/bin/python bench/gaps.py
(the PostgreSQL database is created if missing and emptied by the migrations' test setup.)
Options: --activities N (1,000,000), --repeat R (15), --seed S, --keep DIR (keep the CSV copies
in DIR and, when DIR holds a finished load, time again without loading: give the same
CORRIDOR_HOME / database; the dataset is built once and measured as often as needed).
"""

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")


def ensure_pg_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    admin = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(config["NAME"])))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


STATUSES = ("ongoing", "completed", "planned", "cancelled")
STATUS_WEIGHTS = (45, 40, 10, 5)


def months(count: int, last: dt.date) -> list[dt.date]:
    out, day = [], last
    for _ in range(count):
        out.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return sorted(out)


def load(n_activities: int, seed: int, out_dir: Path) -> dt.date:
    from django.core.management import call_command
    from django.db import connection, transaction

    from corridor.aid.models import Activity, Modality, Sector
    from corridor.geo.models import AdminUnit
    from corridor.geo.services import admin_units_load
    from corridor.orgs.models import Organisation
    from corridor.situation.models import DisplacementFigure, Source

    call_command("migrate", verbosity=0)
    admin_units_load()
    rng = random.Random(seed)
    townships = list(AdminUnit.objects.filter(level=3).values_list("pcode", flat=True))
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Bench org {i}", kind="local_cso", base_country="MM") for i in range(300)
    )
    sources = Source.objects.bulk_create(Source(title=f"Bench source {i}") for i in range(10))
    calendar = months(60, dt.date(2024, 12, 1))
    now = dt.datetime.now(dt.UTC)

    figures_csv = (out_dir / "figures.csv").open("w", newline="")
    figures_out = csv.writer(figures_csv)
    figures_out.writerow(["admin_unit_id", "as_of", "idps", "people_in_need"])
    figures = []
    for month in calendar:
        for pcode in townships:
            as_of = month.replace(day=rng.randint(1, 28))
            idps = rng.randint(0, 60_000)
            pin = idps + rng.randint(0, 20_000) if rng.random() < 0.5 else None
            figures.append(
                DisplacementFigure(
                    admin_unit_id=pcode,
                    as_of=as_of,
                    idps=idps,
                    people_in_need=pin,
                    source=rng.choice(sources),
                    created_at=now,
                    updated_at=now,
                )
            )
            figures_out.writerow([pcode, as_of, idps, "" if pin is None else pin])
    DisplacementFigure.objects.bulk_create(figures, batch_size=5000)
    figures_csv.close()

    sectors, modalities = Sector.values, Modality.values
    activities_csv = (out_dir / "activities.csv").open("w", newline="")
    activities_out = csv.writer(activities_csv)
    activities_out.writerow(
        [
            "organisation_id",
            "sector",
            "admin_unit_id",
            "reporting_month",
            "women",
            "men",
            "girls",
            "boys",
            "unspecified",
            "status",
        ]
    )
    started = time.perf_counter()
    columns = [
        "id",
        "created_at",
        "updated_at",
        "organisation_id",
        "sector",
        "modality",
        "channel",
        "admin_unit_id",
        "reporting_month",
        "status",
        "women",
        "men",
        "girls",
        "boys",
        "unspecified",
        "currency",
        "notes",
    ]
    # Columns added since (village, donor, ...) get their model default: NOT NULL, no DB default.
    defaults = [
        (field.column, field.get_default())
        for field in Activity._meta.concrete_fields
        if field.column not in columns and not field.null
    ]
    columns += [column for column, _ in defaults]
    insert = (
        f"INSERT INTO aid_activity ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    done = 0
    while done < n_activities:
        batch = []
        for _ in range(min(50_000, n_activities - done)):
            org = rng.choice(orgs).id
            sector, pcode, month = rng.choice(sectors), rng.choice(townships), rng.choice(calendar)
            reach = (
                rng.randint(0, 300),
                rng.randint(0, 300),
                rng.randint(0, 200),
                rng.randint(0, 200),
                rng.randint(0, 50) if rng.random() < 0.2 else 0,
            )
            # Most rows reached people; some are plans and a few were cancelled (decision 0175).
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            row_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            batch.append(
                (
                    row_id.hex if connection.vendor == "sqlite" else row_id,
                    now,
                    now,
                    org.hex if connection.vendor == "sqlite" else org,
                    sector,
                    rng.choice(modalities),
                    "in_country",
                    pcode,
                    month,
                    status,
                    *reach,
                    "",
                    "",
                    *(value for _, value in defaults),
                )
            )
            activities_out.writerow([org, sector, pcode, month, *reach, status])
        # Raw inserts in one transaction per batch: the ORM's object building would make the
        # load, not the query under test, the slow part of the run.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, batch)
        done += len(batch)
        print(
            f"  {done:,} activities loaded ({time.perf_counter() - started:.0f} s)", file=sys.stderr
        )
    activities_csv.close()
    return calendar[-1]


def time_it(fn, repeat: int, clock=time.perf_counter) -> tuple[float, object]:
    result = fn()  # warm caches the way a running server has them
    times = []
    for _ in range(repeat):
        start = clock()
        result = fn()
        times.append(clock() - start)
    return statistics.median(times) * 1000, result


def newest_rows_before(figures, _sectors):
    """``situation.queries._newest_rows`` before decision 0270 (a subquery per figure row)."""
    from django.db.models import OuterRef, Subquery

    from corridor.situation.queries import _COLUMNS, _townships

    figures = _townships(figures)  # the rows it is given are not limited to townships (0376)
    newest = (
        figures.filter(admin_unit=OuterRef("admin_unit"), sector=OuterRef("sector"))
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    return list(figures.filter(as_of=Subquery(newest)).values_list(*_COLUMNS))


DUCKDB_SQL = """
WITH fig AS (
  SELECT admin_unit_id AS pcode, idps,
         ROW_NUMBER() OVER (PARTITION BY admin_unit_id ORDER BY as_of DESC, idps DESC) AS rn
  FROM figures WHERE as_of < $end
), pin AS (
  SELECT admin_unit_id AS pcode, people_in_need,
         ROW_NUMBER() OVER (PARTITION BY admin_unit_id ORDER BY as_of DESC, idps DESC) AS rn
  FROM figures WHERE as_of < $end AND people_in_need IS NOT NULL
), need AS (
  SELECT fig.pcode, COALESCE(pin.people_in_need, fig.idps) AS need
  FROM fig LEFT JOIN pin ON pin.pcode = fig.pcode AND pin.rn = 1 WHERE fig.rn = 1
), reach AS (
  SELECT admin_unit_id AS pcode, sector,
         COALESCE(SUM(women + men + girls + boys + unspecified)
                  FILTER (WHERE status IN ('ongoing', 'completed')), 0) AS reached,
         COUNT(DISTINCT organisation_id) FILTER (WHERE status IN ('ongoing', 'completed')) AS orgs
  FROM activities WHERE reporting_month = $start GROUP BY 1, 2
  HAVING COUNT(*) FILTER (WHERE status <> 'cancelled') > 0
), sectors AS (SELECT unnest($sectors) AS sector)
SELECT need.pcode, sectors.sector, need.need, COALESCE(reach.reached, 0), COALESCE(reach.orgs, 0)
FROM need CROSS JOIN sectors
LEFT JOIN reach ON reach.pcode = need.pcode AND reach.sector = sectors.sector
UNION ALL
SELECT reach.pcode, reach.sector, NULL, reach.reached, reach.orgs FROM reach
WHERE reach.pcode NOT IN (SELECT pcode FROM need)
"""


DUCKDB_PERIOD_SQL = """
SELECT reporting_month, admin_unit_id AS pcode, sector,
       COALESCE(SUM(women + men + girls + boys + unspecified)
                FILTER (WHERE status IN ('ongoing', 'completed')), 0) AS reached,
       COUNT(DISTINCT organisation_id) FILTER (WHERE status IN ('ongoing', 'completed')) AS orgs,
       COALESCE(SUM(women + men + girls + boys + unspecified)
                FILTER (WHERE status = 'planned'), 0) AS planned
FROM activities GROUP BY 1, 2, 3
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    kept = args.keep is not None and (args.keep / "loaded.txt").exists()
    url = os.environ.get("CORRIDOR_DATABASE_URL", "")
    if url and not kept:
        ensure_pg_database(url)
    django.setup()
    import duckdb
    from django.db import connection

    from corridor.aid.models import Activity, Sector
    from corridor.gaps.queries import gap_table, next_month

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp) if args.keep is None else args.keep
        out_dir.mkdir(parents=True, exist_ok=True)
        if kept:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)  # indexes added since the load
            month, loaded = (out_dir / "loaded.txt").read_text().split()
            month = dt.date.fromisoformat(month)
            if int(loaded) != args.activities:
                raise SystemExit(
                    f"{out_dir} holds {int(loaded):,} activities, not {args.activities:,}"
                )
        else:
            started = time.perf_counter()
            month = load(args.activities, args.seed, out_dir)
            print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            (out_dir / "loaded.txt").write_text(f"{month.isoformat()} {args.activities}\n")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE aid_activity")
                cursor.execute("VACUUM ANALYZE situation_displacementfigure")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        from django.db.models import Count, Q

        from corridor.aid.models import MonthlyReach, MonthlyReachTotal
        from corridor.aid.queries import IS_REACHED, people_planned_sum, people_reached_sum
        from corridor.aid.services import rollups_rebuild
        from corridor.orgs.models import Visibility

        started = time.perf_counter()
        built = rollups_rebuild()
        build_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE aid_monthlyreach")
                cursor.execute("VACUUM ANALYZE aid_monthlyreachtotal")
            else:
                cursor.execute("ANALYZE")
        ms, table = time_it(lambda: gap_table(month), args.repeat)
        # The need side as it was before decision 0270, in the same run: each figure row's
        # township and sector looked up in a correlated "newest date" subquery.
        from corridor.situation import queries as situation_queries

        newest_rows = situation_queries._newest_rows
        situation_queries._newest_rows = newest_rows_before
        try:
            before_ms, before_table = time_it(lambda: gap_table(month), args.repeat)
        finally:
            situation_queries._newest_rows = newest_rows
        assert before_table.rows == table.rows, "the need rule before and now disagree"
        cpu_ms, _table = time_it(lambda: gap_table(month), args.repeat, clock=time.process_time)
        coordinator = MonthlyReach.objects.filter(~Q(organisation__visibility=Visibility.ANONYMOUS))
        viewer_ms, viewer_table = time_it(
            lambda: gap_table(month, reach_rows=coordinator), args.repeat
        )
        assert viewer_table.rows == table.rows, "the viewer's and the operator's tables differ"

        def reaching_organisations_count():
            return Count("organisation_id", filter=IS_REACHED, distinct=True)

        def reach_from_rows():  # the gap table's reach side before the rollups
            rows = Activity.objects.filter(reporting_month=month).order_by()
            cells = list(
                rows.values("admin_unit_id", "sector")
                .annotate(
                    r=people_reached_sum(), n=reaching_organisations_count(), p=people_planned_sum()
                )
                .values_list("admin_unit_id", "sector", "r", "n", "p")
            )
            towns = list(
                rows.values("admin_unit_id")
                .annotate(n=reaching_organisations_count())
                .values_list("admin_unit_id", "n")
            )
            return cells, towns

        def reach_from_rollup():
            return list(
                MonthlyReachTotal.objects.filter(month=month).values_list(
                    "admin_unit_id", "sector", "reached", "organisations", "planned"
                )
            )

        rows_ms, _cells = time_it(reach_from_rows, args.repeat)
        rollup_ms, _cells = time_it(reach_from_rollup, args.repeat)

        def all_period():
            return list(
                MonthlyReachTotal.objects.exclude(sector="").values_list(
                    "month", "admin_unit_id", "sector", "reached", "organisations", "planned"
                )
            )

        period_ms, period_rows = time_it(all_period, max(3, args.repeat // 3))

        duck = duckdb.connect()
        duck.execute(f"CREATE TABLE figures AS SELECT * FROM read_csv('{out_dir}/figures.csv')")
        duck.execute(
            f"CREATE TABLE activities AS SELECT * FROM read_csv('{out_dir}/activities.csv')"
        )
        params = {"start": month, "end": next_month(month), "sectors": list(Sector.values)}
        duck_ms, duck_rows = time_it(
            lambda: duck.execute(DUCKDB_SQL, params).fetchall(), args.repeat
        )
        duck_period_ms, duck_period = time_it(
            lambda: duck.execute(DUCKDB_PERIOD_SQL).fetchall(), max(3, args.repeat // 3)
        )
    ours = {(r.pcode, r.sector): (r.need, r.people_reached, r.organisations) for r in table.rows}
    theirs = {(p, s): (n, int(r), int(o)) for p, s, n, r, o in duck_rows}
    assert ours == theirs, "DuckDB and gap_table disagree"
    period = {(m, p, s): (r, o, pl) for m, p, s, r, o, pl in period_rows if r or o or pl}
    duck_cells = {
        (m, p, s): (int(r), int(o), int(pl)) for m, p, s, r, o, pl in duck_period if r or o or pl
    }
    assert period == duck_cells, "DuckDB and the rollup disagree on the all-period table"
    print(
        f"database: {connection.vendor}; activities: {args.activities:,}; month {month:%Y-%m}; "
        f"rows {len(table.rows):,}"
    )
    print(
        f"rollups built in {build_s:.1f} s: {built['monthly_reach']:,} organisation rows, "
        f"{built['monthly_reach_total']:,} total rows"
    )
    print(f"gap_table median of {args.repeat}: {ms:.1f} ms (operator: the totals)")
    print(
        f"gap_table with the need rule's query before decision 0270: {before_ms:.1f} ms "
        f"(before / now = {before_ms / ms:.1f}); now, CPU time of this process: {cpu_ms:.1f} ms"
    )
    print(
        f"gap_table for a viewer (coordinator scope, organisation rollup): {viewer_ms:.1f} ms "
        f"(viewer / operator = {viewer_ms / ms:.1f})"
    )
    print(
        f"the month's reach alone: from the activity rows {rows_ms:.1f} ms, from the rollup "
        f"{rollup_ms:.1f} ms (rows / rollup = {rows_ms / rollup_ms:.1f})"
    )
    print(
        f"all-period table ({len(period):,} month × township × sector cells): rollup "
        f"{period_ms:.1f} ms, DuckDB {duck_period_ms:.1f} ms "
        f"(rollup / DuckDB = {period_ms / duck_period_ms:.1f})"
    )
    print(
        f"DuckDB same query median of {args.repeat}: {duck_ms:.1f} ms "
        f"(gap_table / DuckDB = {ms / duck_ms:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
