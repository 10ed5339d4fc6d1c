"""`corridor demo`: a ready-to-explore instance with synthetic data, in its own folder."""

from __future__ import annotations

import argparse
import base64
import os
import secrets

from corridor.cli import django_env, init, load_demo, serve

NAME = "demo"
HELP = "set up a demo instance (./corridor-demo) with synthetic data and serve it"

DEMO_USER = "demo-admin"
PASSWORD_FILE = "demo-admin-password"  # noqa: S105 — a file name, not a password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    serve.add_server_arguments(parser)
    parser.add_argument(
        "--no-serve", action="store_true", help="prepare the demo instance but do not serve it"
    )


def demo_password() -> str:
    """The demo admin's password: generated once, kept in the instance folder (mode 0600)."""
    from django.conf import settings

    from corridor.core.instance import write_private

    path = settings.HOME / PASSWORD_FILE
    if not path.exists():
        write_private(path, secrets.token_urlsafe(12).encode())
    return path.read_text().strip()


def demo_authenticator(user):
    """The demo admin's authenticator, created confirmed on first use."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
    return device


def run(args: argparse.Namespace) -> int:
    # The demo never mixes synthetic data into a real instance unless --home says so.
    if not args.home and "CORRIDOR_HOME" not in os.environ:
        os.environ["CORRIDOR_HOME"] = "corridor-demo"
    django_env.setup()
    from corridor.accounts.queries import user_named
    from corridor.accounts.services import admin_create, recovery_codes_issue
    from corridor.geo.services import admin_units_load

    init.migrate(verbose=False)
    admin_units_load(by=None)
    password = demo_password()
    recovery_codes: list[str] = []
    user = user_named(DEMO_USER)
    if user is None:
        user = admin_create(by=None, username=DEMO_USER, password=password)
        recovery_codes = recovery_codes_issue(by=None, user=user)
    device = demo_authenticator(user)
    load_demo.load(seed=2021)
    print(f"Demo ready. Sign in as {DEMO_USER!r} with password {password!r}.")
    # The demo keeps the production rule (a second factor for everyone) and hands the demo
    # admin's authenticator key to the person at the keyboard (docs/decisions/0044-demo-sign-in.md).
    secret = base64.b32encode(device.bin_key).decode()
    print(f"Then give a code from an authenticator app set up with this key: {secret}")
    print(f"  (or add it as a link: {device.config_url})")
    if recovery_codes:
        print("No authenticator app? Each of these one-time recovery codes works once instead")
        print("(shown only now): " + "  ".join(recovery_codes))
    if args.no_serve:
        return 0
    return serve.serve(args)
