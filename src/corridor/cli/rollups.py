"""`corridor rollups rebuild`: recompute the monthly reach rollups from the activity rows.

Every write keeps the rollups exact (decision 0225); rebuild them after rows were written past
Corridor (an SQL restore, a hand edit) or when an upgrade changes what they count. It prints
the rows each rollup holds.
"""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "rollups"
HELP = "rebuild the monthly reach rollups the gap table reads"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="rollups_command", metavar="ACTION", required=True)
    sub.add_parser("rebuild", help="recompute every rollup from the activity rows")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.aid.services import rollups_rebuild

    for name, rows in rollups_rebuild().items():
        print(f"{name}: {rows:,} rows")
    return 0
