"""The import pipeline's CPU time (all threads) on bench/import_hxl.py's file, for comparing two
trees on a busy machine, where wall time says more about the neighbours than about the code.

    PYTHONPATH=TREE/src .venv/bin/python bench/import_cpu.py TREE --rows 50000 --repeat 3

TREE is a checkout (its ``src`` and ``bench/import_hxl.py`` are used); see bench/README.md,
"Exchange: pipeline by name".
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-bench-"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location(
        "import_hxl", args.tree / "bench" / "import_hxl.py"
    )
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    from corridor.cli import django_env

    django_env.setup()
    from django.core.management import call_command

    import corridor

    call_command("migrate", verbosity=0)
    org, townships = bench.prepare()
    folder = Path(tempfile.mkdtemp(prefix="corridor-bench-file-"))
    path, warm = folder / "4w.csv", folder / "warm.csv"
    bench.generate(path, args.rows, townships)
    bench.generate(warm, 10, townships)
    bench.run_pipeline(warm, org, False)  # modules imported on first use are not timed
    walls, cpus = [], []
    for _ in range(args.repeat):
        bench.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        bench.run_pipeline(path, org, False)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    print(
        f"{Path(corridor.__file__).parent}: {args.rows:,} rows; pipeline wall "
        + ", ".join(f"{w:.1f}" for w in walls)
        + " s; CPU "
        + ", ".join(f"{c:.1f}" for c in cpus)
        + f" s; best {args.rows / min(cpus):,.0f} rows per CPU second"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
