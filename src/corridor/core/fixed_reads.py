"""Rows of a model read by fixed statements (decision 0388).

Every signed-in request reads its session, its user, its second-factor device and, for most
people, their memberships. Read through querysets, Django builds and compiles each of those
statements anew on every request, and that was about a third of the CPU of a kept gap API
answer (bench/README.md, "Issue 18, wave 12: the gap API under load"). Here the statement is
written once per model, fields and conditions (and database), and read through a raw
queryset: the same column converters and ``Model.from_db`` as the ORM, so an instance is the
one ``Model.objects.get`` would give, with only the asked fields loaded when ``fields`` is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

#: What a condition may ask of its field; "in" takes a sequence of values.
OPERATORS = ("=", ">", "in")

_STATEMENTS: dict[tuple, str] = {}


def rows_where(
    model: type[M],
    conditions: tuple[tuple[str, str], ...],
    values: Sequence[Any],
    *,
    fields: tuple[str, ...] = (),
    using: str | None = None,
) -> Iterator[M]:
    """The rows of ``model`` whose fields meet ``conditions`` — pairs of a field name and one
    of ``OPERATORS`` — with ``values``, in order; with ``fields``, only those fields (and the
    primary key) are read. The table is read as it is: only for a model whose default manager
    hides no rows. No order is promised."""
    alias = using or router.db_for_read(model)
    connection = connections[alias]
    sizes = tuple(
        len(value) if operator == "in" else None
        for (_, operator), value in zip(conditions, values, strict=True)
    )
    key = (model, conditions, fields, sizes, alias, connection.vendor)
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = _statement(model, conditions, fields, sizes, connection)
    meta = model._meta
    params: list[Any] = []
    for (name, operator), value in zip(conditions, values, strict=True):
        field = meta.get_field(name)
        if operator == "in":
            params.extend(field.get_db_prep_value(each, connection) for each in value)  # type: ignore[union-attr]
        else:
            params.append(field.get_db_prep_value(value, connection))  # type: ignore[union-attr]
    return iter(model._default_manager.raw(sql, params, using=alias))


def row_where(
    model: type[M],
    conditions: tuple[tuple[str, str], ...],
    values: Sequence[Any],
    *,
    using: str | None = None,
) -> M | None:
    """The one row of ``model`` that meets ``conditions`` (as ``rows_where``), or None. One of
    the "=" conditions must be on a unique field, so that at most one row can match."""
    meta = model._meta
    if not any(
        operator == "=" and (meta.get_field(name).unique or meta.get_field(name).primary_key)
        for name, operator in conditions
    ):
        raise ValueError(f"{meta.label}: no unique field among {conditions}: more than one row")
    return next(rows_where(model, conditions, values, using=using), None)


def _statement(
    model: type[models.Model],
    conditions: tuple[tuple[str, str], ...],
    fields: tuple[str, ...],
    sizes: tuple[int | None, ...],
    connection: Any,
) -> str:
    meta = model._meta
    if model._default_manager.get_queryset().query.where:
        raise ValueError(f"{meta.label}: its default manager hides rows; a fixed read would not")
    quote = connection.ops.quote_name
    wheres = []
    for (name, operator), size in zip(conditions, sizes, strict=True):
        if operator not in OPERATORS:
            raise ValueError(f"{meta.label}.{name}: {operator!r} is not one of {OPERATORS}")
        column = quote(meta.get_field(name).column)  # type: ignore[union-attr]
        if operator == "in":
            # An empty list matches nothing, as the ORM's __in=[] does.
            wheres.append(f"{column} IN ({', '.join(['%s'] * size)})" if size else "1 = 0")  # type: ignore[list-item]
        else:
            wheres.append(f"{column} {operator} %s")
    read = (
        [meta.pk, *(meta.get_field(name) for name in fields if name != meta.pk.name)]
        if fields
        else meta.concrete_fields
    )
    columns = ", ".join(quote(field.column) for field in read)  # type: ignore[union-attr]
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {' AND '.join(wheres)}"  # noqa: S608 (names from the model, values bound)
