"""`corridor gaps`: the gap table for one month, as a table, JSON or CSV.

By default it prints the table as it may be shared (gaps/shared.py: counts through the
disclosure gate, months up to the publication cutoff), like /gaps.csv. ``--internal`` prints
the whole table unsuppressed, for the operator, and says so in what it prints.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from dataclasses import asdict
from typing import Any

from corridor.cli import django_env

NAME = "gaps"
HELP = "people in need against people reached, per township and sector, for one month"
#: The registered outputs this command writes (docs/security/disclosure.md).
OUTPUTS = ("gaps.shared_gap_table", "gaps.gap_table")
#: The columns of the plain table, CSV and JSON: the shared file's, without the Burmese name,
#: the state and the need's period (one home: gaps/shared.py SHARED_COLUMNS).
LEFT_OUT = ("township_my", "state_pcode", "need_period")
INTERNAL_NOTE = "internal: counts are not suppressed; not for sharing outside the organisation"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="month to analyse")
    parser.add_argument("--sector", help="one sector code (e.g. food_security)")
    parser.add_argument("--state", metavar="PCODE", help="one state/region p-code (e.g. MMR005)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the table as one JSON object")
    out.add_argument("--csv", action="store_true", help="print every row as CSV")
    parser.add_argument("--limit", type=int, default=30, help="rows in the plain table (30)")
    parser.add_argument(
        "--internal",
        action="store_true",
        help="the whole table with small counts shown and months up to now (not for sharing)",
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _cells(row: Any, columns: list[str], internal: bool) -> list[Any]:
    if internal:
        return ["" if getattr(row, c) is None else getattr(row, c) for c in columns]
    return row.shown(columns)


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from django.utils import timezone

    from corridor.disclosure import suppressed_legend
    from corridor.gaps.queries import gap_table
    from corridor.gaps.shared import SHARED_COLUMNS, shared_gap_table

    columns = [c for c in SHARED_COLUMNS if c not in LEFT_OUT]

    if args.internal:
        table: Any = gap_table(args.month, sector=args.sector, state=args.state)
        notes = [INTERNAL_NOTE]
    else:
        table = shared_gap_table(
            args.month, today=timezone.localdate(), sector=args.sector, state=args.state
        )
        notes = [
            suppressed_legend(table.k),
            f"shared: data up to {table.cutoff:%Y-%m-%d} (the publication cutoff)",
        ]

    month = table.month.strftime("%Y-%m")
    if args.json:
        data = {
            "month": month,
            "sector": table.sector,
            "state": table.state,
            "audience": "internal" if args.internal else "shared",
            "notes": notes,
            "rows": [{k: _plain(v) for k, v in asdict(row).items()} for row in table.rows],
            "ranking": [asdict(item) for item in table.ranking],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["month", *columns])
        for row in table.rows:
            writer.writerow([month, *_cells(row, columns, args.internal)])
        writer.writerows([note] for note in notes)
        return 0

    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = f"Gaps {month}" + (" (INTERNAL)" if args.internal else " (shared)")
    shown_table = Table(*columns, title=title)
    for row in table.rows[: args.limit]:
        shown_table.add_row(*(str(v) for v in _cells(row, columns, args.internal)))
    console.print(shown_table)
    console.print(f"{len(table.rows)} rows; worst-covered townships:")
    for item in table.ranking[:10]:
        console.print(f"  {item.pcode} {item.township}: {item.coverage:.1%} of {item.need}")
    for note in notes:
        console.print(note, markup=False)
    return 0
