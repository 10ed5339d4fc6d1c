"""`corridor tokens`: personal API tokens, for the operator acting for a named user.

Whoever runs the CLI holds the server, so it may make, list and revoke anyone's tokens; the
audit trail records the system as the actor. A token is still limited to what its owner may do
(docs/security/api-tokens.md). The new token is the only thing `create` prints on stdout, so a
script can capture it; it is shown once and cannot be had again.
"""

from __future__ import annotations

import argparse
import sys

from corridor.cli import django_env

NAME = "tokens"
HELP = "personal API tokens: create (shown once), list, revoke"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="make a token for a user; prints it once")
    create.add_argument("username", help="the token's owner")
    create.add_argument("--org", required=True, metavar="NAME|ID", help="its one organisation")
    create.add_argument(
        "--scope", choices=["read", "write"], default="read", help="read (default) or write"
    )
    create.add_argument("--name", required=True, help="what the token is for")
    create.add_argument(
        "--days", type=int, default=30, help="days until it expires (default 30, at most 90)"
    )
    listing = sub.add_parser("list", help="tokens (never their secrets), newest first")
    listing.add_argument("username", nargs="?", help="only this user's tokens")
    revoke = sub.add_parser("revoke", help="end a token now")
    revoke.add_argument("token", help="its prefix (as `corridor tokens list` shows it) or id")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from django.utils import timezone

    from corridor.accounts import tokens
    from corridor.accounts.models import ApiToken, User
    from corridor.accounts.queries import user_named
    from corridor.core.errors import InvalidInput
    from corridor.orgs.queries import organisation_find_visible

    def known_user(name: str) -> User:
        user = user_named(name)
        if user is None:
            raise InvalidInput(f"no user named {name!r}")
        return user

    if args.tokens_command == "create":
        issued = tokens.token_create(
            by=None,
            user=known_user(args.username),
            organisation=organisation_find_visible(None, args.org),
            scope=args.scope,
            name=args.name,
            days=args.days,
        )
        print(issued.text)
        print(
            f"Token {issued.token.prefix} ({issued.token.scope}) for {args.username}, expires "
            f"{issued.token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only now: store it "
            "in the script's secret settings.",
            file=sys.stderr,
        )
        return 0
    if args.tokens_command == "list":
        rows = ApiToken.objects.select_related("user", "organisation")
        if args.username:
            rows = rows.filter(user=known_user(args.username))
        now = timezone.now()
        print("prefix\tuser\torganisation\tscope\tstate\texpires\tlast used\tname")
        for t in rows:
            used = f"{t.last_used_at:%Y-%m-%d %H:00}" if t.last_used_at else "never"
            print(
                f"{t.prefix}\t{t.user.get_username()}\t{t.organisation}\t{t.scope}\t"
                f"{t.state(now)}\t{t.expires_at:%Y-%m-%d %H:%M}\t{used}\t{t.name}"
            )
        return 0
    token = tokens.token_find(owner=None, text=args.token)
    if token is None:
        raise InvalidInput(f"no token {args.token!r}")
    if tokens.token_revoke(by=None, token=token, reason="revoked by the operator"):
        print(f"Token {token.prefix} of {token.user.get_username()} revoked.")
    else:
        print(f"Token {token.prefix} was already revoked.")
    return 0
