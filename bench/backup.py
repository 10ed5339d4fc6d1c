"""`corridor backup` of a filled instance: time, CPU and resident memory (issue 18 §5, wave 10).

Fills an instance with ``--activities`` activity rows (the raw insert of bench/gaps.py: 300
organisations, every township, 60 months, and a displacement figure per township and month),
builds the rollups, then runs ``corridor backup FILE`` and ``corridor backup --check FILE`` as
child processes. For each child: wall time, CPU time and peak resident memory (``wait4``'s
``ru_maxrss`` of that child), and its resident memory sampled from /proc every 0.25 s, printed
at each quarter of its run, so memory that grows with the rows written shows as a rising
series. The load average is printed beside each figure.

"Before" and "after" on the same data: ``--pythonpath DIR`` runs the children with
``PYTHONPATH=DIR`` (an exported ``src`` of another version); ``--reuse`` skips the fill when
the instance already holds activities (same CORRIDOR_HOME, or the same PostgreSQL database).

Run (SQLite, the instance is kept in the given folder):
    CORRIDOR_HOME=/tmp/w10_hub/b1m nice -n 10 .venv/bin/python bench/backup.py --activities 1000000
    CORRIDOR_HOME=/tmp/w10_hub/b1m nice -n 10 .venv/bin/python bench/backup.py --reuse \\
        --pythonpath /tmp/w10_hub/base/src
Run (PostgreSQL: the database is created when it is filled):
    CORRIDOR_HOME=... CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/w10_hub_bench \\
        nice -n 10 .venv/bin/python bench/backup.py --activities 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

CORRIDOR = str(Path(sys.executable).with_name("corridor"))
PASSPHRASE = "bench backup passphrase"  # noqa: S105 (a throwaway backup)


def load_average() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def child(command: list[str], env: dict[str, str]) -> dict:
    """Run ``command``; its wall and CPU seconds, peak RSS and RSS samples over time."""
    samples: list[tuple[float, float]] = []
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            value = rss_mb(process.pid)
            if value is not None:
                samples.append((time.perf_counter() - started, value))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode()[-3000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak": usage.ru_maxrss / 1024,
        "samples": samples,
        "out": out.decode().strip().splitlines()[-1:],
    }


def quarters(samples: list[tuple[float, float]], wall: float) -> str:
    """The RSS sampled nearest to 25, 50, 75 and 100 % of the run."""
    marks = []
    for share in (0.25, 0.5, 0.75, 1.0):
        before = [mb for at, mb in samples if at <= share * wall]
        marks.append(f"{before[-1]:,.0f}" if before else "-")
    return " / ".join(marks)


def fill(activities: int) -> None:
    import gaps
    from django.db import connection

    from corridor.aid.services import rollups_rebuild

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        gaps.load(activities, 18, Path(folder))
    rollups_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"filled: {activities:,} activities in {time.perf_counter() - started:,.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the instance's rows")
    parser.add_argument("--pythonpath", help="run the children with this PYTHONPATH")
    parser.add_argument("--no-check", action="store_true", help="skip `corridor backup --check`")
    args = parser.parse_args()
    if "CORRIDOR_HOME" not in os.environ:
        raise SystemExit("set CORRIDOR_HOME (the instance folder, kept for --reuse)")
    url = os.environ.get("CORRIDOR_DATABASE_URL", "")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    if url.startswith("postgres") and not args.reuse:
        import gaps

        gaps.ensure_pg_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from corridor.aid.models import Activity

    call_command("migrate", verbosity=0)
    have = Activity.objects.count()
    if not (args.reuse and have):
        fill(args.activities)
        have = Activity.objects.count()
    connection.close()

    env = {**os.environ, "CORRIDOR_BACKUP_PASSPHRASE": PASSPHRASE}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    code = args.pythonpath or "this tree"
    print(f"{connection.vendor}: {have:,} activities; code: {code}; load average {load_average()}")
    file = Path(tempfile.mkdtemp(prefix="corridor-bench-backup-")) / "bench.backup"
    try:
        runs = [("backup", [CORRIDOR, "backup", str(file)])]
        if not args.no_check:
            runs.append(("backup --check", [CORRIDOR, "backup", "--check", str(file)]))
        for name, command in runs:
            result = child(command, env)
            print(
                f"corridor {name}: {result['wall']:,.1f} s wall, {result['cpu']:,.1f} s CPU, "
                f"peak RSS {result['peak']:,.0f} MB; RSS at 25/50/75/100 % of the run "
                f"{quarters(result['samples'], result['wall'])} MB; file "
                f"{file.stat().st_size / 2**20:,.1f} MB; load average {load_average()}"
            )
            print(f"  {' '.join(result['out'])}")
    finally:
        file.unlink(missing_ok=True)
        file.parent.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
