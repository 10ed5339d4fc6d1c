"""Evidence files for transfers: stored encrypted in the database, audited without content.

Kept beside services.py (same rules: policy first, one audited transaction) because the
transfer services belong to the access-control work; move it in when they settle.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from corridor.accounts import policy
from corridor.audit.services import audited_create
from corridor.core.errors import InvalidInput
from corridor.funds.models import Evidence, Transfer


def evidence_attach(
    *, by: Any, transfer: Transfer, filename: str, data: bytes, content_type: str = ""
) -> Evidence:
    """Attach a file to a transfer; whoever may change the transfer may attach to it."""
    policy.require(by, policy.CHANGE, transfer)
    if not data:
        raise InvalidInput(f"evidence {filename!r} is empty")
    if len(data) > settings.EVIDENCE_MAX_BYTES:
        raise InvalidInput(
            f"evidence {filename!r} is {len(data)} bytes; the limit is "
            f"{settings.EVIDENCE_MAX_BYTES} (CORRIDOR_EVIDENCE_MAX_BYTES)"
        )
    evidence = Evidence(
        transfer=transfer,
        filename=filename,
        content_type=content_type,
        size=len(data),
        content=bytes(data),
    )
    return audited_create(evidence, by=by)
