"""`corridor backup FILE`: an encrypted, integrity-checked backup of the whole instance."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from corridor.cli import django_env

NAME = "backup"
HELP = "write an encrypted backup of the database and instance files (or --check one)"

MIN_PASSPHRASE = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="backup file to write (must not exist yet)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write: read an existing backup and check every part and table checksum",
    )


def passphrase(*, confirm: bool) -> str:
    """The backup passphrase from CORRIDOR_BACKUP_PASSPHRASE, else asked in a terminal."""
    from corridor import config

    value = config.value("CORRIDOR_BACKUP_PASSPHRASE")
    if not value:
        if not sys.stdin.isatty():
            raise ValueError(
                "no backup passphrase: set CORRIDOR_BACKUP_PASSPHRASE or run in a terminal"
            )
        value = getpass.getpass("Backup passphrase: ")
        if confirm and getpass.getpass("Again: ") != value:
            raise ValueError("the two passphrases differ")
    if confirm and len(value) < MIN_PASSPHRASE:
        raise ValueError(f"the backup passphrase needs {MIN_PASSPHRASE} characters or more")
    return value


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.backup.services import backup_check, backup_write

    path = Path(args.file)
    if args.check:
        checked = backup_check(path, passphrase=passphrase(confirm=False))
        rows = sum(t["count"] for t in checked["tables"].values())
        print(
            f"{path} is intact: {len(checked['tables'])} tables, {rows} rows, "
            f"{len(checked['files'])} files, made {checked['meta'].get('created', '?')}."
        )
        return 0
    if path.exists():
        raise FileExistsError(f"{path} exists; choose a new file name")
    summary = backup_write(path, passphrase=passphrase(confirm=True))
    print(
        f"Backup written to {path}: {len(summary.tables)} tables, {summary.rows} rows, "
        f"{len(summary.files)} files. Keep the passphrase apart from the file."
    )
    return 0
