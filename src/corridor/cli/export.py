"""`corridor export hxl|iati`: HXL CSV tables or an organisation's IATI activity file.

See docs/exchange.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corridor.cli import django_env

NAME = "export"
HELP = "export HXL CSV (public labels by default; --internal for a lossless copy) or IATI XML"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=["hxl", "iati"], help="file format")
    parser.add_argument(
        "--kind", choices=["activities", "figures", "incidents"], help="table (hxl; required)"
    )
    parser.add_argument(
        "--org", metavar="NAME|ID", help="only this organisation's rows (iati: required)"
    )
    parser.add_argument(
        "--internal",
        action="store_true",
        help="hxl: keep record ids, real names and exact coordinates (imports back losslessly)",
    )
    parser.add_argument(
        "--identifier",
        metavar="IATI-ORG-ID",
        help="iati: the organisation's IATI organisation identifier (public organisations only)",
    )
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.core.errors import InvalidInput
    from corridor.exchange.services import hxl_export, iati_export, organisation_find

    if args.format == "iati":
        if not args.org:
            raise InvalidInput("corridor export iati needs --org (whose activities to export)")
        if args.kind or args.internal:
            raise InvalidInput("--kind and --internal are for hxl; iati exports are always public")
        organisation = organisation_find(args.org)
        if args.output:
            with args.output.open("wb") as out:
                counts = iati_export(
                    by=None, organisation=organisation, out=out, identifier=args.identifier
                )
            print(
                f"{counts['activities']} activities and {counts['transactions']} transactions "
                f"written to {args.output}",
                file=sys.stderr,
            )
        else:
            iati_export(
                by=None,
                organisation=organisation,
                out=sys.stdout.buffer,
                identifier=args.identifier,
            )
            sys.stdout.buffer.flush()
        return 0

    if not args.kind:
        raise InvalidInput("corridor export hxl needs --kind activities|figures|incidents")
    if args.identifier:
        raise InvalidInput("--identifier is for iati")
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
