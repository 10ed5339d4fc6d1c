"""What partitioning the activity table by month would prune, on a hub kept by bench/hub10m.py.

docs/scaling.md §4 (issue 18 §5). Corridor's ``aid_activity`` is one plain table. This script
copies it, on the kept hub database, into a table declared ``PARTITION BY RANGE
(reporting_month)`` with one partition per month (a copy, not a migration: nothing in Corridor
reads it), builds the gap index (``activity_gap_cover_idx``'s columns) on the copy, and then
prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the same queries on both tables:

- the month's reach sums, the query the rollup refresh runs after an import or an edit
  (``aid.services.reach_sums`` for one month, the product's SQL with the table name swapped);
- one organisation's newest rows (what its activity list reads: no month in the filter).

It also times detaching the oldest month's partition (what archiving an old month costs) and
drops the copy at the end.

Run (after ``bench/hub10m.py --keep`` with the same database):
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_hub10m \\
        nice -n 10 .venv/bin/python bench/hub_partitions.py
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time

COPY = "hub_activity_by_month"
SHOWN_LINES = 24


def say(text: str) -> None:
    print(text, flush=True)


def next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def explain(cursor, label: str, sql: str, params) -> None:
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
    lines = [row[0] for row in cursor.fetchall()]
    scans = [line.strip() for line in lines if " on " in line and "Scan" in line]
    say(f"--- {label}: {len(scans)} scan nodes")
    for line in lines[:SHOWN_LINES]:
        say(f"    {line}")
    if len(lines) > SHOWN_LINES:
        say(f"    … {len(lines) - SHOWN_LINES} more lines; the last:")
        for line in lines[-4:]:
            say(f"    {line}")


def main() -> int:
    if not os.environ.get("CORRIDOR_DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set CORRIDOR_DATABASE_URL to the hub kept by bench/hub10m.py --keep")
    made_home = "CORRIDOR_HOME" not in os.environ
    home = os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-hub-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    import django

    django.setup()
    from django.db import connection

    from corridor.aid.models import Activity
    from corridor.aid.services import reach_sums

    say(f"load average at start: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(reporting_month), max(reporting_month), count(*) FROM aid_activity"
        )
        first, last, rows = cursor.fetchone()
        if not rows:
            raise SystemExit("aid_activity is empty: run bench/hub10m.py --keep first")
        say(f"aid_activity: {rows:,} rows, {first:%Y-%m} to {last:%Y-%m}")
        cursor.execute(f"DROP TABLE IF EXISTS {COPY}")
        cursor.execute(
            f"CREATE TABLE {COPY} (LIKE aid_activity INCLUDING DEFAULTS) "
            "PARTITION BY RANGE (reporting_month)"
        )
        month, count = first, 0
        while month <= last:
            cursor.execute(
                f"CREATE TABLE {COPY}_{month:%Y%m} PARTITION OF {COPY} "
                "FOR VALUES FROM (%s) TO (%s)",
                [month, next_month(month)],
            )
            month, count = next_month(month), count + 1
        say(f"{count} monthly partitions made")
        started, cpu = time.perf_counter(), time.process_time()
        cursor.execute(f"INSERT INTO {COPY} SELECT * FROM aid_activity")
        say(f"copied {rows:,} rows: {time.perf_counter() - started:,.1f} s wall")
        started = time.perf_counter()
        cursor.execute(
            f"CREATE INDEX {COPY}_gap ON {COPY} (reporting_month, admin_unit_id, sector, "
            "organisation_id, women, men, girls, boys, unspecified, status, removed_at)"
        )
        cursor.execute(f"CREATE INDEX {COPY}_org ON {COPY} (organisation_id, reporting_month)")
        say(f"gap and organisation indexes on the copy: {time.perf_counter() - started:,.1f} s")
        started = time.perf_counter()
        cursor.execute(f"VACUUM ANALYZE {COPY}")
        say(f"VACUUM ANALYZE of the copy: {time.perf_counter() - started:,.1f} s")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('aid_activity')), "
            "(SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
            f"WHERE inhparent = '{COPY}'::regclass)"
        )
        plain, parted = cursor.fetchone()
        say(f"size with indexes: plain {plain}; partitioned {parted}")

        month_sql, params = reach_sums(
            Activity.objects.filter(reporting_month=last)
        ).query.sql_with_params()
        for table in ("aid_activity", COPY):
            sql = month_sql.replace('"aid_activity"', f'"{table}"')
            explain(cursor, f"month's reach sums ({last:%Y-%m}) on {table}", sql, params)
        cursor.execute(
            "SELECT organisation_id FROM aid_activity GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        organisation = cursor.fetchone()[0]
        for table in ("aid_activity", COPY):
            explain(
                cursor,
                f"the biggest organisation's 50 newest rows on {table}",
                f"SELECT id FROM {table} WHERE organisation_id = %s "
                "ORDER BY reporting_month DESC LIMIT 50",
                [organisation],
            )
        started = time.perf_counter()
        cursor.execute(f"ALTER TABLE {COPY} DETACH PARTITION {COPY}_{first:%Y%m}")
        say(f"detaching the oldest month ({first:%Y-%m}): {time.perf_counter() - started:.2f} s")
        cursor.execute(f"DROP TABLE {COPY}_{first:%Y%m}")
        cursor.execute(f"DROP TABLE {COPY}")
    say(f"copy dropped; process CPU {time.process_time() - cpu:.1f} s")
    say(f"load average at end: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")
    if made_home:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
