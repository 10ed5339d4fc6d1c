"""`corridor keys`: the field-encryption keys: status, rotation, retirement, passphrase."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from corridor.cli import django_env

NAME = "keys"
HELP = "field-encryption keys: status, rotate, retire, protect with a passphrase"

MIN_PASSPHRASE = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    sub.add_parser("status", help="where the keys come from and how many values each key holds")
    rotate = sub.add_parser(
        "rotate",
        help="add a new key, make it current and re-encrypt every protected value under it",
    )
    rotate.add_argument(
        "--resume",
        action="store_true",
        help="no new key: finish an interrupted rotation (or one prepared in "
        "CORRIDOR_ENCRYPTION_KEYS)",
    )
    retire = sub.add_parser("retire", help="remove an old key that no value uses any more")
    retire.add_argument("key_id", help="the key's id, as `corridor keys status` shows it")
    sub.add_parser(
        "protect",
        help="seal the keyring file with a (new) passphrase: read from stdin, or asked twice",
    )
    sub.add_parser("unprotect", help="store the keyring file without a passphrase")
    sub.add_parser("new", help="print a new key as id:base64key for CORRIDOR_ENCRYPTION_KEYS")


def ensure(*, verbose: bool = True) -> None:
    """Load the keys, creating the keyring file on first use (``corridor init``)."""
    from corridor.core.crypto import keyring

    existed = keyring.keyring_path(_home()).exists()
    found = keyring.unlock()
    if not verbose:
        return
    if found.source == "environment":
        print(f"Encryption keys: from CORRIDOR_ENCRYPTION_KEYS (current {found.current}).")
    else:
        state = "in use" if existed else "created"
        sealed = "passphrase-protected" if found.protected else "not passphrase-protected"
        print(f"Encryption keys: {found.path} {state} ({sealed}).")


def _home():
    from django.conf import settings

    return settings.HOME


def status() -> int:
    from corridor.core.crypto import keyring
    from corridor.keys.services import key_usage

    found = keyring.active(fresh=True)
    if found.source == "environment":
        print("Keys from: CORRIDOR_ENCRYPTION_KEYS")
    else:
        sealed = "protected by a passphrase" if found.protected else "NOT passphrase-protected"
        print(f"Keys from: {found.path} ({sealed})")
    print(f"Current key: {found.current}")
    for key_id in sorted(found.keys):
        created = found.created.get(key_id, "")
        marks = ", ".join(x for x in ("current" if key_id == found.current else "", created) if x)
        print(f"  {key_id}" + (f"  ({marks})" if marks else ""))
    usage = key_usage()
    old = 0
    print("Encrypted values per field and key:")
    for label, counts in usage.items():
        shown = ", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "none"
        print(f"  {label}: {shown}")
        old += sum(n for k, n in counts.items() if k != found.current)
    if old:
        print(f"{old} values are not under the current key: run `corridor keys rotate --resume`.")
    else:
        print("Every value is under the current key.")
    return 0


def rotate(args: argparse.Namespace) -> int:
    from corridor.core.crypto import keyring
    from corridor.keys.services import keys_rotate

    found = keyring.active(fresh=True)
    if found.source == "environment" and not args.resume:
        raise ValueError(
            "the keys come from CORRIDOR_ENCRYPTION_KEYS: put a new key first in it "
            "(`corridor keys new`), restart, then run `corridor keys rotate --resume`"
        )
    result = keys_rotate(by=None, new_key=not args.resume)
    if result.new_key:
        print(f"New current key {result.current} saved in the keyring.")
    print(f"Re-encrypted {result.total} values under key {result.current}.")
    if result.old_keys:
        print(
            f"Old keys kept: {', '.join(result.old_keys)}. Once you have a fresh backup, "
            f"remove each with `corridor keys retire ID`."
        )
    return 0


def _new_passphrase() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("New passphrase for the encryption keys: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("the two passphrases differ")
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    if len(first) < MIN_PASSPHRASE:
        raise ValueError(f"the passphrase needs {MIN_PASSPHRASE} characters or more")
    return first


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from corridor.core.crypto import keyring
    from corridor.keys.services import key_retire

    command = args.keys_command
    if command == "new":
        print(keyring.key_as_text(keyring.new_key_id(), secrets.token_bytes(keyring.KEY_BYTES)))
        return 0
    if command == "status":
        return status()
    if command == "rotate":
        return rotate(args)
    if command == "retire":
        key_retire(by=None, key_id=args.key_id)
        print(f"Key {args.key_id} retired: it is gone from the keyring.")
        return 0
    keyring.active(fresh=True)  # unlock with the old passphrase first
    if command == "protect":
        found = keyring.keyring_reseal(_new_passphrase())
        print(
            f"{found.path} is now sealed with the passphrase. Start the server with it in "
            f"CORRIDOR_KEY_PASSPHRASE or type it when asked."
        )
    else:
        found = keyring.keyring_reseal(None)
        print(f"{found.path} is now stored without a passphrase (readable by this account).")
    _record_key_change(command)
    return 0


def _record_key_change(command: str) -> None:
    from django.db import transaction

    from corridor.audit.services import Action, audit_record

    with transaction.atomic():
        audit_record(
            by=None,
            action=Action.KEY_CHANGE,
            object_type="keyring",
            changes={"event": f"keyring {command}ed"},
        )
