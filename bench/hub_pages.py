"""The township page and the activity list on a kept hub (issue 18 §5, decision 0380).

Run on a database ``bench/hub10m.py --keep`` built (PostgreSQL), once with this checkout's
code and once with another's (``--pythonpath``, e.g. main exported), and compare:

    CORRIDOR_HOME=... CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/HUB \\
        nice -n 10 .venv/bin/python bench/hub_pages.py
    ... bench/hub_pages.py --pythonpath /tmp/base/src

For each page (the busiest township's page, and the activity list), signed in as a
coordinator through Django's test client: the first request, then the median of
``--repeat`` requests of the wall time and of this process's CPU time, of the SQL statements
in all, and of those that read ``aid_activity`` (how many, and their time as Django measures it:
the database server's work, which the CPU figure leaves out). The load average is printed
at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bench folder: hub10m
from hub10m import busiest_township, load_average


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pythonpath", help="run another checkout's src (e.g. main exported)")
    args = parser.parse_args()
    if args.pythonpath:
        sys.path.insert(0, args.pythonpath)
    if not os.environ.get("CORRIDOR_DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set CORRIDOR_DATABASE_URL to a hub built by bench/hub10m.py --keep")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import corridor
    from corridor.accounts.models import GlobalRole, User
    from corridor.aid.models import Activity
    from corridor.testing.signin import signed_in_client

    print(f"code: {os.path.dirname(corridor.__file__)}")
    print(f"load average at start: {load_average()}")
    print(f"activities: {Activity.objects.count():,}")
    user = User.objects.filter(username="hub-coordinator").first() or User.objects.create_user(
        username="hub-coordinator", password=None, global_role=GlobalRole.COORDINATOR
    )
    client = signed_in_client(user)
    busiest = busiest_township()
    here = Activity.objects.filter(admin_unit_id=busiest).count()
    pages = [
        (f"township {busiest} ({here:,} rows there)", f"/townships/{busiest}/"),
        ("activity list", "/activities/"),
        ("activity list, page 2 of one month", "/activities/?month=2026-10&page=2"),
    ]
    for label, address in pages:
        walls, cpus, sql, reads, statements = [], [], [], [], []
        for n in range(args.repeat + 1):
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(address, HTTP_HOST="127.0.0.1")
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if response.status_code != 200:
                raise SystemExit(f"{address} answered {response.status_code}")
            activity = [q for q in queries.captured_queries if '"aid_activity"' in q["sql"]]
            if n == 0:
                print(f"{label}: first request {wall * 1000:,.0f} ms")
                continue
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
            reads.append(len(activity))
            statements.append(len(queries.captured_queries))
            sql.append(sum(float(q["time"]) for q in activity) * 1000)
        print(
            f"{label}: median of {args.repeat}: {statistics.median(walls):,.0f} ms wall, "
            f"{statistics.median(cpus):,.0f} ms CPU; {statistics.median(statements):.0f} SQL "
            f"statements, {statistics.median(reads):.0f} of them reading aid_activity, "
            f"{statistics.median(sql):,.0f} ms"
        )
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
