"""`corridor held`: the rows a partial import held for review (`corridor import --partial`):
list them with their reasons, fix a value or pick the township and apply the row, drop it.
Listing and showing are audited views (``held_view``): the reasons and cells may be protected."""

from __future__ import annotations

import argparse
import json
from typing import Any

from corridor.cli import django_env
from corridor.cli.acting import acting_user

NAME = "held"
HELP = "rows a partial import held for review: list, show, fix (and apply), drop"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="held rows with their reasons (oldest file first)")
    listing.add_argument(
        "--status",
        choices=["held", "applied", "dropped", "all"],
        default="held",
        help="which rows (default: those still held)",
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per row")
    show = sub.add_parser("show", help="one held row: every cell, the reasons, townships")
    show.add_argument("id", help="row id (or its first 8+ characters)")
    fix = sub.add_parser(
        "fix", help="set cells (COLUMN=VALUE) and/or the township, then apply the row"
    )
    fix.add_argument("id", help="row id (or its first 8+ characters)")
    fix.add_argument(
        "values",
        nargs="*",
        metavar="COLUMN=VALUE",
        help="a column by its header, hashtag or field name, and its new value",
    )
    fix.add_argument(
        "--township", metavar="PCODE", help="the township's p-code (one of the candidates)"
    )
    drop = sub.add_parser("drop", help="drop a held row: it is not imported")
    drop.add_argument("id", help="row id (or its first 8+ characters)")
    drop.add_argument("--reason", default="", help="why it is dropped (kept in the audit trail)")
    for command in (listing, show, fix, drop):
        command.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="act as this person (what they may see and settle; the audit trail names "
            "them); default: the instance operator",
        )


def _values(given: list[str]) -> dict[str, str]:
    from corridor.core.errors import InvalidInput

    found = {}
    for item in given:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise InvalidInput(f"{item!r}: give COLUMN=VALUE")
        found[column.strip()] = value.strip()
    return found


def _row(view: Any) -> dict[str, Any]:
    held = view.held
    return {
        "id": str(held.pk),
        "file": held.file_name,
        "row": held.row,
        "status": held.status,
        "kind": held.table.get("kind", ""),
        "organisation": held.organisation.name if held.organisation else None,
        "reasons": [r.__dict__ for r in view.reasons],
        "townships": [t.__dict__ for t in view.townships],
        # The run that applied the fixed row (its audit entry and counts).
        "applied_run": str(held.applied_run.pk) if held.applied_run is not None else None,
    }


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.exchange.held.queries import held_find, held_visible_to
    from corridor.exchange.held.services import held_drop, held_fix, held_view

    by = acting_user(args.as_user)
    if args.action == "list":
        rows = held_visible_to(by, status=None if args.status == "all" else args.status)
        views = held_view(by=by, rows=rows, where="cli")
        for view in views:
            data = _row(view)
            if args.json:
                print(json.dumps(data, ensure_ascii=False))
                continue
            print(f"{data['id'][:8]}  {data['file']}, row {data['row']} ({data['status']})")
            for reason in data["reasons"]:
                column = f"column {reason['column']}: " if reason["column"] else ""
                print(f"    {column}{reason['reason']}")
            if data["townships"]:
                picks = ", ".join(f"{t['pcode']} {t['name_en']}" for t in data["townships"])
                print(f"    townships to pick from (--township PCODE): {picks}")
        if not views and not args.json:
            print("no held rows")
        return 0
    held = held_find(by, args.id)
    if args.action == "show":
        (view,) = held_view(by=by, rows=[held], where="cli")
        data = _row(view)
        print(f"{data['id']}  {data['file']}, row {data['row']} ({data['status']})")
        for label, cell in zip(view.labels, view.cells, strict=False):
            print(f"  {label}: {cell}")
        for reason in data["reasons"]:
            column = f"column {reason['column']}: " if reason["column"] else ""
            print(f"  problem: {column}{reason['reason']}")
        for t in data["townships"]:
            print(f"  township candidate: {t['pcode']} {t['name_en']} {t['name_my']}")
        return 0
    if args.action == "drop":
        held_drop(by=by, held=held, reason=args.reason)
        print(f"dropped: {held.file_name}, row {held.row} (not imported)")
        return 0
    result = held_fix(by=by, held=held, values=_values(args.values), township=args.township or "")
    if result.ok:
        print(
            f"applied: {held.file_name}, row {held.row}: {result.created} created, "
            f"{result.changed} changed, {result.unchanged} unchanged"
        )
        return 0
    for error in result.errors:
        print(f"  {error.line()}")
    print(f"still held: {held.file_name}, row {held.row} (the fix is kept; fix the rest)")
    return 1
