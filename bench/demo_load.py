"""How long `corridor load-demo` takes: a first load into an empty instance, then a reload.

Run (SQLite):      .venv/bin/python bench/demo_load.py
Run (PostgreSQL):  CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench_demo \
    .venv/bin/python bench/demo_load.py
Uses the real CLI in a fresh instance folder; on PostgreSQL the database must exist and be empty
(`createdb -h 127.0.0.1 -U postgres corridor_bench_demo`, `dropdb` it afterwards).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORRIDOR = str(Path(sys.executable).with_name("corridor"))


def run(home: str, *args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([CORRIDOR, "--home", home, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    env = {**os.environ, "CORRIDOR_ADMIN_PASSWORD": "a long bench passphrase 9"}
    with tempfile.TemporaryDirectory() as home:
        run(home, "init", "--no-input", "--admin-username", "bench", env=env)
        baseline = run(home, "status", env=env)
        first = run(home, "load-demo", env=env)
        second = run(home, "load-demo", env=env)
    engine = "PostgreSQL" if os.environ.get("CORRIDOR_DATABASE_URL") else "SQLite"
    print(
        f"{engine}: first load {first:.1f} s, reload {second:.1f} s "
        f"(process start-up and Django set-up alone: {baseline:.1f} s)"
    )


if __name__ == "__main__":
    main()
