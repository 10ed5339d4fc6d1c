"""`corridor manage ...`: Django's management commands, for what the other commands do not cover."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "manage"
HELP = "run a Django management command (e.g. `corridor manage createsuperuser`)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "django_args", nargs=argparse.REMAINDER, help="the management command and its arguments"
    )


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["corridor manage", *args.manage_args])
    return 0
