"""Benchmark: importing a new month into a filled instance (bench/README.md, decision 0370).

The instance is filled with ``--rows`` activity rows of one organisation over 48 months (the
raw insert of bench/import_hxl.py, then ``rollups_rebuild``); then a file of ``--new`` rows of
the same organisation for a month it has no rows in yet is imported through ``file_import``.
Before decision 0370 that import recomputed the rollups of all 48 months; now it recomputes
the new month. Prints the import's wall and CPU time, and the load average.

Usage (a throwaway instance is created under a temporary CORRIDOR_HOME):
    .venv/bin/python bench/import_new_month.py --rows 200000 --new 5000
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench ... (same)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# The bench's own generator and raw insert.
import import_hxl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--new", type=int, default=5_000)
    args = parser.parse_args()

    from corridor.cli import django_env

    django_env.setup()
    from django.core.management import call_command
    from django.db import connection

    from corridor.aid.services import rollups_rebuild
    from corridor.exchange.services import file_import

    call_command("migrate", verbosity=0)
    org, townships = import_hxl.prepare()
    by_name = {name: pcode for pcode, name in townships}
    folder = Path(tempfile.mkdtemp(prefix="corridor-bench-file-"))
    old = folder / "old.csv"
    import_hxl.generate(old, args.rows, townships)
    import_hxl.clear()
    import_hxl.run_best(old, org, by_name)
    rollups_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    new = folder / "new.csv"
    rng = random.Random(7)
    with new.open("w", encoding="utf-8", newline="") as out:
        out.write("Id,Organisation,Sector,Modality,Township p-code,Month,Women,Men\r\n")
        out.write("#meta+id,#org+name,#sector,#modality,#adm3+code,#date+reported,")
        out.write("#reached+f+adults,#reached+m+adults\r\n")
        for n in range(args.new):
            pcode, _name = rng.choice(townships)
            out.write(f"N{n},Bench Org,health,cash,{pcode},2025-06,{1 + n % 50},{n % 30}\r\n")
    print(
        f"{connection.vendor}: {args.rows:,} rows over 48 months, then {args.new:,} rows for "
        f"a new month; load average {import_hxl.load()}",
        file=sys.stderr,
    )
    cpu, started = time.process_time(), time.perf_counter()
    result = file_import(by=None, path=new, organisation=org)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.ok, result.errors[:3]
    assert result.created == args.new, result.created
    print(
        f"new month: {wall:.1f} s wall, {cpu:.2f} s CPU ({args.new / wall:,.0f} rows/s); "
        f"load average {import_hxl.load()}",
        file=sys.stderr,
    )
    import_hxl.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
