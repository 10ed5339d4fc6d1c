"""`corridor audit`: check the audit trail's hash chain and show its newest entries."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "audit"
HELP = "verify the audit trail (hash chain and anchor) or list its newest entries"


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


def _parse_head(text: str) -> tuple[int, str]:
    seq, sep, digest = text.partition(":")
    if not sep or not seq.isdigit() or len(digest) != 64:
        raise ValueError(f"--head {text!r} is not N:HASH (e.g. 42:3fa9... with 64 hex digits)")
    return int(seq), digest.lower()


def verify(args: argparse.Namespace) -> int:
    from corridor.audit.anchor import anchor_path, anchor_read, database_identity, head_problem
    from corridor.audit.models import AuditEntry
    from corridor.audit.services import audit_verify

    expected = _parse_head(args.head) if args.head else None
    result = audit_verify()
    if not result.ok:
        raise AuditBroken(f"audit trail broken: {result.problem}")
    if expected:
        problem = head_problem(*expected, "the head given with --head")
        if problem:
            raise AuditBroken(f"audit trail broken: {problem}")
    anchor = anchor_read()
    note = ""
    if anchor is None:
        note = f"No anchor file at {anchor_path()}: entries cut off the end would not show."
    elif anchor.get("damaged") or "seq" not in anchor:
        raise AuditBroken(f"audit anchor {anchor_path()} is damaged")
    elif anchor.get("database") != database_identity():
        note = f"The anchor at {anchor_path()} belongs to another database; not checked."
    else:
        problem = head_problem(int(anchor["seq"]), str(anchor["hash"]), "the anchor file")
        if problem:
            raise AuditBroken(f"audit trail broken: {problem}")
    last = AuditEntry.objects.order_by("-seq").first()
    print(f"Audit trail intact: {result.checked} entries.")
    if last:
        print(f"Head: {last.seq}:{last.hash}  (keep this somewhere else to check with --head)")
    if note:
        print(note)
    return 0


def listing(args: argparse.Namespace) -> int:
    from corridor.audit.models import AuditEntry

    if args.limit < 1:
        raise ValueError("--limit must be 1 or more")
    entries = list(AuditEntry.objects.order_by("-seq")[: args.limit])
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
    return listing(args)
