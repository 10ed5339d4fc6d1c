"""`corridor sessions purge`: delete sessions that are over (expired, idle, too old)."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "sessions"
HELP = "purge sign-in sessions that are over (`corridor serve` also does it every hour)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("purge", help="delete expired, idle and too-old sessions; run it from cron")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.accounts.sessions import sessions_purge

    gone = sessions_purge()
    print(f"{gone} sessions that were over deleted")
    return 0
