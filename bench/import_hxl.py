"""Benchmark: importing an HXL 4W CSV into SQLite or PostgreSQL (bench/README.md, "Exchange").

Three paths over the same generated file:
- pipeline: ``corridor.exchange.services.file_import`` (what `corridor import` runs), with its
  progress bar; then the same file again (nothing changes);
- naive: libhxl row by row + ``Activity.objects.create`` one at a time, on the first
  ``--naive-sample`` rows (default 10,000) and extrapolated linearly to ``--rows``; linear
  extrapolation flatters it (a bigger table makes each insert dearer), so the recorded results
  run it on every row (``--naive-sample`` = ``--rows``), which takes 10–15 minutes;
- best: the fastest parse-plus-bulk-load this machine does without validation: csv module,
  the least conversion the table needs (a dict from township name to p-code, no checks), and
  one transaction of executemany(INSERT) on SQLite or COPY on PostgreSQL.

Every timed path starts from an empty activity table; best and pipeline are repeated
(``--repeat``) and the median is reported. The load average is printed before and after.

Usage (a throwaway instance is created under a temporary CORRIDOR_HOME):
    .venv/bin/python bench/import_hxl.py --rows 1000000
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench \\
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
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-bench-"))

HEADER = (
    "#meta+id,#org+name,#sector,#modality,#adm3+code,#adm3+name,#date+reported,"
    "#reached+f+adults,#reached+m+adults,#reached+f+children,#reached+m+children,#description"
)
SECTORS = ["food_security", "health", "wash", "protection", "education", "nutrition"]
MODALITIES = ["in_kind", "cash", "service", "voucher"]
COLUMNS = (
    "id",
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
    "created_at",
    "updated_at",
    # Text columns without a database default (the row builder fills them with "").
    "donor",
    "conditionality",
    "village_tract",
    "village",
    "removal_reason",
    "removed_via",
)


def generate(path: Path, rows: int, townships: list[tuple[str, str]]) -> None:
    """A 4W sheet: half the rows name the township by p-code, half by its English name."""
    rng = random.Random(42)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "Id,Organisation,Sector,Modality,Township p-code,Township,Month,"
            "Women,Men,Girls,Boys,Notes\r\n"
        )
        out.write(HEADER + "\r\n")
        for n in range(rows):
            month = f"{2021 + n % 4}-{1 + n % 12:02d}"
            pcode, name = rng.choice(townships)
            place = f"{pcode}," if n % 2 else f",{name}"
            out.write(
                f"R{n},Bench Org,{rng.choice(SECTORS)},{rng.choice(MODALITIES)},{place},"
                f"{month},{rng.randint(0, 500)},{rng.randint(0, 500)},"
                f"{rng.randint(0, 300)},{rng.randint(0, 300)},row {n}\r\n"
            )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def clear() -> None:
    from django.db import DatabaseError, connection, transaction

    from corridor.aid.models import Activity

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Activity._meta.db_table}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Activity._meta.db_table}")
            # Each timed path starts after a checkpoint, so that none inherits one the path
            # before it made due: a million rows write more WAL than max_wal_size (1 GB by
            # default), so the server checkpoints inside the timed paths too.
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError as exc:  # needs a superuser or pg_checkpoint
                print(f"no checkpoint between paths: {exc}", file=sys.stderr)


def run_pipeline(path: Path, org, progress: bool) -> tuple[float, object]:
    from rich.console import Console
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
    console = Console(stderr=True)
    with Progress(disable=not progress, transient=True, console=console) as bar:
        result = file_import(by=None, path=path, organisation=org, progress=Bar(bar))
    elapsed = time.perf_counter() - started
    assert result.ok, result.errors[:3]
    return elapsed, result


def run_naive(path: Path, org, sample: int, by_name: dict[str, str]) -> float:
    import hxl

    from corridor.aid.models import Activity

    with path.open("rb") as handle:
        head = b"".join(handle.readline() for _ in range(sample + 2))
    started = time.perf_counter()
    for n, row in enumerate(hxl.data(io.BytesIO(head))):
        month = row.get("#date+reported")
        Activity.objects.create(
            organisation=org,
            sector=row.get("#sector"),
            modality=row.get("#modality"),
            admin_unit_id=row.get("#adm3+code") or by_name[row.get("#adm3+name")],
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


def _best_rows(path: Path, org, by_name: dict[str, str], sqlite: bool, new_id=uuid.uuid4):
    from django.utils import timezone

    org_id = org.pk.hex if sqlite else org.pk
    now = timezone.now()
    stamp = now.isoformat() if sqlite else now
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader), next(reader)
        for r in reader:
            pk = new_id()
            month = r[6] + "-01"
            yield (
                pk.hex if sqlite else pk,
                org_id,
                r[2],
                r[3],
                "in_country",
                r[4] or by_name[r[5]],
                month if sqlite else dt.date.fromisoformat(month),
                "ongoing",
                int(r[7]),
                int(r[8]),
                int(r[9]),
                int(r[10]),
                0,
                "",
                r[11],
                stamp,
                stamp,
                "",
                "",
                "",
                "",
                "",
                "",
            )


# The indexes the lean table dropped (decision 0220), for ``--table-variants``.
OLD_INDEXES = (
    ("aid_activit_reporti_f22e22_idx", "reporting_month, sector, admin_unit_id"),
    ("aid_activity_organisation_id_99994b36", "organisation_id"),
    ("aid_activity_created_by_id_692f4273", "created_by_id"),
    ("aid_activity_updated_by_id_c33614df", "updated_by_id"),
    ("aid_activity_removed_by_id_aea25f03", "removed_by_id"),
)


def old_indexes(create: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, columns in OLD_INDEXES:
            if create:
                cursor.execute(f"CREATE INDEX {name} ON aid_activity ({columns})")
            else:
                cursor.execute(f"DROP INDEX {name}")


def run_best(path: Path, org, by_name: dict[str, str], new_id=uuid.uuid4) -> float:
    from django.db import connection, transaction

    from corridor.aid.models import Activity
    from corridor.exchange.writer import bulk_session

    table = Activity._meta.db_table
    sqlite = connection.vendor == "sqlite"
    started = time.perf_counter()
    # The same settings as the pipeline (larger SQLite page cache, collector frozen).
    with bulk_session(), transaction.atomic(), connection.cursor() as cursor:
        rows = _best_rows(path, org, by_name, sqlite, new_id)
        if sqlite:
            marks = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})"
            batch = []
            for values in rows:
                batch.append(values)
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        else:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
    return time.perf_counter() - started


def prepare() -> tuple:
    """The gazetteer loaded, the bench's organisation, and the townships whose English name
    the gazetteer settles on its own (no ambiguity), as (pcode, name). Django is set up."""
    from corridor.geo.models import AdminUnit
    from corridor.geo.resolver import get_resolver
    from corridor.geo.services import admin_units_load
    from corridor.orgs.models import Organisation

    admin_units_load(by=None)
    org = Organisation.objects.filter(name="Bench Org").first() or Organisation.objects.create(
        name="Bench Org", kind="local_cso", base_country="MM"
    )
    resolver = get_resolver()
    townships = [
        (pcode, name)
        for pcode, name in AdminUnit.objects.filter(level=3).values_list("pcode", "name_en")
        if "," not in name
        and (found := resolver.resolve(name, level=3)).accepted
        and found.pcode == pcode
    ]
    return org, townships


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--naive-sample", type=int, default=10_000, help="rows the naive path runs (then scaled)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of best and pipeline")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument(
        "--table-variants",
        action="store_true",
        help="also time the raw insert with the dropped indexes back, and with uuid7 keys",
    )
    parser.add_argument(
        "--sqlite-cache-mib",
        type=int,
        help="SQLite page cache while importing, both paths (default: the writer's own)",
    )
    args = parser.parse_args()

    if args.sqlite_cache_mib:
        from corridor.exchange import writer

        writer.SQLITE_IMPORT_CACHE_KIB = args.sqlite_cache_mib * 1024
    from corridor.cli import django_env

    django_env.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    org, townships = prepare()
    by_name = {name: pcode for pcode, name in townships}
    folder = Path(tempfile.mkdtemp(prefix="corridor-bench-file-"))
    path = folder / "4w.csv"
    generate(path, args.rows, townships)
    size = path.stat().st_size / 1e6
    print(
        f"{connection.vendor}: {args.rows:,} rows, {size:.0f} MB file, "
        f"{len(townships)} townships; load average {load()}",
        file=sys.stderr,
    )

    # One small import first: modules the pipeline imports on first use are not timed (this
    # machine runs with PYTHONDONTWRITEBYTECODE, so each is compiled on import).
    warm = folder / "warm.csv"
    generate(warm, 10, townships)
    run_pipeline(warm, org, False)
    warm.unlink()

    bests, pipelines, agains, olds, ordered = [], [], [], [], []
    # CPU time of the whole process (both threads; SQLite runs inside it): on a machine shared
    # with other work the wall-clock ratio swings, the CPU ratio much less.
    best_cpus: list[float] = []
    pipeline_cpus: list[float] = []
    again_cpus: list[float] = []
    for n in range(args.repeat):
        if args.table_variants:
            clear()
            old_indexes(create=True)
            olds.append(run_best(path, org, by_name))
            clear()
            old_indexes(create=False)
            from corridor.core.ids import uuid7

            ordered.append(run_best(path, org, by_name, new_id=uuid7))
        clear()
        cpu = time.process_time()
        bests.append(run_best(path, org, by_name))
        best_cpus.append(time.process_time() - cpu)
        clear()
        cpu = time.process_time()
        elapsed, result = run_pipeline(path, org, not args.no_progress and n == 0)
        pipeline_cpus.append(time.process_time() - cpu)
        assert result.created == args.rows, (result.created, args.rows)
        pipelines.append(elapsed)
        cpu = time.process_time()
        elapsed, result = run_pipeline(path, org, False)
        again_cpus.append(time.process_time() - cpu)
        assert (result.created, result.changed) == (0, 0)
        # Answered from the first import's kept run (decision 0369), or read row by row.
        replayed = "replayed" if result.replayed_from else "not replayed"
        agains.append(elapsed)
        variants = (
            f"raw insert with the old indexes {olds[-1]:.1f} s, with uuid7 keys "
            f"{ordered[-1]:.1f} s, "
            if args.table_variants
            else ""
        )
        print(
            f"run {n + 1}: {variants}raw insert (best) {bests[-1]:.1f} s, "
            f"pipeline {pipelines[-1]:.1f} s, again {agains[-1]:.1f} s ({replayed}); "
            f"pipeline rate / raw insert rate {bests[-1] / pipelines[-1]:.2f}; "
            f"CPU time: raw insert {best_cpus[-1]:.2f} s, pipeline {pipeline_cpus[-1]:.2f} s "
            f"(ratio {best_cpus[-1] / pipeline_cpus[-1]:.2f}), again {again_cpus[-1]:.2f} s; "
            f"rows per CPU second: raw insert {args.rows / best_cpus[-1]:,.0f}, pipeline "
            f"{args.rows / pipeline_cpus[-1]:,.0f}, again {args.rows / again_cpus[-1]:,.0f}; "
            f"load average {load()}",
            file=sys.stderr,
        )
    clear()
    best, pipeline, again = (statistics.median(v) for v in (bests, pipelines, agains))
    ratios = [b / p for b, p in zip(bests, pipelines, strict=True)]
    print(
        f"pipeline {args.rows / pipeline:,.0f} rows/s, raw insert {args.rows / best:,.0f} rows/s, "
        f"again {args.rows / again:,.0f} rows/s; pipeline rate / raw insert rate, each run: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f" (median {statistics.median(ratios):.2f})",
        file=sys.stderr,
    )
    if args.table_variants:
        old, seq = statistics.median(olds), statistics.median(ordered)
        print(
            f"raw insert: lean table {args.rows / best:,.0f} rows/s, with the five old indexes "
            f"{args.rows / old:,.0f} rows/s ({old / best:.2f}x the time), lean with uuid7 keys "
            f"{args.rows / seq:,.0f} rows/s ({seq / best:.2f}x the time)",
            file=sys.stderr,
        )
    # Peak memory of best + pipeline, before the naive path (which holds its sample in memory).
    peak = peak_mb()
    clear()
    args.naive_sample = min(args.naive_sample, args.rows)
    naive = run_naive(path, org, args.naive_sample, by_name)
    naive_total = naive / args.naive_sample * args.rows
    print(f"naive: {args.naive_sample:,} rows in {naive:.1f} s", file=sys.stderr)

    cells = [
        connection.vendor,
        f"{args.rows:,}",
        f"{pipeline:.1f} s ({args.rows / pipeline:,.0f} rows/s)",
        f"{again:.1f} s",
        f"{best:.1f} s",
        (
            f"{naive:.0f} s (every row)"
            if args.naive_sample == args.rows
            else f"{naive_total:,.0f} s (from {args.naive_sample:,} rows in {naive:.1f} s)"
        ),
        f"{naive_total / pipeline:.1f}x",
        f"{pipeline / best:.2f}x",
        f"{peak:,.0f} MB",
    ]
    print("| " + " | ".join(cells) + " |")
    path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
