"""`corridor sync`: exchange records with other instances by file (docs/sync.md)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corridor.cli import django_env

NAME = "sync"
HELP = "exchange records with a hub or field instances by signed, encrypted files"
OUTPUTS = ("sync.bundle",)

_SIZE = re.compile(r"^(\d+)([KMG]?)B?$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def chunk_size(text: str) -> int:
    found = _SIZE.match(text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 15M, 500K or 1048576")
    size = int(found[1]) * _UNITS[found[2].upper()]
    if size < 4096:
        raise argparse.ArgumentTypeError("a chunk must be 4K or more")
    return size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    identity = sub.add_parser(
        "identity", help="write this instance's public identity (made on first use) to a file"
    )
    identity.add_argument("-o", "--output", required=True, metavar="FILE")
    identity.add_argument("--name", default="", help="this instance's name, when it is made")

    peer = sub.add_parser("peer", help="register or revoke another instance")
    peer_sub = peer.add_subparsers(dest="peer_command", metavar="ACTION", required=True)
    add = peer_sub.add_parser("add", help="register a peer from its identity file")
    add.add_argument("file", metavar="FILE")
    add.add_argument("--role", choices=["hub", "field"], default="field")
    add.add_argument(
        "--fingerprint",
        help="the fingerprint the peer's operator read to you (without it you are asked)",
    )
    add.add_argument(
        "--org",
        action="append",
        default=[],
        metavar="NAME_OR_ID",
        help="an organisation the peer works for (repeat); a field peer receives their records",
    )
    revoke = peer_sub.add_parser("revoke", help="refuse every bundle from a peer from now on")
    revoke.add_argument("name", metavar="NAME")

    export = sub.add_parser("export", help="write a bundle of changes for a peer")
    export.add_argument("--to", required=True, metavar="NAME")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument(
        "--chunk-size",
        type=chunk_size,
        default=0,
        metavar="SIZE",
        help="split into files of at most SIZE (e.g. 15M for a chat attachment): FILE.001, ...",
    )

    imp = sub.add_parser("import", help="verify and apply bundles (whole files or chunks)")
    imp.add_argument("files", nargs="+", metavar="FILE")
    for command in (export, imp):
        command.add_argument(
            "--no-progress",
            action="store_true",
            help="no progress bars (there are none anyway when stderr is not a terminal)",
        )

    conflicts = sub.add_parser(
        "conflicts", help="list the concurrent versions that lost, for a person to review"
    )
    settle = conflicts.add_mutually_exclusive_group()
    settle.add_argument(
        "--reviewed", metavar="ID", help="mark this conflict as reviewed (the kept version stays)"
    )
    settle.add_argument(
        "--take-lost",
        metavar="ID",
        help="settle this conflict by taking the version that lost (a new version, sent to peers)",
    )

    status = sub.add_parser("status", help="peers, bundles in and out, pending changes, conflicts")
    status.add_argument("--json", action="store_true", help="print one JSON object")


class _Bars:
    """The services' stages as rich progress bars, one per stage (corridor.sync.progress)."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task: Any = None

    def start(self, total: int, description: str) -> None:
        self.task = self.progress.add_task(description, total=total)

    def advance(self, amount: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


@contextmanager
def _bars(args: argparse.Namespace) -> Iterator[_Bars]:
    """Bars on stderr, so stdout keeps its lines for scripts; none with ``--no-progress`` or
    when stderr is not a terminal, and gone once done (``transient``)."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    off = args.no_progress or not console.is_terminal
    with Progress(console=console, transient=True, disable=off) as progress:
        yield _Bars(progress)


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def identity(args: argparse.Namespace) -> int:
    from corridor.sync.services.peers import identity_document, identity_ensure

    document = identity_document(identity_ensure(by=None, name=args.name))
    Path(args.output).write_text(json.dumps(document, indent=2) + "\n")
    print(f"Identity of {document['name']} written to {args.output}.")
    print(f"Fingerprint: {document['fingerprint']}")
    print(
        "Read the fingerprint to the peer's operator by phone or in person, not in the file's chat."
    )
    return 0


def _organisations(names: list[str]) -> list:
    import uuid

    from corridor.core.errors import InvalidInput
    from corridor.orgs.models import Organisation

    found = []
    for name in names:
        try:
            match = Organisation.objects.filter(pk=uuid.UUID(name))
        except ValueError:
            match = Organisation.objects.filter(name=name) | Organisation.objects.filter(
                acronym=name
            )
        orgs = list(match.distinct()[:2])
        if len(orgs) != 1:
            raise InvalidInput(
                f"--org {name!r}: {'no' if not orgs else 'more than one'} organisation"
            )
        found.append(orgs[0])
    return found


def peer_add(args: argparse.Namespace) -> int:
    from corridor.core.errors import InvalidInput
    from corridor.sync.services.peers import peer_add, peer_identity_read

    path = Path(args.file)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}") from None
    found = peer_identity_read(text, str(path))
    print(f"Peer {found.name} ({found.id}), role {args.role}")
    print(f"Fingerprint: {found.fingerprint}")
    checked = args.fingerprint
    if checked is None:
        if not sys.stdin.isatty():
            raise InvalidInput(
                "check the fingerprint with the peer's operator and pass it as --fingerprint"
            )
        answer = input("Does the peer's operator read you this same fingerprint? [yes/no] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Not registered.")
            return 1
        checked = found.fingerprint
    peer = peer_add(
        by=None,
        identity=found,
        role=args.role,
        fingerprint=checked,
        organisations=_organisations(args.org),
    )
    print(f"Registered peer {peer.name}.")
    return 0


def export(args: argparse.Namespace) -> int:
    from corridor.sync.services.bundles import bundle_export

    out = Path(args.output)
    with _bars(args) as bars:
        result = bundle_export(by=None, to=args.to, chunk_size=args.chunk_size, progress=bars)
        if len(result.pieces) == 1:
            paths = [out]
        else:
            paths = [out.with_name(f"{out.name}.{i:03d}") for i in range(1, len(result.pieces) + 1)]
        bars.start(len(paths), "Writing files")
        for path, piece in zip(paths, result.pieces, strict=True):
            _write(path, piece)
            bars.advance(1)
    shown = str(out) if len(paths) == 1 else f"{paths[0]} .. {paths[-1].name}"
    print(f"Bundle {result.seq} for {result.peer}: {result.rows} records, written to {shown}.")
    return 0


def import_(args: argparse.Namespace) -> int:
    from corridor.core.errors import InvalidInput
    from corridor.sync.services.bundles import bundle_import

    files = []
    with _bars(args) as bars:
        bars.start(len(args.files), "Reading files")
        for name in args.files:
            try:
                files.append((name, Path(name).read_bytes()))
            except OSError as exc:
                raise InvalidInput(f"{name}: {exc.strerror}") from None
            bars.advance(1)
        outcomes = bundle_import(by=None, files=files, progress=bars)
    for outcome in outcomes:
        print(outcome.line)
    return 0 if all(o.applied is not None for o in outcomes) else 1


def status(args: argparse.Namespace) -> int:
    from corridor.sync.queries import sync_status

    data = sync_status()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    me = data["instance"]
    if me is None:
        print("No sync identity yet: `corridor sync identity -o FILE` makes one.")
    else:
        print(f"This instance: {me['name']} ({me['id']})\nFingerprint: {me['fingerprint']}")
    for peer in data["peers"]:
        state = "REVOKED" if peer["revoked"] else peer["role"]
        print(
            f"  {peer['name']} [{state}]: out #{peer['last_bundle_out']} "
            f"(acknowledged #{peer['last_bundle_acknowledged']}), in #{peer['last_bundle_in']}, "
            f"{peer['pending_versions']} versions not yet acknowledged"
        )
    print(f"Edits not yet versioned: {data['unversioned_edits']}")
    print(f"Conflicts to review: {data['conflicts_to_review']}")
    return 0


def conflicts(args: argparse.Namespace) -> int:
    import uuid

    from corridor.core.errors import InvalidInput
    from corridor.sync.queries import conflicts_open
    from corridor.sync.services.conflicts import conflict_resolve
    from corridor.sync.services.merge import conflict_review

    chosen = args.reviewed or args.take_lost
    if chosen:
        try:
            pk = uuid.UUID(chosen)
        except ValueError:
            raise InvalidInput(f"{chosen!r} is not a conflict id") from None
        if args.take_lost:
            conflict_resolve(by=None, conflict_id=pk, take="took_lost")
            print(f"Conflict {pk} settled: the version that lost is the record's now.")
        else:
            conflict_review(by=None, conflict_id=pk)
            print(f"Conflict {pk} reviewed.")
        return 0
    for conflict in conflicts_open():
        print(
            f"{conflict.pk} {conflict.kind} {conflict.record_id}: kept {conflict.kept_hlc}, "
            f"lost {conflict.lost_hlc}: {conflict.lost}"
        )
    return 0


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    command = args.sync_command
    if command == "identity":
        return identity(args)
    if command == "peer":
        if args.peer_command == "add":
            return peer_add(args)
        from corridor.sync.services.peers import peer_revoke

        peer = peer_revoke(by=None, name=args.name)
        print(f"Peer {peer.name} revoked: its bundles are refused from now on.")
        return 0
    if command == "export":
        return export(args)
    if command == "import":
        return import_(args)
    if command == "conflicts":
        return conflicts(args)
    return status(args)
