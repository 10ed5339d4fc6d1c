"""Writing many rows at once: one INSERT ... ON CONFLICT DO UPDATE per batch (executemany).

The statement is built from the model's own field list, so it follows migrations: columns the
importer does not fill get their model default, and every value goes through the field's own
``get_db_prep_save`` unless it is a plain type (so encrypted fields are encrypted). A row is
only rewritten when a value differs (``WHERE ... IS DISTINCT FROM``), which makes re-importing
a file a true no-op: no updated_at bump, nothing counted as changed. Encrypted columns differ
on every encryption (random nonce), so an unchanged value keeps its stored ciphertext.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

BOOKKEEPING = ("created_at", "updated_at", "created_by_id", "updated_by_id")


class Upsert:
    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        conflict: Sequence[str],
        *,
        update: bool = True,
    ) -> None:
        self.model = model
        self.columns = tuple(columns)
        by_column = {f.attname: f for f in model._meta.concrete_fields}
        self.has_bookkeeping = "created_at" in by_column
        self.defaults = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in self.columns
            and f.attname not in BOOKKEEPING
            and not f.primary_key
            and (f.has_default() or not f.null)
        ]
        all_columns = (
            list(self.columns)
            + [f.attname for f in self.defaults]
            + (list(BOOKKEEPING) if self.has_bookkeeping else [])
        )
        q = connection.ops.quote_name
        table = q(model._meta.db_table)
        fields = [by_column[c] for c in all_columns]
        names = ", ".join(q(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        target = ", ".join(q(by_column[c].column) for c in conflict)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({target}) "  # noqa: S608 — names come from the model
        changing = [by_column[c] for c in self.columns if c not in conflict and c != "id"]
        if update and changing:
            distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
            sets = [f"{q(f.column)} = excluded.{q(f.column)}" for f in changing]
            if self.has_bookkeeping:
                sets += [f"{q(c)} = excluded.{q(c)}" for c in ("updated_at", "updated_by_id")]
            differs = " OR ".join(
                f"{table}.{q(f.column)} {distinct} excluded.{q(f.column)}" for f in changing
            )
            sql += f"DO UPDATE SET {', '.join(sets)} WHERE {differs}"
        else:
            sql += "DO NOTHING"
        self.sql = sql
        self.table = table
        self.adapters: list[tuple[int, Callable[[Any], Any]]] = []
        self.sealed: list[tuple[int, models.Field]] = []
        for at, field in enumerate(fields[: len(self.columns)]):
            if _is_sealed(field):
                self.sealed.append((at, field))
                continue
            adapter = _adapter(field)
            if adapter is not None:
                self.adapters.append((at, adapter))
        if self.sealed and tuple(conflict) != ("id",):
            raise ValueError("encrypted columns are only supported with conflict on id")

    def write(self, rows: Sequence[Sequence[Any]], *, by: Any = None) -> int:
        """Upsert the rows (values in ``columns`` order); returns rows inserted or changed."""
        if not rows:
            return 0
        tail: tuple[Any, ...] = tuple(
            f.get_db_prep_save(f.get_default(), connection) for f in self.defaults
        )
        if self.has_bookkeeping:
            now = _adapter(self.model._meta.get_field("created_at"))(timezone.now())  # type: ignore[misc]
            user = by.pk if by is not None and by.pk is not None else None
            if user is not None:
                adapt_user = _adapter(self.model._meta.get_field("created_by"))
                user = adapt_user(user) if adapt_user else user
            tail = (*tail, now, now, user, user)
        adapters = self.adapters
        stored = self._stored_sealed(rows) if self.sealed else {}
        params = []
        for row in rows:
            values = list(row)
            for at, adapt in adapters:
                value = values[at]
                if value is not None:
                    values[at] = adapt(value)
            if self.sealed:
                kept = stored.get(str(row[0]), {})
                for at, field in self.sealed:
                    old = kept.get(at)
                    if old is not None and old[0] == row[at]:
                        values[at] = old[1]
                    else:
                        values[at] = field.get_db_prep_save(row[at], connection)
            params.append((*values, *tail))
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
            return max(cursor.rowcount, 0)

    def _stored_sealed(self, rows: Sequence[Sequence[Any]]) -> dict[str, dict[int, tuple]]:
        """Existing encrypted values of these rows: id -> {position: (plain, ciphertext)}."""
        q = connection.ops.quote_name
        pk = self.model._meta.pk
        names = ", ".join(q(field.column) for _, field in self.sealed)
        found: dict[str, dict[int, tuple]] = {}
        ids = [row[0] for row in rows]
        prep = _adapter(pk) or (lambda v: v)
        for start in range(0, len(ids), 500):
            chunk = [prep(v) for v in ids[start : start + 500]]
            marks = ", ".join(["%s"] * len(chunk))
            sql = (
                f"SELECT {q(pk.column)}, {names} FROM {self.table} "  # noqa: S608 — model names
                f"WHERE {q(pk.column)} IN ({marks})"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, chunk)
                for record in cursor.fetchall():
                    key = str(pk.to_python(record[0]))
                    found[key] = {
                        at: (field.from_db_value(raw, None, connection), raw)
                        for (at, field), raw in zip(self.sealed, record[1:], strict=True)
                        if raw is not None
                    }
        return found


def _is_sealed(field: models.Field) -> bool:
    # Encrypted fields (corridor.core.crypto.fields) keep plain only what is_stored_plain says.
    return callable(getattr(field, "is_stored_plain", None))


_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
)


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value must be prepared for this database column, or None when as-is."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    if type(target) is models.UUIDField:
        return _uuid_hex if connection.vendor == "sqlite" else None
    if isinstance(target, _PLAIN) and not _is_sealed(target):
        return None
    return lambda value: target.get_db_prep_save(value, connection)


def _uuid_hex(value: Any) -> str:
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex


def table_count(model: type[models.Model]) -> int:
    return model._default_manager.count()
