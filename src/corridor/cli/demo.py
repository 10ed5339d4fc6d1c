"""`corridor demo`: a ready-to-explore instance with synthetic data, in its own folder."""

from __future__ import annotations

import argparse
import os
import secrets

from corridor.cli import django_env, init, load_demo, serve

NAME = "demo"
HELP = "set up a demo instance (./corridor-demo) with synthetic data and serve it"

DEMO_USER = "demo-admin"
PASSWORD_FILE = "demo-admin-password"  # noqa: S105 — a file name, not a password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    serve.add_server_arguments(parser)
    parser.add_argument(
        "--no-serve", action="store_true", help="prepare the demo instance but do not serve it"
    )


def demo_password() -> str:
    """The demo admin's password: generated once, kept in the instance folder (mode 0600)."""
    from django.conf import settings

    from corridor.core.instance import write_private

    path = settings.HOME / PASSWORD_FILE
    if not path.exists():
        write_private(path, secrets.token_urlsafe(12).encode())
    return path.read_text().strip()


def run(args: argparse.Namespace) -> int:
    # The demo never mixes synthetic data into a real instance unless --home says so.
    if not args.home and "CORRIDOR_HOME" not in os.environ:
        os.environ["CORRIDOR_HOME"] = "corridor-demo"
    django_env.setup()
    from corridor.accounts.models import User
    from corridor.accounts.services import admin_create
    from corridor.geo.services import admin_units_load

    init.migrate(verbose=False)
    admin_units_load(by=None)
    password = demo_password()
    if not User.objects.filter(username=DEMO_USER).exists():
        admin_create(by=None, username=DEMO_USER, password=password)
    load_demo.load(seed=2021)
    print(f"Demo ready. Sign in as {DEMO_USER!r} with password {password!r}.")
    if args.no_serve:
        return 0
    return serve.serve(args)
