"""`corridor audit`: check the audit trail's hash chain and show its newest entries."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "audit"
HELP = "verify the audit trail (hash chain and anchor), list its newest entries, or re-anchor it"


class AuditBroken(Exception):
    """The trail was changed: the message names the first entry concerned."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = sub.add_parser(
        "verify", help="detect edited, removed or reordered entries and a cut-off end"
    )
    verify.add_argument(
        "--head",
        metavar="N:HASH",
        help="also check the trail still holds entry N with this hash (a head you wrote "
        "down earlier from `corridor audit verify`)",
    )
    listing = sub.add_parser("list", help="show the newest entries, newest last")
    listing.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    anchor = sub.add_parser(
        "anchor",
        help="write the anchor file anew for the trail as it stands, after `verify` named an "
        "anchor problem you can explain (the instance moved, the file was lost); the chain "
        "must verify first, and the re-anchoring is itself an audit entry",
    )
    anchor.add_argument(
        "--head", metavar="N:HASH", help="first check the trail still holds this entry"
    )


def _parse_head(text: str) -> tuple[int, str]:
    seq, sep, digest = text.partition(":")
    if not sep or not seq.isdigit() or len(digest) != 64:
        raise ValueError(f"--head {text!r} is not N:HASH (e.g. 42:3fa9... with 64 hex digits)")
    return int(seq), digest.lower()


def _check_chain(args: argparse.Namespace) -> int:
    """Entries checked; raises AuditBroken for an edited chain or a head it no longer holds."""
    from corridor.audit.anchor import head_problem
    from corridor.audit.services import audit_verify

    expected = _parse_head(args.head) if args.head else None
    result = audit_verify()
    if not result.ok:
        raise AuditBroken(f"audit trail broken: {result.problem}")
    if expected:
        problem = head_problem(*expected, "the head given with --head")
        if problem:
            raise AuditBroken(f"audit trail broken: {problem}")
    return result.checked


def verify(args: argparse.Namespace) -> int:
    from corridor.audit.anchor import anchor_problem
    from corridor.audit.queries import entries_latest

    checked = _check_chain(args)
    problem = anchor_problem()
    if problem:
        raise AuditBroken(f"audit trail broken: {problem}")
    latest = entries_latest(1)
    if not latest:
        print("Audit trail empty: a new instance, nothing written yet.")
        return 0
    print(f"Audit trail intact: {checked} entries.")
    last = latest[0]
    print(f"Head: {last.seq}:{last.hash}  (keep this somewhere else to check with --head)")
    return 0


def anchor(args: argparse.Namespace) -> int:
    from django.db import transaction

    from corridor.audit.anchor import (
        anchor_path,
        anchor_problem,
        anchor_read,
        anchor_replace_after_commit,
    )
    from corridor.audit.services import Action, audit_record

    _check_chain(args)
    problem = anchor_problem()
    previous = anchor_read()
    with transaction.atomic():
        entry = audit_record(
            by=None,
            action=Action.ANCHOR,
            object_type="audit.anchor",
            changes={"problem": problem, "previous": previous},
        )
        anchor_replace_after_commit(entry.seq, entry.hash)
    print(f"Anchor written to {anchor_path()}: entry #{entry.seq}.")
    if problem:
        print(f"It replaces an anchor that said: {problem}")
    return 0


def listing(args: argparse.Namespace) -> int:
    from corridor.audit.queries import entries_latest

    if args.limit < 1:
        raise ValueError("--limit must be 1 or more")
    entries = entries_latest(args.limit)
    for entry in reversed(entries):
        what = f"{entry.object_type} {entry.object_id}".strip()
        when = f"{entry.at:%Y-%m-%d %H:%M:%S}Z"
        print(f"#{entry.seq}  {when}  {entry.actor_label}  {entry.action}  {what}")
    if not entries:
        print("The audit trail is empty.")
    return 0


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    if args.audit_command == "verify":
        return verify(args)
    if args.audit_command == "anchor":
        return anchor(args)
    return listing(args)
