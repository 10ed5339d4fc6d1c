"""`corridor orgs import FILE`: create organisations in bulk from a CSV or XLSX table."""

from __future__ import annotations

import argparse
from pathlib import Path

from corridor.cli import django_env
from corridor.cli.acting import acting_user

NAME = "orgs"
HELP = "create organisations in bulk from a table (name, acronym, type, country, public)"
SHOWN_ERRORS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    command = sub.add_parser(
        "import",
        help="create the organisations a CSV/XLSX lists (all or nothing; known names are kept)",
        description="Create the organisations a CSV/XLSX lists: columns name, acronym, type, "
        "country, public (yes/no), alias. All or nothing; names already in Corridor are left "
        "as they are, so the same file twice creates nothing. Not public unless public=yes.",
    )
    command.add_argument("file", type=Path, help="CSV or XLSX file")
    command.add_argument("--dry-run", action="store_true", help="check and report; create nothing")
    command.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="create them as this person (a coordinator or admin); default: the operator",
    )


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.core.errors import InvalidInput
    from corridor.exchange.organisations import organisations_import

    path: Path = args.file
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    by = acting_user(args.as_user)
    result = organisations_import(by=by, path=path, dry_run=args.dry_run)
    print(f"{result.file}: {result.rows} organisations listed")
    if not result.ok:
        for error in result.errors[:SHOWN_ERRORS]:
            print(f"  {error.line()}")
        if len(result.errors) > SHOWN_ERRORS:
            print(f"  ... and {len(result.errors) - SHOWN_ERRORS} more")
        print(f"refused: {len(result.errors)} errors, no organisation created")
        return 1
    verb = "would be created (dry run)" if result.dry_run else "created"
    print(f"{len(result.created)} {verb}, {len(result.existing)} already in Corridor")
    for name in result.created:
        print(f"  {'to create' if result.dry_run else 'created'}: {name}")
    return 0
