"""CPU time of ``gap_table(month)`` in this process, on an instance ``bench/gaps.py --keep`` built.

Nothing is loaded or rebuilt: the script times the calls only, so that two versions of the code
can be measured one after the other on the same data within a minute (the "before" one through
``PYTHONPATH=<exported src>``). It prints the median and fastest process CPU time
(``time.process_time``: on SQLite it includes SQLite's own work, on PostgreSQL only the client's)
and the wall median, with the load average beside them.

    CORRIDOR_HOME=<the bench's home> .venv/bin/python bench/gap_table_cpu.py --calls 15
    PYTHONPATH=/tmp/base/src CORRIDOR_HOME=<home> .venv/bin/python bench/gap_table_cpu.py
(add CORRIDOR_DATABASE_URL=… for the PostgreSQL instance.)
"""

import argparse
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=15)
    parser.add_argument("--month", default="2024-12")
    args = parser.parse_args()
    django.setup()
    from corridor.gaps.queries import gap_table, month_start

    month = month_start(args.month)
    # The first call of the process (nothing is kept between calls, but Django's and the
    # database's caches are cold), then one more to warm them the way a running server has them.
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    gap_table(month)
    first_cpu, first_wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
    gap_table(month)
    cpu, wall = [], []
    for _ in range(args.calls):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        gap_table(month)
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - wall_start)
    import corridor

    print(
        f"{os.path.dirname(corridor.__file__)}: gap_table({month:%Y-%m}) CPU median "
        f"{statistics.median(cpu) * 1000:.1f} ms, fastest {min(cpu) * 1000:.1f} ms; wall median "
        f"{statistics.median(wall) * 1000:.1f} ms; first call CPU {first_cpu * 1000:.1f} ms, "
        f"wall {first_wall * 1000:.1f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
