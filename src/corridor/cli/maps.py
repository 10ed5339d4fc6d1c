"""`corridor maps`: saved column mappings — list them, show one, export one as editable JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corridor.cli import django_env

NAME = "maps"
HELP = "list, show and export saved column mappings (corridor import --map)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="every saved mapping: name, kind, columns mapped, saved by")
    show = sub.add_parser("show", help="one mapping, column by column")
    show.add_argument("name")
    export = sub.add_parser(
        "export", help="one mapping as JSON to edit and pass back with --map FILE"
    )
    export.add_argument("name")
    export.add_argument("--output", "-o", type=Path, metavar="FILE", help="default: stdout")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.exchange.mapping.queries import saved_mapping_named, saved_mappings_visible_to

    if args.action == "list":
        saved = list(saved_mappings_visible_to(None).select_related("created_by"))
        if not saved:
            print(
                "no saved mappings (save one with corridor import FILE --map auto --save-map NAME)"
            )
        for entry in saved:
            mapped = sum(1 for c in entry.spec.get("columns", []) if c.get("field"))
            who = entry.created_by.username if entry.created_by else "operator (CLI)"
            print(
                f"{entry.name}\t{entry.kind}\t{mapped} of {len(entry.headers)} columns\t"
                f"{who}\t{entry.updated_at:%Y-%m-%d}"
            )
        return 0
    mapping = saved_mapping_named(args.name, by=None)
    if args.action == "show":
        print(mapping.name)
        for line in mapping.describe():
            print(line)
        return 0
    text = json.dumps(mapping.to_json(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"{args.output}: mapping {mapping.name!r} written", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
