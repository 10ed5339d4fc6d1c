"""`corridor signin ...`: an administrator's sign-in chores from the command line.

- ``unlock USER``: lift the back-off after too many failed attempts.
- ``reset-2fa USER``: remove a lost authenticator and the recovery codes, end the user's
  sessions; the user enrols a new authenticator at the next sign-in.

Disabling an account is the panic command's job (it also rotates API tokens).
"""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "signin"
HELP = "unlock a throttled account or reset a lost authenticator"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in [
        ("unlock", "lift the back-off after too many failed sign-ins"),
        ("reset-2fa", "remove the user's authenticator and recovery codes (lost phone)"),
    ]:
        command = sub.add_parser(action, help=text, description=text)
        command.add_argument("username", help="the account's user name")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.accounts.queries import user_named
    from corridor.accounts.services import second_factor_reset, sign_in_unlock

    user = user_named(args.username)
    if user is None:
        raise ValueError(f"no user named {args.username!r}")
    # The CLI runs as whoever holds the server: the audit trail records it as the system.
    if args.action == "unlock":
        forgotten = sign_in_unlock(by=None, user=user)
        print(f"{user.username}: unlocked ({forgotten} recent failures forgotten)")
    else:
        second_factor_reset(by=None, user=user)
        print(
            f"{user.username}: authenticator and recovery codes removed, sessions ended; "
            "they set up a new authenticator at their next sign-in"
        )
    return 0
