"""Every Corridor setting, declared once: name, type, default and a line of help.

Settings come from the environment (``CORRIDOR_*``). ``settings.py`` reads them only through
``value()``; ``docs/settings.md`` lists them and a test fails when one is undocumented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A setting has a value Corridor cannot use."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "CORRIDOR_HOME",
            Path,
            Path("corridor-data"),
            "Instance folder holding the SQLite database, the secret key and encryption keys.",
        ),
        Setting(
            "CORRIDOR_DATABASE_URL",
            str,
            "",
            "Database URL, e.g. postgresql://user@host:5432/corridor. "
            "Empty: SQLite in the instance folder.",
        ),
        Setting(
            "CORRIDOR_DEBUG",
            bool,
            False,
            "Django debug mode. Never on a server reachable by others.",
        ),
        Setting(
            "CORRIDOR_SECRET_KEY",
            str,
            "",
            "Django secret key. Empty: generated on first run into the instance folder "
            "(mode 0600).",
        ),
        Setting(
            "CORRIDOR_ENCRYPTION_KEYS",
            str,
            "",
            "Field-encryption keys as id:base64key[,id:base64key...], the first one current. "
            "Empty: the keyring file CORRIDOR_HOME/keys/keyring.json.",
        ),
        Setting(
            "CORRIDOR_KEY_PASSPHRASE",
            str,
            "",
            "Passphrase that unlocks a passphrase-protected keyring file. Empty: asked for "
            "in a terminal.",
        ),
        Setting(
            "CORRIDOR_BACKUP_PASSPHRASE",
            str,
            "",
            "Passphrase that encrypts `corridor backup` files and opens them for "
            "`corridor restore`. Empty: asked for in a terminal.",
        ),
        Setting(
            "CORRIDOR_DATABASE_ENCRYPTED",
            bool,
            False,
            "SQLite only (field laptops): encrypt the whole database file with SQLCipher under "
            "a key in the keyring. Set it before `corridor init`; see docs/security/at-rest.md.",
        ),
        Setting(
            "CORRIDOR_IDLE_LOCK_MINUTES",
            int,
            0,
            "Lock a running server after this many minutes without a request: its keys are "
            "dropped until the passphrase is given again. 0: never.",
        ),
        Setting(
            "CORRIDOR_AUDIT_ANCHOR",
            Path,
            None,
            "File recording the audit trail's last entry, to detect removed entries at the "
            "end. Empty: CORRIDOR_HOME/audit-anchor.json.",
        ),
        Setting(
            "CORRIDOR_ALLOWED_HOSTS",
            list,
            ["127.0.0.1", "localhost", "[::1]"],
            "Comma-separated host names the server answers to.",
        ),
        Setting(
            "CORRIDOR_SECURE",
            bool,
            False,
            "Served over HTTPS: secure cookies, HSTS and HTTPS redirect. Turn on behind TLS.",
        ),
        Setting(
            "CORRIDOR_2FA_OPTIONAL_FOR_VIEWERS",
            bool,
            False,
            "Let accounts that can only view sign in without a second factor. Off: every "
            "account needs one.",
        ),
        Setting(
            "CORRIDOR_PASSWORD_DENYLIST",
            str,
            "",
            "Optional file of extra refused passwords, one per line (e.g. a breached-password "
            "list), on top of the 20,000 common passwords built in.",
        ),
        Setting(
            "CORRIDOR_CLIENT_ADDRESS_HEADER",
            str,
            "",
            "Behind a reverse proxy: the header holding the client's address, e.g. "
            "X-Forwarded-For (its last entry is used). Empty: the connection's address.",
        ),
        Setting(
            "CORRIDOR_LANGUAGE",
            str,
            "en",
            "Default interface language: en or my.",
        ),
        Setting(
            "CORRIDOR_LOG_LEVEL",
            str,
            "WARNING",
            "Log level of the corridor logger (DEBUG, INFO, WARNING, ERROR).",
        ),
        Setting(
            "CORRIDOR_DISCLOSURE_K",
            int,
            5,
            "Smallest count public pages and exports may show; smaller counts are suppressed. "
            "At least 3.",
        ),
        Setting(
            "CORRIDOR_PUBLICATION_DELAY_DAYS",
            int,
            14,
            "Days before an incident or activity may appear in public outputs (whole ISO weeks).",
        ),
        Setting(
            "CORRIDOR_EARLIEST_DATE",
            str,
            "2021-01-01",
            "Earliest date a record may carry (YYYY-MM-DD); an earlier one is refused as a "
            "typing mistake.",
        ),
        Setting(
            "CORRIDOR_PLANNING_HORIZON_DAYS",
            int,
            366,
            "How far ahead of today an activity's month, start or end may lie (planned work). "
            "Incidents, figures and transfers can never be in the future.",
        ),
    ]
}


def _parse(setting: Setting, raw: str) -> Any:
    if setting.kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{setting.name}={raw!r} is not a yes/no value (use 1 or 0)")
    if setting.kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{setting.name}={raw!r} is not a whole number") from None
    if setting.kind is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if setting.kind is Path:
        return Path(raw).expanduser()
    return raw


def value(name: str) -> Any:
    """The setting's value from the environment, or its default."""
    setting = SETTINGS[name]
    raw = os.environ.get(name)
    if raw is None:
        return setting.default
    return _parse(setting, raw)


# A key Django or a tutorial generated for development, or one too short to resist guessing.
_WEAK_KEY_PREFIXES = ("django-insecure", "changeme", "secret")


def unsafe_reasons(*, debug: bool, secure: bool, secret_key: str) -> list[str]:
    """Why these settings must not serve real users, if they must not (empty when fine)."""
    reasons = []
    if secure and debug:
        reasons.append("CORRIDOR_DEBUG is on while CORRIDOR_SECURE is on")
    if secret_key:
        if len(secret_key) < 50 or len(set(secret_key)) < 5:
            reasons.append("CORRIDOR_SECRET_KEY is weak (use 50 or more random characters)")
        elif secret_key.lower().startswith(_WEAK_KEY_PREFIXES):
            reasons.append("CORRIDOR_SECRET_KEY is a placeholder, not a random key")
    return reasons
