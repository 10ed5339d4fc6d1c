"""`corridor lock`: a running server drops its keys, shows its unlock page (at-rest.md)."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "lock"
HELP = "lock the instance: a running server drops its keys until the passphrase is given"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from django.conf import settings

    from corridor.keys.atrest import instance_lock

    instance_lock(settings.HOME)
    print(
        "Locked. A running server drops its keys at its next request and asks for the "
        "passphrase; commands refuse to run until `corridor unlock`."
    )
    return 0
