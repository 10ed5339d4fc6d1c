"""`corridor gaps`: the gap table for one month, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from corridor.cli import django_env

NAME = "gaps"
HELP = "people in need against people reached, per township and sector, for one month"
COLUMNS = [
    "pcode",
    "township",
    "sector",
    "idps",
    "people_in_need",
    "need",
    "people_reached",
    "organisations",
    "coverage",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="month to analyse")
    parser.add_argument("--sector", help="one sector code (e.g. food_security)")
    parser.add_argument("--state", metavar="PCODE", help="one state/region p-code (e.g. MMR005)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the table as one JSON object")
    out.add_argument("--csv", action="store_true", help="print every row as CSV")
    parser.add_argument("--limit", type=int, default=30, help="rows in the plain table (30)")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.gaps.queries import gap_table

    table = gap_table(args.month, sector=args.sector, state=args.state)
    if args.json:
        print(json.dumps(table.as_dict(), ensure_ascii=False, indent=2))
        return 0
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["month", *COLUMNS])
        month = table.month.strftime("%Y-%m")
        for row in table.rows:
            writer.writerow([month, *(getattr(row, c) for c in COLUMNS)])
        return 0

    from rich.console import Console
    from rich.table import Table

    console = Console()
    shown = Table(*COLUMNS, title=f"Gaps {table.month:%Y-%m}")
    for row in table.rows[: args.limit]:
        shown.add_row(*("" if getattr(row, c) is None else str(getattr(row, c)) for c in COLUMNS))
    console.print(shown)
    console.print(f"{len(table.rows)} rows; worst-covered townships:")
    for item in table.ranking[:10]:
        console.print(f"  {item.pcode} {item.township}: {item.coverage:.1%} of {item.need}")
    return 0
