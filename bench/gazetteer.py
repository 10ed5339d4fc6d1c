"""Resolve 100,000 place names (mixed exact / variant / fuzzy) and report the time.

Target: under 10 s on the shared development machine (issue 3). Run:
    .venv/bin/python bench/gazetteer.py [--count N] [--seed S]
The resolver is built from the shipped data files (the same index `Resolver.from_database`
builds), so no database is needed.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections import Counter
from pathlib import Path

from myanmar import converter

from corridor.geo.resolver import Resolver, Unit, read_alias_file

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "src/corridor/geo/data/admin_units.csv"
VARIANTS = ROOT / "src/corridor/geo/tests/data/variants.csv"
LETTERS = "abcdefghiklmnoprstuwy"


def typo(rng: random.Random, name: str) -> str:
    """One edit: drop, double, swap or change a letter, as hurried typing does."""
    if len(name) < 4:
        return name + rng.choice(LETTERS)
    i = rng.randrange(1, len(name) - 1)
    match rng.randrange(4):
        case 0:
            return name[:i] + name[i + 1 :]
        case 1:
            return name[:i] + name[i] + name[i:]
        case 2:
            return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
        case _:
            return name[:i] + rng.choice(LETTERS) + name[i + 1 :]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    started = time.perf_counter()
    with UNITS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    units = [
        Unit(r["pcode"], int(r["level"]), r["parent_pcode"] or None, r["name_en"], r["name_my"])
        for r in rows
    ]
    resolver = Resolver(units, read_alias_file())
    built = time.perf_counter() - started

    townships = [u for u in units if u.level == 3]
    with VARIANTS.open(encoding="utf-8") as handle:
        variants = [r["variant"] for r in csv.DictReader(x for x in handle if x[0] != "#")]
    exact = (
        [u.name_en for u in units]
        + [f"{u.name_en} Township" for u in townships]
        + [u.name_my for u in units if u.name_my]
        + [u.pcode for u in units]
    )
    zawgyi = [converter.convert(u.name_my, "unicode", "zawgyi") for u in townships if u.name_my]
    names: list[str] = []
    for _ in range(args.count):
        roll = rng.random()
        if roll < 0.5:
            names.append(rng.choice(exact))
        elif roll < 0.65:
            names.append(rng.choice(variants))
        elif roll < 0.75:
            names.append(rng.choice(zawgyi))
        else:
            names.append(typo(rng, rng.choice(townships).name_en))

    started = time.perf_counter()
    outcome: Counter[str] = Counter()
    for name in names:
        result = resolver.resolve(name)
        outcome[f"{result.status}/{result.method}"] += 1
    elapsed = time.perf_counter() - started
    print(f"built resolver in {built:.2f} s")
    print(f"resolved {len(names):,} names in {elapsed:.2f} s ({len(names) / elapsed:,.0f}/s)")
    print(f"distinct names: {len(set(names)):,}")
    for key, count in sorted(outcome.items()):
        print(f"  {key:<22} {count:>7,}")


if __name__ == "__main__":
    main()
