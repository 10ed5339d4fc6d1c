"""`corridor import FILE`: bring an HXL, ACLED or KoBo file into Corridor (docs/exchange.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from corridor.cli import django_env
from corridor.cli.acting import acting_user

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
    # Re-importing an updated file (docs/exchange.md, decision 0150).
    parser.add_argument(
        "--key",
        metavar="COLUMN[,COLUMN]",
        help="columns that identify a record, by header or hashtag (default: the file's id "
        "column, else each row's whole content)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="the file replaces its scope: remove stored records of it the file no longer has",
    )
    parser.add_argument(
        "--partial",
        action="store_true",
        help="apply the valid rows and hold the others for review (`corridor held list`); "
        "default: all or nothing",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object of counts instead of text"
    )
    add_mapping_arguments(parser)


def add_mapping_arguments(parser: argparse.ArgumentParser) -> None:
    """--map, --save-map, --round-counts (docs/exchange.md, "Bring in a file you already have")."""
    parser.add_argument(
        "--map",
        metavar="auto|NAME|FILE",
        help="read the columns through a mapping: auto (proposed from the headers and shown), "
        "a saved mapping's name, or a mapping JSON file (corridor maps export)",
    )
    parser.add_argument(
        "--save-map", metavar="NAME", help="save the mapping used under NAME for files like this"
    )
    parser.add_argument(
        "--round-counts",
        action="store_true",
        help="with --map: round counts with fractions (12.5 -> 13) instead of refusing them",
    )


def chosen_mapping(args: argparse.Namespace, path: Path):
    """The mapping --map names (printed when proposed), or None."""
    import json

    from corridor.core.errors import InvalidInput
    from corridor.exchange.mapping.propose import propose
    from corridor.exchange.mapping.queries import saved_mapping_named
    from corridor.exchange.mapping.spec import Mapping

    if args.map and args.format:
        raise InvalidInput("--map reads the file through a mapping: leave out --format")
    if not args.map:
        if args.save_map:
            raise InvalidInput("--save-map needs --map (auto, a saved name or a file)")
        return None
    if args.map == "auto":
        mapping = propose(path, name=path.name, kind=args.kind)
        # With --json the standard output is the one JSON object (its "mapping" says the same).
        out = sys.stderr if getattr(args, "json", False) else sys.stdout
        print(f"{path.name}: proposed mapping", file=out)
        for line in mapping.describe():
            print(line, file=out)
    elif args.map.lower().endswith(".json") or Path(args.map).is_file():
        source = Path(args.map)
        try:
            data = json.loads(source.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"{source}: not a readable mapping file ({exc})") from None
        mapping = Mapping.from_json(data, source=str(source))
    else:
        mapping = saved_mapping_named(args.map, by=None)
    if args.round_counts:
        mapping.round_counts = True
    return mapping


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskID,
        TimeRemainingColumn,
    )

    from corridor.core.errors import InvalidInput
    from corridor.exchange.services import file_import, organisation_find

    path: Path = args.file
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    by = acting_user(args.as_user)
    organisation = organisation_find(args.org, by=by) if args.org else None
    mapping = chosen_mapping(args, path)
    console = Console(stderr=True)

    class Bar:
        def __init__(self, progress: Progress) -> None:
            self.progress = progress
            self.task: TaskID | None = None

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
            key=[c.strip() for c in args.key.split(",") if c.strip()] if args.key else (),
            replace=args.replace,
            mapping=mapping,
            partial=args.partial,
        )
    saved = ""
    if args.save_map and mapping is not None:
        from corridor.exchange.mapping.services import mapping_save

        mapping_save(by=None, name=args.save_map, mapping=mapping)
        saved = args.save_map
    if args.json:
        return _print_json(result, args.report, mapping, saved)
    print(f"{result.file}: {result.format}, {result.kind}, {result.rows} rows")
    if result.mapping and mapping is None:
        print(f"  read through the saved mapping {result.mapping!r} (made for this header)")
    elif result.mapping:
        print(f"  read through the mapping {result.mapping!r}")
    if saved:
        print(f"  mapping saved as {saved!r}: files with this header will use it")
    for column in result.ignored:
        print(f"  ignored column: {column}")
    if result.blank_rows:
        print(f"  {result.blank_rows} blank rows skipped")
    if result.batches_skipped:
        print(f"  {result.batches_skipped} batches already committed by an earlier run, skipped")
    for note in result.place_notes:
        print(f"  place: {note}")
    if result.reviews:
        print(f"  {result.reviews} place names sent to the gazetteer review queue")
    if result.reviews_left_out:
        print(f"  {result.reviews_left_out} more unknown place names not queued (the limit a file)")
    print_organisations_to_create(result, create_orgs=args.create_orgs)
    if not result.ok:
        report = _write_report(result, args.report)
        for error in result.errors[:SHOWN_ERRORS]:
            print(f"  {error.line()}")
        if result.error_count > SHOWN_ERRORS:
            print(f"  ... and {result.error_count - SHOWN_ERRORS} more")
        if (
            mapping is not None
            and not mapping.round_counts
            and any(
                e.reason.startswith("not a whole number") and "." in e.value for e in result.errors
            )
        ):
            print("  counts with fractions: round them with --round-counts if that is right")
        print(f"refused: {result.error_count} errors, nothing imported; report: {report}")
        return 1
    for line in result.scope:
        print(f"  scope: {line}")
    for line in result.scope_kept:
        print(f"  left alone (you may not remove records there): {line}")
    counts = (
        f"{result.created} created, {result.changed} changed, {result.removed} removed, "
        f"{result.unchanged} unchanged"
    )
    if result.restored:
        counts += f", {result.restored} restored"
    if result.dry_run:
        print(f"checked: no errors; would be {counts} (dry run, nothing changed)")
    else:
        print(f"imported: {counts}")
    if result.replayed_from:
        print(
            f"  unchanged: {result.unchanged} rows, as import run {result.replayed_from} left "
            "them (the file, the rules and its records have not changed since)"
        )
    for what, lines in result.samples.items():
        for line in lines:
            print(f"  {what.replace('_', ' ')}: {line}")
    _print_warnings(result)
    print_held(result)
    if result.missing and not result.replace:
        print(
            f"  {result.missing} records of this scope are not in the file and were kept; "
            "import with --replace to remove them"
        )
    return 0


def _print_warnings(result) -> None:
    """Rows imported (or that would be) but flagged: likely duplicates, jumps (0215)."""
    if not result.warning_count:
        return
    print(f"  {result.warning_count} rows to check (imported as they are):")
    for warning in result.warnings[:SHOWN_ERRORS]:
        print(f"  warning: {warning.line()}")
    if result.warning_count > SHOWN_ERRORS:
        print(f"  ... and {result.warning_count - SHOWN_ERRORS} more")


def _write_report(result, given: Path | None) -> Path:
    report = given or Path(os.environ.get("CORRIDOR_HOME", "corridor-data")) / (
        f"imports/{result.run_id}-errors.csv"
    )
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(result.report_csv(), encoding="utf-8")
    return report


def _print_json(result, given: Path | None, mapping: Any = None, saved: str = "") -> int:
    summary = result.summary()
    if result.mapping or mapping is not None:
        summary["mapping"] = _mapping_json(result, mapping, saved)
    summary["errors"] = [e.line() for e in result.errors[:SHOWN_ERRORS]]
    summary["warnings"] = [e.line() for e in result.warnings[:SHOWN_ERRORS]]
    summary["error_report"] = str(_write_report(result, given)) if not result.ok else None
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if result.ok else 1


def _mapping_json(result: Any, mapping: Any, saved: str) -> dict[str, Any]:
    """The mapping the file was read through: its name (None: proposed, not saved) and each
    column with the field it went to (None: not imported)."""
    if mapping is None:
        from corridor.exchange.mapping.queries import saved_mapping_named

        mapping = saved_mapping_named(result.mapping, by=None)
    return {
        "name": saved or result.mapping or None,
        "kind": mapping.kind,
        "columns": [{"header": c.header, "field": c.field} for c in mapping.columns if c.header],
    }


def print_held(result: Any) -> None:
    """A partial import's held rows: each with its reasons, and where to settle them."""
    if not result.held:
        return
    for error in result.held_errors()[:SHOWN_ERRORS]:
        print(f"  held: {error.line()}")
    verb = "would be held" if result.dry_run else "held for review"
    print(f"{result.held} rows {verb}: see `corridor held list` (fix, pick the township, drop)")
    if result.replace and result.missing:
        print(
            f"  {result.missing} records of this scope not in the file were kept: nothing is "
            "removed while rows are held; import the file again with --replace once settled"
        )


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
