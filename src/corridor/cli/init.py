"""`corridor init`: create or migrate the database, load the places, create the first admin."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from corridor.cli import django_env, keys

NAME = "init"
HELP = "create or migrate the database, load admin units and create the first admin"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-input",
        action="store_true",
        help="never prompt; take the admin from flags or CORRIDOR_ADMIN_USERNAME/_PASSWORD",
    )
    parser.add_argument("--admin-username", help="user name of the first administrator")
    parser.add_argument(
        "--admin-password",
        help="password of the first administrator (prefer CORRIDOR_ADMIN_PASSWORD: "
        "flags show up in the process list)",
    )
    parser.add_argument("--admin-email", default="", help="e-mail of the first administrator")


def half_applied_squashes() -> list[str]:
    """Squashed migrations of which this database applied some replaced steps, not all.

    Django cannot migrate such a database (the steps it lacks are gone from the code) and would
    fail midway with a message about an unrelated model; decision 0362."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    applied = set(MigrationRecorder(connection).applied_migrations())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        f"{app}.{name}"
        for (app, name), migration in sorted(loader.disk_migrations.items())
        if migration.replaces
        and 0 < len(applied & set(migration.replaces)) < len(migration.replaces)
    ]


def migrate(verbose: bool = True) -> None:
    from django.core.management import call_command

    half = half_applied_squashes()
    if half:
        raise ValueError(
            "this database stopped partway through the migrations squashed into "
            f"{', '.join(half)}: run `corridor init` once with the Corridor you upgraded from "
            "(it applies the rest), then with this one (docs/development.md, Migrations)"
        )
    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def ensure_admin(args: argparse.Namespace) -> str | None:
    """Create the first admin unless an administrator exists; return the new user's name."""
    from corridor.accounts.models import User
    from corridor.accounts.services import admin_create

    if User.objects.filter(is_superuser=True).exists():
        return None
    username = args.admin_username or os.environ.get("CORRIDOR_ADMIN_USERNAME", "")
    password = args.admin_password or os.environ.get("CORRIDOR_ADMIN_PASSWORD", "")
    interactive = not args.no_input and sys.stdin.isatty()
    if not username and interactive:
        username = input("First administrator's user name: ").strip()
    if not password and interactive:
        password = getpass.getpass("Password (12 characters or more): ")
        if getpass.getpass("Password again: ") != password:
            raise ValueError("the two passwords differ")
    if not username or not password:
        raise ValueError(
            "no administrator yet: give --admin-username and CORRIDOR_ADMIN_PASSWORD "
            "(or --admin-password), or run `corridor init` in a terminal"
        )
    admin_create(by=None, username=username, password=password, email=args.admin_email)
    return username


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.geo.services import admin_units_load

    # Keys first: migrations that encrypt existing values need them.
    keys.ensure()
    migrate()
    result = admin_units_load(by=None)
    print(f"Admin units: {result.total} loaded ({result.created} new).")
    created = ensure_admin(args)
    if created:
        print(f"Administrator {created!r} created.")
    print("Ready. Start the server with `corridor serve`.")
    return 0
