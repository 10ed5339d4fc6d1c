"""`corridor encrypt`: encrypt a plain SQLite field database in place (docs/security/at-rest.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "encrypt"
HELP = (
    "encrypt this field instance's plain SQLite database in place with SQLCipher "
    "(stop the server first)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from corridor import config
    from corridor.cli import django_env

    if config.value("CORRIDOR_DATABASE_URL"):
        raise ValueError(
            "encrypt is for a field instance on SQLite; this instance uses PostgreSQL "
            "(protect a server's disk with the database server's own means)"
        )
    # Django only for the settings and the keyring: no connection to the database is opened.
    django_env.setup()
    from django.conf import settings

    from corridor.core import instance
    from corridor.core.crypto import keyring
    from corridor.keys.encrypt import database_encrypt

    home = Path(settings.HOME)
    found = keyring.active()  # refuses a locked instance; asks for a sealed keyring's passphrase
    done = database_encrypt(home, home / instance.SQLITE_FILE, found.at_rest_key("database"))
    print(
        f"Encrypted {home / instance.SQLITE_FILE} in {done.seconds:.1f} s: {done.tables} tables, "
        f"{done.rows} rows, checked against the plain file before it was overwritten and "
        f"deleted ({', '.join(done.overwritten)})."
    )
    if not config.value("CORRIDOR_DATABASE_ENCRYPTED"):
        print(
            "Now set CORRIDOR_DATABASE_ENCRYPTED=1 in the environment this instance always uses "
            "(e.g. its shell profile): without it Corridor cannot open the database."
        )
    if not found.protected:
        print(
            "WARNING: the keyring is not sealed with a passphrase, so the key sits beside the "
            "database: run `corridor keys protect` (docs/security/at-rest.md)."
        )
    print(
        "Backups made before now are not bound to the keyring (they open with their own "
        "passphrase alone): delete them once `corridor backup` has made a new one."
    )
    return 0
