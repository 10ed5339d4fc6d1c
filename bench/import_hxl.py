"""Benchmark: importing an HXL 4W CSV into SQLite or PostgreSQL (bench/README.md, "Exchange").

Three paths over the same generated file:
- pipeline: ``corridor.exchange.services.file_import`` (what `corridor import` runs);
- naive: libhxl row by row + ``Activity.objects.create`` one at a time, timed on a sample
  and extrapolated (running it on a million rows would take far too long);
- best: csv module + the least conversion the table needs + one executemany per 5,000 rows
  in one transaction, no validation: the floor for parse-plus-bulk-load on this machine.

Usage (a throwaway instance is created under a temporary CORRIDOR_HOME):
    .venv/bin/python bench/import_hxl.py --rows 1000000
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench \
        .venv/bin/python bench/import_hxl.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-bench-"))

HEADER = (
    "#meta+id,#org+name,#sector,#modality,#adm3+code,#date+reported,"
    "#reached+f+adults,#reached+m+adults,#reached+f+children,#reached+m+children,#description"
)
SECTORS = ["food_security", "health", "wash", "protection", "education", "nutrition"]
MODALITIES = ["in_kind", "cash", "service", "voucher"]


def generate(path: Path, rows: int, townships: list[str]) -> None:
    rng = random.Random(42)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Id,Organisation,Sector,Modality,Township,Month,Women,Men,Girls,Boys,Notes\r\n")
        out.write(HEADER + "\r\n")
        for n in range(rows):
            month = f"{2021 + n % 4}-{1 + n % 12:02d}"
            out.write(
                f"R{n},Bench Org,{rng.choice(SECTORS)},{rng.choice(MODALITIES)},"
                f"{rng.choice(townships)},{month},{rng.randint(0, 500)},{rng.randint(0, 500)},"
                f"{rng.randint(0, 300)},{rng.randint(0, 300)},row {n}\r\n"
            )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clear() -> None:
    from django.db import connection, transaction

    from corridor.aid.models import Activity

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Activity._meta.db_table}")


def run_pipeline(path: Path, org, progress: bool) -> float:
    from rich.progress import Progress

    from corridor.exchange.services import file_import

    class Bar:
        def __init__(self, bar):
            self.bar, self.task = bar, None

        def start(self, total, description):
            self.task = self.bar.add_task(description, total=total)

        def advance(self, amount):
            self.bar.advance(self.task, amount)

    started = time.perf_counter()
    with Progress(disable=not progress, transient=True) as bar:
        result = file_import(by=None, path=path, organisation=org, progress=Bar(bar))
    elapsed = time.perf_counter() - started
    assert result.ok, result.errors[:3]
    return elapsed


def run_naive(path: Path, org, sample: int) -> float:
    import hxl

    from corridor.aid.models import Activity

    started = time.perf_counter()
    with path.open("rb") as handle:
        head = b"".join(handle.readline() for _ in range(sample + 2))
    for n, row in enumerate(hxl.data(io.BytesIO(head))):
        month = row.get("#date+reported")
        Activity.objects.create(
            organisation=org,
            sector=row.get("#sector"),
            modality=row.get("#modality"),
            admin_unit_id=row.get("#adm3+code"),
            reporting_month=dt.date.fromisoformat(month + "-01"),
            women=int(row.get("#reached+f+adults")),
            men=int(row.get("#reached+m+adults")),
            girls=int(row.get("#reached+f+children")),
            boys=int(row.get("#reached+m+children")),
            notes=row.get("#description"),
        )
        if n + 1 >= sample:
            break
    return time.perf_counter() - started


def run_best(path: Path, org) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from corridor.aid.models import Activity

    table = Activity._meta.db_table
    columns = (
        "id, organisation_id, sector, modality, channel, admin_unit_id, reporting_month, status, "
        "women, men, girls, boys, unspecified, currency, notes, created_at, updated_at"
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 17)})"
    sqlite = connection.vendor == "sqlite"
    org_id = org.pk.hex if sqlite else org.pk
    now = timezone.now()
    stamp = now.isoformat() if sqlite else now
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor, path.open(encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader), next(reader)
        batch = []
        for r in reader:
            pk = uuid.uuid4()
            month = r[5] + "-01"
            batch.append(
                (
                    pk.hex if sqlite else pk,
                    org_id,
                    r[2],
                    r[3],
                    "in_country",
                    r[4],
                    month if sqlite else dt.date.fromisoformat(month),
                    "ongoing",
                    int(r[6]),
                    int(r[7]),
                    int(r[8]),
                    int(r[9]),
                    0,
                    "",
                    r[10],
                    stamp,
                    stamp,
                )
            )
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=2000)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()

    from corridor.cli import django_env

    django_env.setup()
    from django.core.management import call_command
    from django.db import connection

    from corridor.geo.models import AdminUnit
    from corridor.geo.services import admin_units_load
    from corridor.orgs.models import Organisation

    call_command("migrate", verbosity=0)
    admin_units_load(by=None)
    org = Organisation.objects.filter(name="Bench Org").first() or Organisation.objects.create(
        name="Bench Org", kind="local_cso", base_country="MM"
    )
    townships = list(AdminUnit.objects.filter(level=3).values_list("pcode", flat=True))
    folder = Path(tempfile.mkdtemp(prefix="corridor-bench-file-"))
    path = folder / "4w.csv"
    generate(path, args.rows, townships)
    size = path.stat().st_size / 1e6
    print(f"{connection.vendor}: {args.rows:,} rows, {size:.0f} MB file", file=sys.stderr)

    clear()
    naive = run_naive(path, org, args.naive_sample)
    naive_total = naive / args.naive_sample * args.rows
    clear()
    best = run_best(path, org)
    clear()
    pipeline = run_pipeline(path, org, not args.no_progress)
    again = run_pipeline(path, org, False)
    clear()

    cells = [
        connection.vendor,
        f"{args.rows:,}",
        f"{pipeline:.1f} s ({args.rows / pipeline:,.0f} rows/s)",
        f"{again:.1f} s",
        f"{best:.1f} s",
        f"{naive_total:,.0f} s (from {args.naive_sample:,} rows in {naive:.1f} s)",
        f"{naive_total / pipeline:.0f}x",
        f"{pipeline / best:.2f}x",
        f"{peak_mb():,.0f} MB",
    ]
    print("| " + " | ".join(cells) + " |")
    path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
