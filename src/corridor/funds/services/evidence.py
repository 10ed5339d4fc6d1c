"""Evidence of a transfer or of a spending: a photo of a receipt or a signed distribution list,
sent from a phone (the page, the API: the same call).

The picture is stripped of EXIF and GPS (``core.photos``) before anything is stored, and stored
encrypted with its file name (``Evidence.content``, ``Evidence.filename``). Who sees it: the
grant's parties only (``funds.access.evidence_rule``; decision 0262).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from corridor.accounts import policy
from corridor.audit.services import audited_create, audited_remove
from corridor.core.errors import InvalidInput
from corridor.core.photos import photo_clean
from corridor.funds.models import Evidence, Spending, Transfer

#: A phone photo is a few megabytes; more is refused before it is decoded.
MAX_UPLOAD_BYTES = 15 * 1024 * 1024


def evidence_add(
    *,
    by: Any,
    transfer: Transfer | None = None,
    spending: Spending | None = None,
    filename: str,
    data: bytes,
) -> Evidence:
    """Keep a photo as evidence of ``transfer`` or of ``spending`` (exactly one of the two),
    without its metadata, encrypted."""
    if (transfer is None) == (spending is None):
        raise InvalidInput("evidence backs one transfer or one spending")
    policy.require(by, policy.ADD, Evidence(transfer=transfer, spending=spending))
    if transfer is not None and transfer.is_removed:
        raise InvalidInput("this transfer is removed; restore it first")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"{filename}: more than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    clean = photo_clean(data, name=filename or "photo")
    stem = PurePath(filename or "photo").stem[:150] or "photo"
    # The field keeps bytes; django-stubs type every encrypted field by its text base.
    content: Any = clean.content
    evidence = Evidence(
        transfer=transfer,
        spending=spending,
        filename=f"{stem}.{clean.extension}",
        content_type=clean.content_type,
        content=content,
        size=len(clean.content),
    )
    return audited_create(evidence, by=by)


def evidence_remove(*, by: Any, evidence: Evidence, reason: str) -> Evidence:
    """Remove a piece of evidence softly, with the reason (decision 0180): it is no longer
    shown, and the removal travels to the instances that hold it (docs/sync.md)."""
    policy.require(by, policy.DELETE, evidence)
    return audited_remove(evidence, by=by, reason=reason)
