"""`corridor export hxl|iati|xlsform`: HXL tables, an organisation's IATI file, field forms.

See docs/exchange.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corridor.cli import django_env

NAME = "export"
HELP = (
    "export HXL CSV (tables for sharing by default; --internal for the records, a lossless "
    "copy), IATI XML, or an XLSForm field form"
)
#: The registered outputs this command writes (docs/security/disclosure.md).
OUTPUTS = (
    "exchange.hxl_export_shared",
    "exchange.hxl_export_internal",
    "exchange.iati_export",
    "exchange.xlsform_export",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=["hxl", "iati", "xlsform"], help="file format")
    parser.add_argument(
        "--kind", choices=["activities", "figures", "incidents"], help="table (hxl; required)"
    )
    parser.add_argument(
        "--org", metavar="NAME|ID", help="only this organisation's rows (iati: required)"
    )
    parser.add_argument(
        "--internal",
        action="store_true",
        help=(
            "hxl: the records themselves, with ids, real names and exact coordinates (imports "
            "back losslessly; not for sharing). Without it: counts per township and month, "
            "suppressed below k"
        ),
    )
    parser.add_argument(
        "--identifier",
        metavar="IATI-ORG-ID",
        help="iati: the organisation's IATI organisation identifier (public organisations only)",
    )
    parser.add_argument(
        "--form", choices=["activity", "displacement"], help="xlsform: which field form"
    )
    parser.add_argument(
        "--xform",
        action="store_true",
        help="xlsform: also write the XForm (ODK XML) converted by pyxform, as OUTPUT.xml",
    )
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.core.errors import InvalidInput
    from corridor.exchange.services import (
        hxl_export_internal,
        hxl_export_shared,
        iati_export,
        organisation_find,
    )

    if args.format == "xlsform":
        return _xlsform(args)
    if args.form or args.xform:
        raise InvalidInput("--form and --xform are for xlsform")
    if args.format == "iati":
        if not args.org:
            raise InvalidInput("corridor export iati needs --org (whose activities to export)")
        if args.kind or args.internal:
            raise InvalidInput("--kind and --internal are for hxl; iati exports are always public")
        organisation = organisation_find(args.org, by=None)
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
    chosen = organisation_find(args.org, by=None) if args.org else None
    export = hxl_export_internal if args.internal else hxl_export_shared
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            count = export(by=None, kind=args.kind, out=out, organisation=chosen)
        print(f"{count} rows written to {args.output}", file=sys.stderr)
    else:
        export(by=None, kind=args.kind, out=sys.stdout, organisation=chosen)
    return 0


def _xlsform(args: argparse.Namespace) -> int:
    # Called from run(), after django_env.setup().
    from corridor.core.errors import InvalidInput
    from corridor.exchange.formats import xlsform
    from corridor.exchange.services import xlsform_export

    if not args.form or not args.output:
        raise InvalidInput("corridor export xlsform needs --form activity|displacement and -o FILE")
    if args.org or args.kind or args.internal or args.identifier:
        raise InvalidInput("--org, --kind, --internal and --identifier are not for xlsform")
    data = xlsform_export(form=args.form)
    args.output.write_bytes(data)
    print(f"XLSForm written to {args.output}", file=sys.stderr)
    if args.xform:
        target = args.output.with_suffix(".xml")
        target.write_text(xlsform.xform(data), encoding="utf-8")
        print(f"XForm written to {target}", file=sys.stderr)
    return 0
