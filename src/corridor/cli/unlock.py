"""`corridor unlock`: prove the passphrase and lift `corridor lock`."""

from __future__ import annotations

import argparse
import getpass
import sys

from corridor import config
from corridor.cli import django_env

NAME = "unlock"
HELP = "unlock the instance with its passphrase (CORRIDOR_KEY_PASSPHRASE, stdin or asked)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def passphrase() -> str:
    given = config.value("CORRIDOR_KEY_PASSPHRASE")
    if given:
        return given
    if sys.stdin.isatty():
        return getpass.getpass("Passphrase of the encryption keys: ")
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from django.conf import settings

    from corridor.keys.atrest import instance_unlock

    instance_unlock(settings.HOME, passphrase())
    print(
        "Unlocked. Commands run again; a running server asks for the passphrase once on "
        "its page (its keys left its memory when it locked)."
    )
    return 0
