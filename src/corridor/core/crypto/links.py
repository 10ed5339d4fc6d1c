"""The one digest kept in place of a single-use secret: an API token, an invitation link to
an organisation or to endorse a statement. Only the SHA-256 of the secret is stored, so a copy
of the database cannot be used to sign in or to endorse."""

from __future__ import annotations

import hashlib


def secret_digest(secret: str) -> str:
    """The hex SHA-256 of ``secret`` (UTF-8), as stored in a ``digest`` column."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
