"""Rows as database-independent values, and checksums that come out the same on any engine.

A backup holds each table's rows as JSON values of the model's concrete fields (read through
the ORM, so protected fields are the decrypted values and SQLite rows restore into
PostgreSQL). The checksum of a table is the SHA-256 over the sorted SHA-256s of its rows, so
it does not depend on the order an engine returns rows in.
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


def row_digest(values: list[Any]) -> bytes:
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()


class TableSum:
    """Count and order-independent checksum of a table's rows."""

    def __init__(self) -> None:
        self.count = 0
        self._digests: list[bytes] = []

    def add(self, values: list[Any]) -> None:
        self.count += 1
        self._digests.append(row_digest(values))

    @property
    def checksum(self) -> str:
        total = hashlib.sha256()
        for digest in sorted(self._digests):
            total.update(digest)
        return total.hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "checksum": self.checksum}


def rows(model: type[models.Model]):
    """Encoded rows of ``model`` in primary-key order."""
    flds = fields_of(model)
    queryset = model._base_manager.order_by("pk").values_list(*[f.attname for f in flds])
    for row in queryset.iterator(chunk_size=500):
        yield [encode(f, v) for f, v in zip(flds, row, strict=True)]


def table_checksums(only: list[type[models.Model]] | None = None) -> dict[str, dict[str, Any]]:
    """{'app.model': {'count': n, 'checksum': hex}} for every backed-up table."""
    result = {}
    for model in only or backed_up_models():
        total = TableSum()
        for values in rows(model):
            total.add(values)
        result[model._meta.label_lower] = total.as_dict()
    return result
