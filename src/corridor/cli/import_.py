"""`corridor import FILE`: bring an HXL, ACLED or KoBo file into Corridor (docs/exchange.md)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from corridor.cli import django_env

NAME = "import"
HELP = "import an HXL, ACLED-style or KoBo/ODK file (all-or-nothing; --dry-run to check only)"
SHOWN_ERRORS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV, XLSX or JSON file")
    parser.add_argument(
        "--format",
        choices=["hxl", "acled", "kobo-csv", "kobo-json"],
        help="file format (default: told from the file)",
    )
    parser.add_argument(
        "--kind",
        choices=["activities", "figures", "incidents"],
        help="what the rows are (default: told from the columns)",
    )
    parser.add_argument(
        "--org",
        metavar="NAME|ID",
        help="organisation the rows belong to (rows may leave #org empty)",
    )
    parser.add_argument(
        "--create-orgs",
        action="store_true",
        help="create the organisations the rows name that Corridor does not know yet "
        "(coordinators and admins; new ones are not public)",
    )
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="check and file the rows as this person would (their organisations and role; "
        "the audit trail names them); default: the instance operator, who may do everything",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="validate and report; change nothing"
    )
    parser.add_argument(
        "--resumable",
        action="store_true",
        help="commit in batches; a rerun after a crash continues where it stopped",
    )
    parser.add_argument("--batch-size", type=int, default=5000, help="rows per batch (5000)")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="where to write the error report CSV (default: <home>/imports/<run id>-errors.csv)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from corridor.accounts.models import User
    from corridor.core.errors import InvalidInput
    from corridor.exchange.services import file_import, organisation_find

    path: Path = args.file
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    by = None
    if args.as_user:
        by = User.objects.filter(username=args.as_user, is_active=True).first()
        if by is None:
            raise InvalidInput(f"no active user named {args.as_user!r}")
    organisation = organisation_find(args.org, by=by) if args.org else None
    console = Console(stderr=True)

    class Bar:
        def __init__(self, progress: Progress) -> None:
            self.progress = progress
            self.task = None

        def start(self, total: int, description: str) -> None:
            self.task = self.progress.add_task(description, total=total)

        def advance(self, amount: int) -> None:
            if self.task is not None:
                self.progress.advance(self.task, amount)

    columns = [
        *Progress.get_default_columns()[:1],
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, disable=args.quiet, transient=True) as progress:
        result = file_import(
            by=by,
            path=path,
            format=args.format,
            kind=args.kind,
            organisation=organisation,
            dry_run=args.dry_run,
            create_orgs=args.create_orgs,
            resumable=args.resumable,
            batch_size=args.batch_size,
            progress=Bar(progress),
        )
    print(f"{result.file}: {result.format}, {result.kind}, {result.rows} rows")
    for column in result.ignored:
        print(f"  ignored column: {column}")
    if result.blank_rows:
        print(f"  {result.blank_rows} blank rows skipped")
    if result.batches_skipped:
        print(f"  {result.batches_skipped} batches already committed by an earlier run, skipped")
    if result.reviews:
        print(f"  {result.reviews} place names sent to the gazetteer review queue")
    if result.reviews_left_out:
        print(f"  {result.reviews_left_out} more unknown place names not queued (the limit a file)")
    print_organisations_to_create(result, create_orgs=args.create_orgs)
    if not result.ok:
        report = args.report or Path(os.environ.get("CORRIDOR_HOME", "corridor-data")) / (
            f"imports/{result.run_id}-errors.csv"
        )
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(result.report_csv(), encoding="utf-8")
        for error in result.errors[:SHOWN_ERRORS]:
            print(f"  {error.line()}")
        if result.error_count > SHOWN_ERRORS:
            print(f"  ... and {result.error_count - SHOWN_ERRORS} more")
        print(f"refused: {result.error_count} errors, nothing imported; report: {report}")
        return 1
    if result.dry_run:
        print(
            f"checked: no errors; {result.rows} rows would be imported (dry run, nothing changed)"
        )
        return 0
    print(
        f"imported: {result.created} created, {result.changed} changed, "
        f"{result.unchanged} unchanged"
    )
    return 0


def print_organisations_to_create(result: Any, *, create_orgs: bool) -> None:
    """The organisations the file names that Corridor does not know, with the rows naming them."""
    listed = result.organisations_to_create
    if not listed:
        return
    if create_orgs and result.ok and not result.dry_run:
        print(f"  organisations created ({len(listed)}, not public; see docs/exchange.md):")
    elif create_orgs:
        print(f"  organisations to create ({len(listed)}):")
    else:
        print(f"  organisations to create ({len(listed)}; import with --create-orgs):")
    for org in listed:
        detail = ", ".join(x for x in (org["acronym"], org["type"]) if x)
        rows = ", ".join(str(n) for n in org["rows"][:10])
        more = f" and {org['row_count'] - 10} more" if org["row_count"] > 10 else ""
        print(
            f"    {org['name']}{f' ({detail})' if detail else ''}: "
            f"{org['row_count']} rows ({rows}{more})"
        )
