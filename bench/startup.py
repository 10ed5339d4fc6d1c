"""How long `corridor --help` and `corridor status` take to start (issue 18 §6).

Targets: `corridor --help` <= 0.3 s and `corridor status` <= 1 s. Each command runs as a person
runs it (the installed entry point, a new process each time) against a throwaway instance made
with `corridor init` (SQLite, or the database in CORRIDOR_DATABASE_URL). Prints the median and
slowest wall time of N runs, and the median CPU time (user + system), which a busy shared
machine inflates less than the wall time; `python -c pass` is timed the same way as the floor.

Run:  nice -n 10 .venv/bin/python bench/startup.py            (SQLite, about 20 s)
      CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench_startup \\
          nice -n 10 .venv/bin/python bench/startup.py --repeat 7   (create the empty db first)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORRIDOR = str(Path(sys.executable).with_name("corridor"))
TARGETS = {"--help": 0.3, "status": 1.0}
BEFORE = (
    "import sys\n{pre}\n"
    "from corridor.cli.main import main\n"
    "try:\n    sys.exit(main([{arg!r}]))\nexcept SystemExit:\n    pass"
)

# django-ninja and pydantic loaded as "ninja" in INSTALLED_APPS loaded them.
WITH_NINJA = "from corridor.cli import django_env\ndjango_env.setup()\nimport ninja"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``command`` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "CORRIDOR_HOME": home}
        subprocess.run(
            [CORRIDOR, "init", "--no-input", "--admin-username", "admin"],
            env={**env, "CORRIDOR_ADMIN_PASSWORD": "a long bench passphrase 7"},
            check=True,
            capture_output=True,
        )
        database = "PostgreSQL" if env.get("CORRIDOR_DATABASE_URL") else "SQLite"
        print(f"start-up, {args.repeat} runs each, {database}, load {os.getloadavg()[0]:.1f}")
        print(f"{'command':<22} {'median':>8} {'slowest':>8} {'CPU':>8} {'target':>8}")
        rows = [("python -c pass", [sys.executable, "-c", "pass"], None, env)]
        rows += [(f"corridor {name}", [CORRIDOR, name], TARGETS[name], env) for name in TARGETS]
        # The same run, as things were before issue 18 §6 (for the ratio): Django imported by the
        # parser, django-ninja and pydantic by django.setup(), and no bytecode to read (an empty
        # cache folder and no writing: what a fresh or read-only install without compiled files
        # does on every run).
        no_bytecode = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty}
        rows += [
            (
                "--help importing Django",
                [
                    sys.executable,
                    "-c",
                    BEFORE.format(pre="import django.db.migrations.executor", arg="--help"),
                ],
                None,
                env,
            ),
            (
                "status importing ninja",
                [sys.executable, "-c", BEFORE.format(pre=WITH_NINJA, arg="status")],
                None,
                env,
            ),
            ("--help, no bytecode", [CORRIDOR, "--help"], None, no_bytecode),
            ("status, no bytecode", [CORRIDOR, "status"], None, no_bytecode),
        ]
        failed = False
        for label, command, target, run_env in rows:
            timed(command, run_env)  # warm the file cache
            runs = [timed(command, run_env) for _ in range(args.repeat)]
            walls = [wall for wall, _ in runs]
            median = statistics.median(walls)
            cpu = statistics.median(cpu for _, cpu in runs)
            verdict = ""
            if target is not None:
                verdict = f"{target:>7.1f}s {'ok' if median <= target else 'OVER'}"
            failed |= target is not None and median > target
            print(f"{label:<22} {median:>7.2f}s {max(walls):>7.2f}s {cpu:>7.2f}s {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
