"""`corridor export hxl`: write activities, figures or incidents as HXL CSV (docs/exchange.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corridor.cli import django_env

NAME = "export"
HELP = "export a table as HXL CSV (public labels by default; --internal for a lossless copy)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=["hxl"], help="file format")
    parser.add_argument("--kind", required=True, choices=["activities", "figures", "incidents"])
    parser.add_argument("--org", metavar="NAME|ID", help="only this organisation's rows")
    parser.add_argument(
        "--internal",
        action="store_true",
        help="keep record ids, real names and exact coordinates (imports back losslessly)",
    )
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.exchange.services import hxl_export, organisation_find

    organisation = organisation_find(args.org) if args.org else None
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            count = hxl_export(
                by=None,
                kind=args.kind,
                out=out,
                organisation=organisation,
                public=not args.internal,
            )
        print(f"{count} rows written to {args.output}", file=sys.stderr)
    else:
        hxl_export(
            by=None,
            kind=args.kind,
            out=sys.stdout,
            organisation=organisation,
            public=not args.internal,
        )
    return 0
