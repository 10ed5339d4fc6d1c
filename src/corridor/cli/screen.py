"""`corridor screen`: entity lists and screening names against them (docs/screening.md).

corridor screen lists import FILE [--name LIST] [--source TEXT] [--format csv|ftm]
corridor screen lists [--json]
corridor screen names [--json] NAME...
corridor screen names [--json] --csv FILE --column C
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from corridor.cli import django_env
from corridor.cli.acting import acting_user

NAME = "screen"
HELP = "screen payees and suppliers against sanctioned and military-linked entity lists"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    lists = sub.add_parser("lists", help="the loaded lists; `lists import FILE` loads one")
    lists.add_argument("--json", action="store_true", help="one JSON object per list")
    lists_sub = lists.add_subparsers(dest="lists_action", metavar="import")
    load = lists_sub.add_parser(
        "import", help="load (or reload) a list: CSV or FollowTheMoney JSON lines"
    )
    load.add_argument("file", type=Path, help="the list file")
    load.add_argument("--name", default="", help="the list's name (default: the file's stem)")
    load.add_argument("--source", default="", help="where the list comes from (kept with it)")
    load.add_argument("--format", choices=["csv", "ftm"], default="", help="default: by name")
    load.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this person")
    names = sub.add_parser("names", help="screen names: one answer per name")
    names.add_argument("names", nargs="*", metavar="NAME", help="names to screen")
    names.add_argument("--csv", type=Path, help="a CSV file of names (with --column)")
    names.add_argument("--column", help="the column of --csv holding the names")
    names.add_argument("--json", action="store_true", help="one JSON object per name")
    names.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this person")


def _csv_names(path: Path, column: str | None) -> list[str]:
    from corridor.core.errors import InvalidInput

    if not column:
        raise InvalidInput("--csv needs --column C naming the column with the names")
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        if column not in fields:
            raise InvalidInput(f"{path}: no column {column!r} (columns: {', '.join(fields)})")
        return [row[column] or "" for row in reader]


def _lists(args: argparse.Namespace) -> int:
    from corridor.screening.queries import lists_visible_to

    rows = list(lists_visible_to(acting_user(getattr(args, "as_user", None))))
    for entity_list in rows:
        data: dict[str, Any] = {
            "name": entity_list.name, "format": entity_list.format,
            "source": entity_list.source, "file": entity_list.file_name,
            "sha256": entity_list.file_sha256, "loaded_at": entity_list.loaded_at.isoformat(),
            "version": entity_list.version, "entities": entity_list.entity_count,
        }  # fmt: skip
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            print(f"{data['name']}: {data['entities']} entities, version {data['version']}, "
                  f"loaded {data['loaded_at'][:19]} from {data['file']} ({data['format']})"
                  + (f"; source: {data['source']}" if data["source"] else ""))  # fmt: skip
    if not rows and not args.json:
        print("no lists loaded (see docs/screening.md for where the public lists are)")
    return 0


def _names(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from corridor.core.errors import InvalidInput
    from corridor.screening.queries import screen_names

    if args.csv and args.names:
        raise InvalidInput("give names or --csv FILE, not both")
    names = _csv_names(args.csv, args.column) if args.csv else list(args.names)
    if not names:
        raise InvalidInput("give at least one NAME, or --csv FILE --column C")
    by = acting_user(args.as_user)
    # The bar goes to stderr so stdout stays clean JSON or text for pipes.
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not args.csv) as progress:
        task = progress.add_task("Screening", total=len(names))
        answers = screen_names(
            by, names, progress=lambda done: progress.update(task, completed=done)
        )
    flagged = 0
    for answer in answers:
        data: dict[str, Any] = answer.hit.as_dict()
        flagged += data["status"] != "clear"
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
            continue
        line = f"{data['status']:<8} {data['query']}"
        if data["status"] != "clear":
            line += f"  ~ {data['entity']} [{data['list']}] score {data['score']}"
        print(line)
        for reason in data["reasons"] if data["status"] != "clear" else ():
            print(f"         {reason}")
    print(f"{len(answers)} name(s) screened, {flagged} flagged", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    if args.action == "lists" and args.lists_action == "import":
        from corridor.screening.services import list_import

        load = list_import(by=acting_user(args.as_user), path=args.file, name=args.name,
                           source=args.source, format=args.format)  # fmt: skip
        print(load.line())
        return 0
    if args.action == "lists":
        return _lists(args)
    return _names(args)
