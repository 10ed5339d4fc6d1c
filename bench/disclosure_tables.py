"""How long publish_table takes on township x month tables.

Run: CORRIDOR_HOME=$(mktemp -d) .venv/bin/python bench/disclosure_tables.py
"""

import os
import random
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
django.setup()

from corridor.disclosure import publish_table  # noqa: E402 — needs Django set up first

SPARSE = [0, 0, 0, 1, 2, 3, 4, 6, 10, 30]  # 40 % of cells between 1 and 4
DENSE = [0, 2, 8, 15, 25, 40, 60, 90, 150, 300]  # 10 % below 5


def run(n_rows, n_columns, values, *, cumulative):
    rng = random.Random(1)
    rows = [f"T{i:03d}" for i in range(n_rows)]
    columns = [f"M{j:02d}" for j in range(n_columns)]
    groups = {r: f"S{i % 15:02d}" for i, r in enumerate(rows)}
    counts = {(r, c): rng.choice(values) for r in rows for c in columns}
    start = time.perf_counter()
    table = publish_table(
        counts, rows=rows, columns=columns, groups=groups, cumulative=cumulative, k=5
    )
    seconds = time.perf_counter() - start
    cells = [f for f in table.values if f.kind == "cell"]
    hidden = sum(table.values[f] is None for f in cells)
    print(
        f"{n_rows:>4} x {n_columns:<3} {'sparse' if values is SPARSE else 'dense ':6} "
        f"running={'yes' if cumulative else 'no ':3}  {seconds:6.2f} s  "
        f"cells hidden {hidden}/{len(cells)}  figures hidden {len(table.suppressed)}/"
        f"{len(table.values)}  grand total {'hidden' if table.total() is None else 'shown'}"
    )


if __name__ == "__main__":
    for values in (DENSE, SPARSE):
        for cumulative in (False, True):
            run(300, 60, values, cumulative=cumulative)
