"""`corridor restore FILE`: bring a backup into a fresh instance."""

from __future__ import annotations

import argparse
from pathlib import Path

from corridor.cli import django_env
from corridor.cli.backup import passphrase

NAME = "restore"
HELP = "restore a backup into a fresh instance (new CORRIDOR_HOME, empty database)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="backup file written by `corridor backup`")
    parser.add_argument(
        "--keyring",
        metavar="FILE",
        help="a field instance's backup is bound to its keyring: the keyring file "
        "(keys/keyring.json) to adopt into this new instance first",
    )


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.backup.services import backup_restore

    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file")
    if args.keyring:
        from django.conf import settings

        from corridor.core.crypto.keyring import keyring_adopt

        adopted = keyring_adopt(Path(args.keyring), Path(settings.HOME))
        print(f"Keyring {args.keyring} adopted as {adopted}.")
    checked = backup_restore(path, passphrase=passphrase(confirm=False))
    rows = sum(t["count"] for t in checked["tables"].values())
    print(
        f"Restored {path}: {len(checked['tables'])} tables, {rows} rows and "
        f"{len(checked['files'])} files, every table checked against its checksum."
    )
    print(
        "Everyone signs in again (sessions are not in backups). Check with `corridor audit verify`."
    )
    return 0
