"""What a CLI test pays for an initialised instance: a real `corridor init` against a copy of
one (``Instance.init_copied``, decision 0371).

Alternates the two, N times each, on the test lane's database (SQLite, or a fresh database on
the server in CORRIDOR_DATABASE_URL, as ``cli_instance`` makes them). The template costs one
real init first and is not counted. Prints the median wall time and the median CPU time (user +
system) of this process and its children; the PostgreSQL server's own CPU is not included.

Run:  nice -n 10 .venv/bin/python bench/init_copied.py                 (SQLite)
      CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench \\
          nice -n 10 .venv/bin/python bench/init_copied.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from corridor.testing.cli import InstanceTemplates, throwaway_instance

ARGS = ("--no-input", "--admin-username", "admin")
ENV = {"CORRIDOR_ADMIN_PASSWORD": "a long admin passphrase 7"}


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(root: Path, templates: InstanceTemplates, copied: bool) -> tuple[float, float]:
    home = Path(tempfile.mkdtemp(dir=root)) / "instance"
    with throwaway_instance(home, templates=templates) as instance:
        wall, used = time.perf_counter(), cpu()
        if copied:
            done = instance.init_copied(*ARGS, env=ENV)
        else:
            done = instance.run("init", *ARGS, env=ENV, timeout=300)
        took = time.perf_counter() - wall, cpu() - used
        assert done.returncode == 0, done.stderr
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    engine = "PostgreSQL" if os.environ.get("CORRIDOR_DATABASE_URL") else "SQLite"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        templates = InstanceTemplates(root)
        try:
            timed(root, templates, copied=True)  # makes the template
            runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
            for _ in range(repeat):
                for copied in (False, True):
                    runs[copied].append(timed(root, templates, copied))
        finally:
            templates.close()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{engine}, {repeat} runs each, load average {load}")
    for copied, label in ((False, "corridor init"), (True, "init_copied")):
        wall = statistics.median(w for w, _ in runs[copied])
        used = statistics.median(c for _, c in runs[copied])
        print(f"  {label:14} median wall {wall:6.2f} s   median CPU {used:5.2f} s")


if __name__ == "__main__":
    main()
