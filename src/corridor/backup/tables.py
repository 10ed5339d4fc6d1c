"""Rows as database-independent values, and checksums that come out the same on any engine.

A backup holds each table's rows as JSON values of the model's concrete fields (read through
the ORM, so protected fields are the decrypted values and SQLite rows restore into
PostgreSQL). A row's digest is the SHA-256 of its values as canonical JSON. The checksum of a
table does not depend on the order an engine returns rows in: since decision 0379 it is the
sum of its rows' digests read as 256-bit numbers, modulo 2**256 (``SUM``: constant memory
whatever the size of the table); backups written before then name no method in their
description and use the SHA-256 over the sorted digests (``SORTED``: a list of every row's
digest, read only to check or restore those backups).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

# Sessions are not backed up: after a restore everyone signs in again. The data version
# (decision 0271) is made by the migrations and changed by the restore's own writes: it belongs
# to the database, not to the data.
SKIPPED = {"sessions.session", "aid.dataversion"}


def backed_up_models() -> list[type[models.Model]]:
    """Every table Corridor's apps own, including many-to-many link tables."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED
    ]


def fields_of(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def encode(field: models.Field | None, value: Any) -> Any:
    """A JSON value for ``value`` of ``field`` (None: a file's bytes), identical whichever
    engine it came from."""
    if value is None:
        return None
    if isinstance(value, memoryview | bytes | bytearray):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def decode(field: models.Field | None, value: Any) -> Any:
    """The stored value back from its JSON; ``field`` None: a file's bytes."""
    if (
        isinstance(value, dict)
        and set(value) == {"b64"}
        and not isinstance(field, models.JSONField)
    ):
        return base64.b64decode(value["b64"])
    if value is None or field is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


# Checksum methods, named in a backup's description (its "meta" record); none named: SORTED.
SUM = "row-sha256-sum"
SORTED = "row-sha256-sorted"
METHODS = (SUM, SORTED)
_MODULUS = 1 << 256

# One encoder each, made once: ``json.dumps`` with options builds a new encoder per call.
_ROW_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
# Values that ``encode`` returns unchanged: tested by exact type, before the call.
_PLAIN = frozenset({str, int, float, bool, type(None)})
# Rows read per round trip (a server-side cursor on PostgreSQL, fetchmany on SQLite).
READ_CHUNK = 2000


def row_text(values: list[Any]) -> str:
    """A row as it is written in a backup's rows record."""
    return _ROW_JSON.encode(values)


def row_digest(values: list[Any], text: str | None = None) -> bytes:
    """SHA-256 of the row as canonical JSON (object keys sorted). ``text``: the row's
    ``row_text``, reused when it holds no object (then the two are the same)."""
    if text is None or "{" in text:
        text = _CANONICAL_JSON.encode(values)
    return hashlib.sha256(text.encode("utf-8")).digest()


class TableSum:
    """Count and order-independent checksum of a table's rows."""

    def __init__(self, method: str = SUM) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown table checksum {method!r}")
        self.method = method
        self.count = 0
        self._total = 0
        self._digests: list[bytes] = []

    def add(self, values: list[Any], text: str | None = None) -> None:
        self.add_digest(row_digest(values, text))

    def add_digest(self, digest: bytes) -> None:
        self.count += 1
        if self.method == SUM:
            self._total += int.from_bytes(digest, "big")
        else:
            self._digests.append(digest)

    @property
    def checksum(self) -> str:
        if self.method == SUM:
            return (self._total % _MODULUS).to_bytes(32, "big").hex()
        total = hashlib.sha256()
        for digest in sorted(self._digests):
            total.update(digest)
        return total.hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "checksum": self.checksum}


def rows(model: type[models.Model]):
    """Encoded rows of ``model`` in primary-key order, read ``READ_CHUNK`` at a time."""
    flds = fields_of(model)
    queryset = model._base_manager.order_by("pk").values_list(*[f.attname for f in flds])
    plain = _PLAIN
    for row in queryset.iterator(chunk_size=READ_CHUNK):
        yield [
            value if type(value) in plain else encode(f, value)
            for f, value in zip(flds, row, strict=True)
        ]


def table_checksums(
    only: list[type[models.Model]] | None = None, *, method: str = SUM
) -> dict[str, dict[str, Any]]:
    """{'app.model': {'count': n, 'checksum': hex}} for every backed-up table."""
    result = {}
    for model in only or backed_up_models():
        total = TableSum(method)
        for values in rows(model):
            total.add(values)
        result[model._meta.label_lower] = total.as_dict()
    return result
