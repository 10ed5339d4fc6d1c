"""`corridor wipe`: destroy this field instance's keys and data now (docs/security/at-rest.md)."""

from __future__ import annotations

import argparse
import sys

from corridor.cli import django_env

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
    django_env.setup()
    from django.conf import settings
    from django.db import connection

    from corridor.keys.atrest import instance_wipe

    if not args.yes:
        if not sys.stdin.isatty():
            raise ValueError("not confirmed: pass --yes, or run it in a terminal and type 'wipe'")
        print(f"This destroys the keys and every file in {settings.HOME}. It cannot be undone.")
        if input(f"Type {CONFIRM!r} to go on: ").strip() != CONFIRM:
            print("Not wiped.")
            return 1
    database = settings.DATABASES["default"]["NAME"] if connection.vendor == "sqlite" else None
    result = instance_wipe(settings.HOME, database=database)
    print(
        f"Wiped in {result['seconds']:.2f} s: {result['keys_shredded']} key files overwritten "
        f"and deleted, {result['removed']} files and folders deleted from {settings.HOME}."
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
