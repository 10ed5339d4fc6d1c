"""`corridor geo`: list and show admin units, resolve place names, work the review queue."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from corridor.cli import django_env

NAME = "geo"
# Suggestions printed under an open review (all are in --json).
MAX_SUGGESTIONS = 5
HELP = "admin units (MIMU p-codes): list, show, resolve place names, review queue"

LEVEL_NAMES = {1: "state/region", 2: "district", 3: "township"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="geo_command", metavar="SUBCOMMAND", required=True)

    listing = sub.add_parser("list", help="list admin units")
    listing.add_argument("--level", type=int, choices=[1, 2, 3], help="only this level")
    listing.add_argument("--parent", help="only units inside this state/district (p-code or name)")
    listing.add_argument("--json", action="store_true", help="one JSON object per unit")

    show = sub.add_parser("show", help="show one admin unit")
    show.add_argument("pcode")
    show.add_argument("--json", action="store_true", help="print JSON")

    resolve = sub.add_parser("resolve", help="resolve place names to p-codes")
    resolve.add_argument("names", nargs="*", metavar="NAME", help="place names as written")
    resolve.add_argument("--level", type=int, choices=[1, 2, 3], help="only units of this level")
    resolve.add_argument("--parent", help="state or district (p-code or name) to search within")
    resolve.add_argument("--csv", type=Path, metavar="FILE", help="read names from a CSV file")
    resolve.add_argument("--column", help="the CSV column holding the names (with --csv)")
    resolve.add_argument(
        "--parent-column", help="a CSV column with each row's state or district (with --csv)"
    )
    resolve.add_argument("--json", action="store_true", help="one JSON object per name")
    resolve.add_argument(
        "--queue",
        action="store_true",
        help="put every name that is not accepted into the review queue",
    )

    review = sub.add_parser("review", help="the queue of names waiting for a person")
    review_sub = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    review_list = review_sub.add_parser("list", help="list reviews (open ones by default)")
    review_list.add_argument(
        "--status", choices=["open", "resolved", "rejected", "all"], default="open"
    )
    review_list.add_argument("--json", action="store_true", help="one JSON object per review")
    review_resolve = review_sub.add_parser(
        "resolve", help="decide that a queued name means PCODE (adds an alias)"
    )
    review_resolve.add_argument("id", help="review id (or its first 8+ characters)")
    review_resolve.add_argument("pcode")
    review_reject = review_sub.add_parser("reject", help="decide that a queued name is no unit")
    review_reject.add_argument("id", help="review id (or its first 8+ characters)")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    handlers = {"list": _list, "show": _show, "resolve": _resolve, "review": _review}
    return handlers[args.geo_command](args)


def _unit_dict(unit: Any) -> dict[str, Any]:
    return {
        "pcode": unit.pcode,
        "level": unit.level,
        "parent": unit.parent_id,
        "name_en": unit.name_en,
        "name_my": unit.name_my,
        "centroid": (
            [unit.centroid_lon, unit.centroid_lat] if unit.centroid_lon is not None else None
        ),
    }


def _list(args: argparse.Namespace) -> int:
    from corridor.geo.queries import admin_units_within

    units = admin_units_within(level=args.level, parent=args.parent)
    for unit in units:
        if args.json:
            print(json.dumps(_unit_dict(unit), ensure_ascii=False))
        else:
            print(f"{unit.pcode:<11} {unit.level}  {unit.name_en:<32} {unit.name_my}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from corridor.geo.queries import admin_unit_get

    unit = admin_unit_get(args.pcode)
    data = _unit_dict(unit)
    data["children"] = [child.pcode for child in unit.children.order_by("pcode")]
    data["has_boundary"] = unit.boundary is not None
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"{unit.pcode}  {unit.name_en}  {unit.name_my}")
    print(f"  level:    {unit.level} ({LEVEL_NAMES[unit.level]})")
    if unit.parent:
        print(f"  parent:   {unit.parent.pcode} {unit.parent.name_en}")
    if data["centroid"]:
        print(f"  centroid: {unit.centroid_lon}, {unit.centroid_lat}")
    print(f"  boundary: {'yes' if data['has_boundary'] else 'no'}")
    if data["children"]:
        print(f"  children: {len(data['children'])} ({', '.join(data['children'][:6])}...)")
    return 0


def _read_csv_names(
    path: Path, column: str | None, parent_column: str | None
) -> list[tuple[str, str | None, str]]:
    if not column:
        raise ValueError("--csv needs --column COL naming the column with the place names")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        for wanted in filter(None, [column, parent_column]):
            if wanted not in fields:
                raise ValueError(
                    f"{path}: no column {wanted!r} (columns: {', '.join(fields) or 'none'})"
                )
        rows = []
        for number, row in enumerate(reader, start=2):
            parent = row.get(parent_column) if parent_column else None
            rows.append((row[column] or "", parent, f"{path.name} row {number}"))
    return rows


def _print_resolution(result: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    if result.status == "matched":
        best = result.candidates[0] if result.candidates else None
        for candidate in result.candidates:
            if candidate.pcode == result.pcode:
                best = candidate
        name = best.name_en if best else ""
        note = "" if result.accepted else "  (needs review)"
        print(f"{result.query}: {result.pcode} {name} [{result.method} {result.score:g}]{note}")
    else:
        print(f"{result.query}: {result.status.replace('_', ' ')}")
    if result.note:
        print(f"    note: {result.note}")
    others = [c for c in result.candidates if c.pcode != result.pcode]
    for candidate in others:
        print(
            f"    {candidate.pcode:<11} {candidate.name_en} "
            f"({LEVEL_NAMES[candidate.level]}) {candidate.score:g}"
        )


def _resolve(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from corridor.geo.resolver import get_resolver
    from corridor.geo.services import place_review_add

    if args.csv and args.names:
        raise ValueError("give names or --csv FILE, not both")
    if args.csv:
        items = _read_csv_names(args.csv, args.column, args.parent_column)
    elif args.names:
        items = [(name, None, "command line") for name in args.names]
    else:
        raise ValueError("give at least one NAME, or --csv FILE --column COL")
    resolver = get_resolver()
    results = []
    # The bar goes to stderr so stdout stays clean JSON or text for pipes.
    console = Console(stderr=True)
    with Progress(transient=True, console=console, disable=not args.csv) as progress:
        task = progress.add_task("Resolving", total=len(items))
        for name, parent, context in items:
            result = resolver.resolve(name, level=args.level, parent=parent or args.parent)
            results.append((result, parent or args.parent, context))
            progress.advance(task)
    queued = 0
    for result, parent, context in results:
        _print_resolution(result, args.json)
        if args.queue and not result.accepted and result.query.strip():
            place_review_add(
                by=None,
                query=result.query,
                context=context,
                level=args.level,
                parent=parent or "",
                resolution=result,
            )
            queued += 1
    if args.queue:
        print(f"{queued} name(s) queued for review", file=sys.stderr)
    return 0


def _review(args: argparse.Namespace) -> int:
    from corridor.geo.queries import place_review_find, place_reviews
    from corridor.geo.services import place_review_reject, place_review_resolve

    if args.review_command == "list":
        for review in place_reviews(status=args.status):
            if args.json:
                print(
                    json.dumps(
                        {
                            "id": str(review.id),
                            "query": review.query,
                            "context": review.context,
                            "level": review.level,
                            "parent": review.parent,
                            "status": review.status,
                            "chosen": review.chosen_id,
                            "candidates": review.candidates,
                            "note": review.note,
                        },
                        ensure_ascii=False,
                    )
                )
                continue
            chosen = f" -> {review.chosen_id}" if review.chosen_id else ""
            print(f"{review.id}  {review.status:<8} {review.query!r}{chosen}  {review.context}")
            if review.status != "open":
                continue
            if review.note:
                print(f"    note: {review.note}")
            for candidate in review.candidates[:MAX_SUGGESTIONS]:
                print(
                    f"    suggestion: {candidate['pcode']:<11} {candidate['name_en']} "
                    f"({LEVEL_NAMES.get(candidate['level'], '?')}) {candidate['score']:g}"
                )
        return 0
    review = place_review_find(args.id)
    if args.review_command == "resolve":
        place_review_resolve(by=None, review_id=review.id, pcode=args.pcode)
        print(f"Resolved {review.query!r} -> {args.pcode.upper()}; alias added.")
    else:
        place_review_reject(by=None, review_id=review.id)
        print(f"Rejected {review.query!r}.")
    return 0
