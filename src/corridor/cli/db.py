"""`corridor db`: database administration that Django's own commands do not cover."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "db"
HELP = "database administration (PostgreSQL application role)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    grant = sub.add_parser(
        "grant-app-role",
        help="give a PostgreSQL role what the running application needs, without UPDATE, "
        "DELETE or TRUNCATE on audit rows; run it as the database owner after `corridor init`",
    )
    grant.add_argument("role", help="the role the server will connect as")
    grant.add_argument("--create", action="store_true", help="create the role if missing")
    grant.add_argument("--schema", default="public", help="schema (default public)")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.audit.privileges import app_role_grant

    for statement in app_role_grant(args.role, create=args.create, schema=args.schema):
        print(f"{statement};")
    print(
        f"Role {args.role!r} may now read and write data but not change or remove audit "
        f"entries. Point CORRIDOR_DATABASE_URL of the server at it; keep the owner for "
        f"`corridor init`."
    )
    return 0
