"""Benchmark: which index serves each measured read of the activity table (decision 0220).

Loads ``--rows`` activities (200,000 by default; 60 months, 50 organisations, every township
the gazetteer settles) with the raw insert of bench/import_hxl.py, updates the planner's
statistics, then for each read the product makes prints its plan (EXPLAIN, on the database
in use) and its median time over ``--repeat`` runs. Each index the lean table keeps is named
in one of these plans. See bench/README.md, "The lean activity table".

Usage (a throwaway instance under a temporary CORRIDOR_HOME; the PostgreSQL database must
exist and be empty):
    .venv/bin/python bench/activity_indexes.py
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench \\
        .venv/bin/python bench/activity_indexes.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-bench-"))
sys.path.insert(0, os.path.dirname(__file__))

from import_hxl import COLUMNS, SECTORS, prepare

MODALITIES = ["in_kind", "cash", "service", "voucher"]
STATUSES = ["ongoing"] * 9 + ["planned"]


def load(rows: int, orgs: list, townships: list[str]) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from corridor.aid.models import Activity

    sqlite = connection.vendor == "sqlite"
    rng = random.Random(7)
    now = timezone.now()
    stamp = now.isoformat() if sqlite else now
    months = [dt.date(2020 + m // 12, 1 + m % 12, 1) for m in range(60)]

    def values():
        for n in range(rows):
            pk = uuid.uuid4()
            org = orgs[n % len(orgs)].pk
            month = months[n % len(months)]
            yield (
                pk.hex if sqlite else pk,
                org.hex if sqlite else org,
                rng.choice(SECTORS),
                rng.choice(MODALITIES),
                "in_country",
                rng.choice(townships),
                month.isoformat() if sqlite else month,
                rng.choice(STATUSES),
                rng.randint(0, 500),
                rng.randint(0, 500),
                rng.randint(0, 300),
                rng.randint(0, 300),
                0,
                "",
                f"row {n}",
                stamp,
                stamp,
                "",
                "",
                "",
                "",
                "",
            )

    table = Activity._meta.db_table
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if sqlite:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})",
                list(values()),
            )
        else:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in values():
                    copy.write_row(row)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return elapsed


def reads(org, unit: str, month: dt.date) -> list[tuple[str, object]]:
    """The product's reads of the activity table, built as the product builds them."""
    from django.db.models import Count, Max

    from corridor.aid.models import Activity
    from corridor.aid.queries import (
        people_planned_sum,
        people_reached_sum,
        reaching_organisations_count,
    )

    month_rows = Activity.objects.filter(reporting_month=month)
    return [
        (
            "gap table: one month's sums by township and sector (gaps/queries.py gap_table)",
            month_rows.order_by()
            .values("admin_unit_id", "sector")
            .annotate(
                reached=people_reached_sum(),
                orgs=reaching_organisations_count(),
                planned=people_planned_sum(),
            ),
        ),
        (
            "activities list filtered by month and sector (web/views/lists.py), first page",
            Activity.objects.filter(reporting_month=month, sector="health")
            .select_related("organisation", "admin_unit")
            .order_by("-reporting_month", "-start_date")[:50],
        ),
        (
            "township page: who works there, reach and latest month (web/queries/places.py)",
            Activity.objects.filter(admin_unit=unit)
            .order_by()
            .values("organisation_id")
            .annotate(reached=people_reached_sum(), rows=Count("id"), last=Max("reporting_month")),
        ),
        (
            "organisation page: its activities, latest first (web/queries/places.py)",
            Activity.objects.filter(organisation=org).order_by("-reporting_month", "-start_date")[
                :100
            ],
        ),
        (
            "one record by id (detail and edit pages; the importer probes ids one by one)",
            Activity.all_objects.filter(pk=Activity.all_objects.order_by().values_list("pk")[0][0]),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from corridor.cli import django_env

    django_env.setup()
    from django.core.management import call_command
    from django.db import connection

    from corridor.aid.models import Activity
    from corridor.orgs.models import Organisation

    call_command("migrate", verbosity=0)
    org, townships = prepare()
    orgs = [org] + [
        Organisation.objects.get_or_create(
            name=f"Bench Org {n}", defaults={"kind": "local_cso", "base_country": "MM"}
        )[0]
        for n in range(1, 50)
    ]
    Activity.all_objects.all().delete()
    pcodes = [pcode for pcode, _ in townships]
    seconds = load(args.rows, orgs, pcodes)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'aid_activity'")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'aid_activity'")
        indexes = sorted(name for (name,) in cursor.fetchall() if name != "aid_activity")
    print(
        f"## {connection.vendor}: {args.rows:,} activities loaded in {seconds:.1f} s "
        f"({args.rows / seconds:,.0f} rows/s); indexes: {', '.join(indexes)}\n"
    )
    for label, query in reads(org, pcodes[0], dt.date(2023, 6, 1)):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            list(query.all())
            times.append((time.perf_counter() - started) * 1000)
        plan = query.explain()
        print(f"### {label}: median {statistics.median(times):.1f} ms\n")
        print("    " + plan.replace("\n", "\n    ") + "\n")
    Activity.all_objects.all().delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
