"""`corridor panic USERNAME`: shut a user out at once (a seized device, an arrest).

Disables the account, ends all its sessions, revokes its API tokens, makes the password
unusable and removes the authenticator and recovery codes.
See docs/security/panic.md for the whole procedure.
"""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "panic"
HELP = "disable a user at once: end all sessions, revoke password, authenticator and tokens"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username", help="the account's user name")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.accounts.panic import user_panic
    from corridor.accounts.queries import user_named

    user = user_named(args.username)
    if user is None:
        raise ValueError(f"no user named {args.username!r}")
    # Whoever runs the CLI holds the server: the audit trail records the system as the actor.
    result = user_panic(by=None, user=user)
    print(
        f"{result.username}: disabled; {result.sessions_ended} session(s) ended; password made "
        f"unusable; {result.devices_removed} authenticator/recovery device(s) removed; "
        f"{result.tokens_revoked} API token(s) revoked. "
        "To let them back in: a new password, re-enable, and they enrol a new authenticator."
    )
    return 0
