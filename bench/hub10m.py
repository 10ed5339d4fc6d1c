"""A coalition's hub after ten years: 500 organisations, about 10 million activities, PostgreSQL.

Issue 18 §5. Builds the hub quickly on the server side, then times what people do with it
through Corridor's own code paths, printing each figure as soon as it is measured:

1. build: the shipped admin units; ``--organisations`` organisations; a displacement figure
   per township and month (people in need on half of them); ``--activities`` activity rows
   over ``--years`` × 12 months, generated inside PostgreSQL by ``INSERT … SELECT`` from
   ``generate_series`` with deterministic pseudo-random columns (``hashint8extended`` of the
   row number and a seed), one statement per month. Each organisation works in 12 townships
   and 3 sectors of its own (so a month has about organisations × 36 organisation-cells, not
   every township × sector), the organisations' sizes are skewed (the biggest report about
   45 times the smallest), statuses are ongoing/completed/planned/cancelled 45/40/10/5 %.
   Rows are written month by month with time-ordered keys, as monthly imports append them;
   the activity table's secondary indexes are dropped for the load and rebuilt after it
   (timed apart). The rollups are then built with ``aid.services.rollups_rebuild`` — the
   product's builder (`corridor rollups rebuild`).
2. import: one more month as a realistic HXL 4W file (``--import-rows``, 50,000) through
   ``corridor import`` (the entry point, a child process).
3. gaps: ``gap_table(month)`` for the newest month and the all-period table (every month's
   township × sector cells from the rollup), median of ``--repeat``.
4. pages: the dashboard, the gap page, the busiest township's page and the activity list
   through Django's test client, signed in as a coordinator (first request and median).
5. backup: ``corridor backup`` (the entry point, a child process) and the file's size.

Wall time and CPU time are given for each step: the CPU of this process for in-process steps,
of the child for `corridor import`/`corridor backup`; the database server's CPU is in neither.
The load average is printed at the start and the end.

Run (the database is created, and dropped at the end unless --keep):
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_hub10m \\
        nice -n 10 .venv/bin/python bench/hub10m.py
    ... bench/hub10m.py --organisations 20 --years 1 --activities 10000 --import-rows 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATUS_CUTS = ((45, "ongoing"), (85, "completed"), (95, "planned"), (100, "cancelled"))
TOWNSHIPS_PER_ORG = 12
SECTORS_PER_ORG = 3
CORRIDOR = str(Path(sys.executable).with_name("corridor"))
PASSPHRASE = "bench hub ten million rows"  # noqa: S105 (a throwaway backup)


def say(text: str) -> None:
    print(text, flush=True)


def load_average() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


class Timer:
    """Wall and CPU seconds of a block: this process's, or its finished children's."""

    def __init__(self, children: bool = False):
        self.who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF

    def _cpu(self) -> float:
        usage = resource.getrusage(self.who)
        return usage.ru_utime + usage.ru_stime

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = self._cpu() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:,.1f} s wall, {self.cpu:,.1f} s CPU"


def admin_connection(url: str):
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    connection = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        dbname="postgres",
        autocommit=True,
    )
    return connection, config["NAME"]


def database(url: str, *, create: bool) -> None:
    from psycopg import sql

    admin, name = admin_connection(url)
    with admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def calendar(years: int, last: dt.date) -> list[dt.date]:
    out, day = [], last
    for _ in range(years * 12):
        out.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return sorted(out)


def next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def plan(organisations: int, townships: list[str], sectors: list[str], seed: int):
    """Each organisation's townships and sectors (flattened: org k's are at k*12.. and k*3..)."""
    rng = random.Random(seed)
    where, what = [], []
    for _ in range(organisations):
        where += rng.sample(townships, min(TOWNSHIPS_PER_ORG, len(townships)))
        what += rng.sample(sectors, SECTORS_PER_ORG)
    # Fewer townships than 12 (a small test gazetteer): repeat to fill the slots.
    per_org = min(TOWNSHIPS_PER_ORG, len(townships))
    if per_org < TOWNSHIPS_PER_ORG:
        where = [where[k * per_org + j % per_org] for k in range(organisations) for j in range(12)]
    return where, what


# One month's rows: row numbers g in [first, last); h(n) is a deterministic pseudo-random
# bigint of (g, n). The organisation is skewed (floor(orgs * u²): small k report most), the
# township and sector are among the organisation's own, the key is time-ordered (uuid7-like:
# the row number in the high bits).
ACTIVITY_SQL = """
INSERT INTO aid_activity ({columns})
SELECT {uuid}, %(stamp)s, %(stamp)s, (%(orgs)s::uuid[])[1 + o],
       (%(what)s::text[])[1 + o * 3 + h3 %% 3],
       (%(modalities)s::text[])[1 + h4 %% %(n_modalities)s], 'in_country',
       (%(where)s::text[])[1 + o * 12 + h2 %% 12], %(month)s,
       CASE WHEN h5 %% 100 < 45 THEN 'ongoing' WHEN h5 %% 100 < 85 THEN 'completed'
            WHEN h5 %% 100 < 95 THEN 'planned' ELSE 'cancelled' END,
       h6 %% 301, (h6 / 301) %% 301, h7 %% 201, (h7 / 201) %% 201,
       CASE WHEN h8 %% 5 = 0 THEN (h8 / 5) %% 51 ELSE 0 END,
       '', ''{defaults}
FROM (
  SELECT g, floor(%(n_orgs)s * power(((h1 %% 1000000) / 1000000.0), 2))::int AS o,
         h2, h3, h4, h5, h6, h7, h8
  FROM (
    SELECT g, {hashes}
    FROM generate_series(%(first)s::bigint, %(last)s::bigint - 1) AS g
  ) hashed
) picked
"""
# h1 … h8: the row number hashed with the seed plus these offsets.
HASHES = ",\n           ".join(
    f"abs(hashint8extended(g, %(seed)s + {offset})) AS h{n}"
    for n, offset in enumerate((0, 2, 3, 4, 5, 6, 7, 8), start=1)
)
# 0190…-7xxx-8xxx-…: 12 hex digits of (a fixed start + row number), version 7, variant 8.
UUID_SQL = (
    "(lpad(to_hex(1700000000000 + g), 12, '0') || '7' || lpad(to_hex(h3 %% 4096), 3, '0')"
    " || '8' || lpad(to_hex(h4 %% 1152921504606846976), 15, '0'))::uuid"
)
COLUMNS = [
    *("id", "created_at", "updated_at", "organisation_id", "sector", "modality", "channel"),
    *("admin_unit_id", "reporting_month", "status", "women", "men", "girls", "boys"),
    *("unspecified", "currency", "notes"),
]


def build(args, last_month: dt.date) -> dict:
    """Everything but the rollups; returns what later steps need."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from corridor.aid.models import Activity, Modality, Sector
    from corridor.geo.models import AdminUnit
    from corridor.geo.services import admin_units_load
    from corridor.orgs.models import Organisation
    from corridor.situation.models import DisplacementFigure, Source

    with Timer() as t:
        call_command("migrate", verbosity=0)
        admin_units_load()
    say(f"migrations and admin units: {t}")
    rng = random.Random(args.seed)
    townships = sorted(AdminUnit.objects.filter(level=3).values_list("pcode", flat=True))
    months = calendar(args.years, last_month)
    kinds = ["local_cso", "local_cso", "ethnic", "ingo", "un"]
    with Timer() as t:
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"Hub org {i:03d}", kind=rng.choice(kinds), base_country="MM")
            for i in range(args.organisations)
        )
        sources = Source.objects.bulk_create(Source(title=f"Hub source {i}") for i in range(12))
        now = dt.datetime.now(dt.UTC)
        figures = []
        for month in months:
            for pcode in townships:
                idps = rng.randint(0, 60_000)
                figures.append(
                    DisplacementFigure(
                        admin_unit_id=pcode,
                        as_of=month.replace(day=rng.randint(1, 28)),
                        idps=idps,
                        people_in_need=idps + rng.randint(0, 20_000)
                        if rng.random() < 0.5
                        else None,
                        source=rng.choice(sources),
                        created_at=now,
                        updated_at=now,
                    )
                )
        DisplacementFigure.objects.bulk_create(figures, batch_size=5000)
    say(f"{len(orgs):,} organisations, {len(figures):,} displacement figures: {t}")

    where, what = plan(args.organisations, townships, list(Sector.values), args.seed)
    defaults = [
        (field.column, field.get_default())
        for field in Activity._meta.concrete_fields
        if field.column not in COLUMNS and not field.null
    ]
    columns = COLUMNS + [column for column, _ in defaults]
    statement = ACTIVITY_SQL.format(
        columns=", ".join(columns),
        uuid=UUID_SQL,
        hashes=HASHES,
        defaults="".join(f", %(d_{column})s" for column, _ in defaults),
    )
    table = Activity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    params = {
        "orgs": [str(o.id) for o in orgs],
        "n_orgs": args.organisations,
        "where": where,
        "what": what,
        "modalities": list(Modality.values),
        "n_modalities": len(Modality.values),
        "seed": args.seed,
        **{f"d_{column}": value for column, value in defaults},
    }
    with Timer() as t:
        done = 0
        for n, month in enumerate(months):
            last = args.activities * (n + 1) // len(months)
            stamp = dt.datetime.combine(next_month(month), dt.time(9), tzinfo=dt.UTC)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    statement,
                    {**params, "first": done, "last": last, "month": month, "stamp": stamp},
                )
            done = last
            if n % 12 == 11:
                say(f"  {done:,} activities ({time.perf_counter() - t.wall:,.0f} s)")
    say(f"{args.activities:,} activities inserted: {t}")
    with Timer() as t, connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
    say(f"{len(indexes)} secondary indexes of {table} rebuilt: {t}")
    with Timer() as t, connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        # Every table's statistics, as autovacuum keeps them on a running hub (it may be off
        # on a development server: then the organisations table was never analysed, and the
        # township page's plan loops over an estimate of 49 organisations' index scans).
        cursor.execute("ANALYZE")
    say(f"VACUUM ANALYZE: {t}")
    return {"orgs": orgs, "where": where, "what": what, "months": months}


def import_file(path: Path, rows: int, month: dt.date, built: dict, seed: int) -> None:
    """An HXL 4W sheet for ``month``: the organisations' own townships and sectors, half the
    townships named by p-code and half by English name (where the name is unique), as
    partners' sheets come."""
    from corridor.geo.models import AdminUnit

    units = list(AdminUnit.objects.filter(level=3).values_list("pcode", "name_en"))
    # Only names no other township bears: an ambiguous name would hold the row for review.
    count: dict[str, int] = {}
    for _, name in units:
        count[name] = count.get(name, 0) + 1
    names = {pcode: name for pcode, name in units if count[name] == 1}
    rng = random.Random(seed + 1)
    orgs, where, what = built["orgs"], built["where"], built["what"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Organisation,Sector,Modality,Township p-code,Township,Month,Status,")
        out.write("Women,Men,Girls,Boys,Notes\r\n")
        out.write(
            "#org+name,#sector,#modality,#adm3+code,#adm3+name,#date+reported,#status,"
            "#reached+f+adults,#reached+m+adults,#reached+f+children,#reached+m+children,"
            "#description\r\n"
        )
        for n in range(rows):
            k = int(len(orgs) * rng.random() ** 2)
            pcode = where[k * TOWNSHIPS_PER_ORG + rng.randrange(TOWNSHIPS_PER_ORG)]
            place = f",{names[pcode]}" if n % 2 == 0 and pcode in names else f"{pcode},"
            status = next(s for cut, s in STATUS_CUTS if rng.randrange(100) < cut)
            out.write(
                f"{orgs[k].name},{what[k * SECTORS_PER_ORG + rng.randrange(SECTORS_PER_ORG)]},"
                f"{rng.choice(['in_kind', 'cash', 'service', 'voucher'])},{place},"
                f"{month:%Y-%m},{status},{rng.randint(0, 300)},{rng.randint(0, 300)},"
                f"{rng.randint(0, 200)},{rng.randint(0, 200)},distribution {n}\r\n"
            )


def child(command: list[str], summary: str) -> tuple[Timer, str]:
    """Run a `corridor` command; its timer and the line of its output starting ``summary``."""
    with Timer(children=True) as t:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith(summary)]
    return t, lines[-1] if lines else "(no summary line)"


def busiest_township() -> str:
    """The p-code of the township that reached the most people over all months (rollup totals)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT admin_unit_id FROM aid_monthlyreachtotal WHERE sector = '' "
            "GROUP BY 1 ORDER BY sum(reached) DESC LIMIT 1"
        )
        return cursor.fetchone()[0]


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    """(first wall, median wall, median CPU) in ms, and the last answer."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return first * 1000, statistics.median(walls) * 1000, statistics.median(cpus) * 1000, result


def table_sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())),"
            " pg_size_pretty(pg_table_size('aid_activity')),"
            " pg_size_pretty(pg_indexes_size('aid_activity'))"
        )
        whole, table, indexes = cursor.fetchone()
    return f"database {whole}; aid_activity {table} + indexes {indexes}"


def measure(args, built: dict, home: Path) -> None:
    from django.db import connection

    from corridor.accounts.models import GlobalRole, User
    from corridor.aid.models import Activity, MonthlyReachTotal
    from corridor.aid.services import rollups_rebuild
    from corridor.gaps.queries import gap_table
    from corridor.testing.signin import signed_in_client

    with Timer() as t:
        built_rows = rollups_rebuild()
    say(
        f"rollups_rebuild: {t} ({built_rows['monthly_reach']:,} organisation rows, "
        f"{built_rows['monthly_reach_total']:,} total rows)"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE aid_monthlyreach")
        cursor.execute("VACUUM ANALYZE aid_monthlyreachtotal")
    say(table_sizes())

    month = next_month(built["months"][-1])
    sheet = home / f"4w-{month:%Y-%m}.csv"
    import_file(sheet, args.import_rows, month, built, args.seed)
    t, line = child([CORRIDOR, "import", str(sheet)], "imported")
    say(f"corridor import of {args.import_rows:,} rows for {month:%Y-%m}: {t} ({line})")
    stored = Activity.objects.filter(reporting_month=month).count()
    if stored != args.import_rows:
        raise SystemExit(f"the import stored {stored:,} rows of {args.import_rows:,}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    first, wall, cpu, table = timed(lambda: gap_table(month), args.repeat)
    say(
        f"gap_table({month:%Y-%m}), {len(table.rows):,} rows: first {first:,.0f} ms, "
        f"median of {args.repeat} {wall:,.0f} ms wall, {cpu:,.0f} ms CPU"
    )

    def all_period():
        return list(
            MonthlyReachTotal.objects.exclude(sector="").values_list(
                "month", "admin_unit_id", "sector", "reached", "organisations", "planned"
            )
        )

    first, wall, cpu, cells = timed(all_period, max(1, args.repeat // 2))
    say(
        f"all-period table ({len(cells):,} cells): first {first:,.0f} ms, median "
        f"{wall:,.0f} ms wall, {cpu:,.0f} ms CPU"
    )

    user = User.objects.create_user(
        username="hub-coordinator", password=None, global_role=GlobalRole.COORDINATOR
    )
    client = signed_in_client(user)
    busiest = busiest_township()
    pages = [
        ("dashboard", "/"),
        ("gaps", "/gaps/"),
        (f"township {busiest}", f"/townships/{busiest}/"),
        ("activity list", "/activities/"),
    ]
    for label, address in pages:

        def get(address=address):
            response = client.get(address, HTTP_HOST="127.0.0.1")
            if response.status_code != 200:
                raise SystemExit(f"{address} answered {response.status_code}")
            return response

        first, wall, cpu, response = timed(get, args.page_repeat)
        say(
            f"page {label} ({address}, {len(response.content):,} bytes): first {first:,.0f} ms, "
            f"median of {args.page_repeat} {wall:,.0f} ms wall, {cpu:,.0f} ms CPU"
        )

    if args.skip_backup:
        say("backup: skipped (--skip-backup)")
        return
    backup = home / "hub.backup"
    t, line = child([CORRIDOR, "backup", str(backup)], "Backup written")
    say(f"corridor backup: {t}; {backup.stat().st_size / 2**20:,.0f} MB ({line})")
    backup.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5, help="gap table timings (5)")
    parser.add_argument("--page-repeat", type=int, default=3, help="page timings (3)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--skip-backup", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()
    url = os.environ.get("CORRIDOR_DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set CORRIDOR_DATABASE_URL to a PostgreSQL database (created here)")
    if args.organisations < 1 or args.years < 1 or args.activities < args.years * 12:
        raise SystemExit("need at least one organisation, one year and a row per month")
    made_home = "CORRIDOR_HOME" not in os.environ
    home = Path(os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-hub-")))
    os.environ["CORRIDOR_BACKUP_PASSPHRASE"] = PASSPHRASE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    say(f"load average at start: {load_average()}")
    database(url, create=True)
    import django

    django.setup()
    from django.db import connection

    try:
        with Timer() as whole:
            built = build(args, dt.date(2026, 10, 1))
            measure(args, built, home)
        say(f"whole run: {whole}; load average at end: {load_average()}")
    finally:
        connection.close()
        if not args.keep:
            database(url, create=False)
            say("database dropped")
        if made_home:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
