"""`corridor status`: what this instance is and holds."""

from __future__ import annotations

import argparse
import json

from corridor import __version__
from corridor.cli import django_env

NAME = "status"
HELP = "show version, database, pending migrations and row counts"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def collect() -> dict:
    django_env.setup()
    from django.apps import apps
    from django.conf import settings

    pending = django_env.pending_migrations()
    counts: dict[str, int | None] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("corridor."):
            continue
        label = model._meta.label
        # The default manager is each model's ``objects`` (removed records left out).
        counts[label] = None if pending else model._default_manager.count()
    return {
        "version": __version__,
        "home": str(settings.HOME),
        "database": django_env.database_description(),
        "pending_migrations": pending,
        "counts": counts,
    }


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    data = collect()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    console = Console()
    console.print(f"Corridor {data['version']}")
    console.print(f"Instance folder: {data['home']}")
    db = data["database"]
    console.print(f"Database: {db['engine']} at {db['location']}")
    if data["pending_migrations"]:
        console.print(
            f"[yellow]{len(data['pending_migrations'])} migrations pending[/yellow]: "
            "run `corridor init`"
        )
        return 0
    console.print("Migrations: up to date")
    table = Table("entity", "rows")
    for label, count in data["counts"].items():
        table.add_row(label, str(count))
    console.print(table)
    return 0
