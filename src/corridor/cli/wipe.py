"""`corridor wipe`: destroy this field instance's keys and data now (docs/security/at-rest.md)."""

from __future__ import annotations

import argparse
import sys

NAME = "wipe"
HELP = "destroy the keys, the database and every file of this instance (cannot be undone)"
CONFIRM = "wipe"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes",
        action="store_true",
        help="do not ask for confirmation (for a panic script); without it, type 'wipe'",
    )


def run(args: argparse.Namespace) -> int:
    # No Django: a wipe must be quick on a loaded laptop and work when the instance cannot start.
    from corridor import config
    from corridor.core import instance
    from corridor.keys.wipe import instance_wipe

    home = instance.ensure_home(config.value("CORRIDOR_HOME"))
    if not args.yes:
        if not sys.stdin.isatty():
            raise ValueError("not confirmed: pass --yes, or run it in a terminal and type 'wipe'")
        print(f"This destroys the keys and every file in {home}. It cannot be undone.")
        if input(f"Type {CONFIRM!r} to go on: ").strip() != CONFIRM:
            print("Not wiped.")
            return 1
    plain_sqlite = not config.value("CORRIDOR_DATABASE_URL")
    result = instance_wipe(
        home,
        database=home / instance.SQLITE_FILE if plain_sqlite else None,
        encrypted=config.value("CORRIDOR_DATABASE_ENCRYPTED"),
    )
    print(
        f"Wiped in {result['seconds']:.2f} s: {result['keys_shredded']} key files overwritten "
        f"and deleted, {result['removed']} files and folders deleted from {home}."
    )
    if result["database_encrypted"]:
        print(
            "The database was SQLCipher-encrypted: any copy of it, and every bound backup, "
            "is unreadable without the destroyed keyring."
        )
    else:
        print(
            "WARNING: the database was NOT encrypted (CORRIDOR_DATABASE_ENCRYPTED was off): its "
            "deleted blocks may still be recoverable from the disk, and older backups open "
            "with their passphrase alone."
        )
    return 0
