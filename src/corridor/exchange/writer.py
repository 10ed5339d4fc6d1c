"""Writing many rows at once, as an upsert that only rewrites rows whose values differ.

The statements are built from the model's own field list, so they follow migrations: columns
the importer does not fill get their model default, and every value goes through the field's
own ``get_db_prep_save`` unless it is a plain type (so encrypted fields are encrypted). A row
is only rewritten when a value differs (``IS DISTINCT FROM``), which makes re-importing a file
a true no-op: no updated_at bump, nothing counted as changed. Encrypted columns differ on
every encryption (random nonce), so an unchanged value keeps its stored ciphertext.

How a batch reaches the database depends on the database (decision 0090):
- PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT ... SELECT ... ON CONFLICT
  DO UPDATE ... WHERE <a value differs>``; ``RETURNING (xmax = 0)`` tells inserted rows from
  updated ones. One round trip per batch instead of one per row. The COPY's data is written
  here in its text format, column by column (``copy_text``, decision 0394), and the batch's
  lookup sends its ids as one array literal (``uuid_array``).
- SQLite: for tables keyed on ``id``, the batch's stored ids are looked up in one query; new
  rows go in with ``INSERT ... ON CONFLICT DO NOTHING`` (as fast as a plain INSERT) and only
  stored rows take the slower ``DO UPDATE`` path. A row another connection inserted in
  between is caught by the insert's row count and upserted after all.
- Inside ``background_inserts()`` (decision 0092) the statement that puts a batch into its
  table runs on a second thread, while the caller builds the next batch on the other core.
  SQLite: the new rows in as few multi-row ``INSERT`` statements as its limit on bound values
  allows, each column that is the same in every row bound once (decision 0392); PostgreSQL:
  the upsert from the COPY staging table.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

BOOKKEEPING = ("created_at", "updated_at", "created_by_id", "updated_by_id")
# Parameters per SELECT ... IN (...) lookup: SQLite's historical limit is 999.
LOOKUP_CHUNK = 900
# SQLite page cache while importing (KiB): the indexes of a million-row table stay in memory
# instead of being re-read from the operating system for every insert. 128 MiB keeps a
# million-row import under 1 GB at the same speed as 256 MiB (bench/README.md, wave 11).
SQLITE_IMPORT_CACHE_KIB = 128 * 1024


# SQLite's multi-row inserts (decision 0392). A prepared statement grows with its rows (about
# 5.5 MB for 5,000 rows of 11 values) and SQLite's driver keeps the last 128 it prepared, so
# the statements come in few shapes: at most MULTI_ROW_MOST rows, the rest of a batch in
# powers of two, and at most MULTI_ROW_SETS sets of constant columns per upsert (after that,
# none is bound once).
MULTI_ROW_MOST = 5000
MULTI_ROW_SETS = 4

# Objects made and kept since the collector last looked, past which ``collect_now_and_then``
# looks again during an import (decision 0384).
COLLECT_EVERY = 1_000_000


@contextmanager
def bulk_session() -> Iterator[None]:
    """Settings for a large import, restored afterwards.

    - SQLite: a larger page cache on this connection;
    - Python: objects that exist before the import are frozen out of the cyclic garbage
      collector, which otherwise walks them all (settings, the gazetteer resolver, ...) every
      few thousand rows: about 15 % of a large import's time. The collector does not run on
      its own until the end of the session either (decision 0384): it walked every batch's
      rows two or three times (10–20 % of the importing thread's time) to find the few
      thousand objects in cycles a whole file leaves. ``collect_now_and_then`` looks, between
      batches, once a million objects have been made and kept.
    """
    before = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (before,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB:d}")
    gc.freeze()
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        gc.unfreeze()
        if before is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(before):d}")


def collect_now_and_then() -> None:
    """Between batches of a ``bulk_session``: when a million objects have been made and kept
    since the collector last looked, collect the cycles among them and freeze the rest (the
    file's memory of its rows, kept to the end), so that nothing is walked twice."""
    if not gc.isenabled() and gc.get_count()[0] > COLLECT_EVERY:
        gc.collect()
        gc.freeze()


class Background:
    """Runs one batch's long statement at a time on a second thread (decision 0092).

    The database drivers let go of the interpreter lock while the database works (sqlite3
    while SQLite executes a statement, psycopg while it waits for the server), so while a
    batch's ``INSERT`` puts it into its table (most of an import's time: one B-tree insert per
    index per row), the importer reads and validates the next batch on the other core. (On
    SQLite the statement's values are bound on the second thread too, holding the lock for
    that while.) The statement runs on the same connection, hence in the same
    transaction. Every query made through Django on that connection waits for it first (an
    execute wrapper), and so does leaving ``background_inserts()``: nothing is read, written,
    committed or rolled back while it runs, and its error is raised in the caller's thread.

    Only SQL that calls no Python function belongs here: on SQLite a callback would need the
    interpreter lock, which the busy caller hands over only every few milliseconds. Code that
    uses the driver's connection itself (COPY) must call ``wait()`` first.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._result: Any = None
        self._done: Callable[[Any], None] | None = None

    def submit(self, work: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        """Run ``work(driver connection)`` on the second thread; ``done(its result)`` follows
        in ``wait``, on the caller's thread."""
        self.wait()
        if not connection.in_atomic_block:
            # Outside a transaction Django would commit under the running statement.
            raise RuntimeError("background statements need the caller's transaction")
        raw = connection.connection

        def run() -> None:
            try:
                self._result = work(raw)
            except BaseException as exc:  # raised again in the caller's thread by wait()
                self._error = exc

        self._done = done
        self._thread = threading.Thread(target=run, name="corridor-import-insert", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Wait for the running statement; raise its error, or hand its result to ``done``."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        error, self._error = self._error, None
        done, self._done = self._done, None
        if error is not None:
            with connection.wrap_database_errors:  # the driver's errors as Django's
                raise error
        if done is not None:
            done(self._result)

    def __call__(self, execute, sql, params, many, context):  # a Django execute wrapper
        self.wait()
        return execute(sql, params, many, context)


@contextmanager
def background_inserts() -> Iterator[Background | None]:
    """A ``Background`` for ``Upsert(..., background=...)`` (SQLite and PostgreSQL).

    Use it inside the transaction that commits the rows: leaving the block waits for the last
    statement (and raises its error) before anything else can happen on the connection.
    """
    if connection.vendor not in ("sqlite", "postgresql"):
        yield None
        return
    background = Background()
    with connection.execute_wrapper(background):
        try:
            yield background
        finally:
            background.wait()


class Upsert:
    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        conflict: Sequence[str],
        *,
        update: bool = True,
        background: Background | None = None,
    ) -> None:
        self.model = model
        self.columns = tuple(columns)
        self.conflict = tuple(conflict)
        self.update = update
        self.postgres = connection.vendor == "postgresql"
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
        self.table = q(model._meta.db_table)
        table = self.table
        fields = [by_column[c] for c in all_columns]
        self.name_list = [q(str(f.column)) for f in fields]
        self.names = ", ".join(self.name_list)
        marks = ", ".join(["%s"] * len(fields))
        target = ", ".join(q(str(by_column[c].column)) for c in conflict)
        self.key_at = [self.columns.index(c) for c in conflict]
        changing = [by_column[c] for c in self.columns if c not in conflict and c != "id"]
        # The columns the upsert compares (its WHERE <a value differs>): ``compared`` rows
        # fetched by ``stored`` let ``write`` leave out rows where none differs.
        self.compared = tuple(f.attname for f in changing)
        compared_at = [self.columns.index(f.attname) for f in changing]
        self._compared_at = compared_at
        # The compared values of a row, as a tuple like the ones ``stored`` reads.
        self._pick: Callable[[Sequence[Any]], Any] = (
            itemgetter(*compared_at)
            if len(compared_at) > 1
            else (lambda row: tuple(row[at] for at in compared_at))
        )
        # PostgreSQL gives UUID columns back as UUID objects: compared as 32 hex digits.
        self._uuid_compared = [
            n
            for n, f in enumerate(changing)
            if self.postgres and type(f.target_field if f.is_relation else f) is models.UUIDField  # type: ignore[attr-defined]
        ]
        if update and changing:
            distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
            sets = [f"{q(str(f.column))} = excluded.{q(str(f.column))}" for f in changing]
            if self.has_bookkeeping:
                sets += [f"{q(c)} = excluded.{q(c)}" for c in ("updated_at", "updated_by_id")]
            changed = [q(str(f.column)) for f in changing]
            differs = " OR ".join(f"{table}.{c} {distinct} excluded.{c}" for c in changed)
            on_conflict = f"ON CONFLICT ({target}) DO UPDATE SET {', '.join(sets)} WHERE {differs}"
        else:
            on_conflict = f"ON CONFLICT ({target}) DO NOTHING"
        insert = f"INSERT INTO {table} ({self.names})"
        self.sql = f"{insert} VALUES ({marks}) {on_conflict}"
        self.insert_new_sql = f"{insert} VALUES ({marks}) ON CONFLICT ({target}) DO NOTHING"
        # PostgreSQL: rows are copied into this temporary table first (dropped at commit).
        self.staging = q(f"import_{model._meta.db_table}")
        self.copy_sql = (
            f"INSERT INTO {table} ({self.names}) SELECT {self.names} FROM {self.staging} "  # noqa: S608
            f"{on_conflict} RETURNING (xmax = 0)"
        )
        # Batches move on the second thread on PostgreSQL, and on SQLite for tables keyed on id.
        self.background = background if conflict == ("id",) or self.postgres else None
        # SQLite in the background: the new rows' statements, made once per shape.
        self._multi_row: _MultiRowInsert | None = None
        # The first and the last bookkeeping stamp given to rows (created_at, updated_at).
        self.stamped: tuple[Any, Any] | None = None
        # Counts of background batches, known once their statement has run (``settled``).
        self._late = [0, 0]
        # Told the rows each ``write`` sends (new or changed; unchanged ones left out), before
        # they are sent: the importer learns from them which rollup places moved.
        self.on_sent: Callable[[Sequence[Sequence[Any]]], None] | None = None
        self.adapters: list[tuple[int, Callable[[Any], Any]]] = []
        self.sealed: list[tuple[int, models.Field]] = []
        for at, field in enumerate(fields[: len(self.columns)]):
            if _is_sealed(field):
                self.sealed.append((at, field))
                continue
            adapter = _adapter(field)
            if adapter is not None:
                self.adapters.append((at, adapter))
        if self.sealed and self.conflict != ("id",):
            raise ValueError("encrypted columns are only supported with conflict on id")
        self.pk = model._meta.pk
        # Ids compared in one form on both databases: 32 hex digits for UUIDs.
        self.key: Callable[[Any], Any] = (
            uuid_hex if type(self.pk) is models.UUIDField else (lambda v: v)
        )

    # -- reading what is stored --------------------------------------------------------

    def keys(self, ids: Iterable[Any]) -> list[Any]:
        """``key`` of each id; the importer's ids, already 32 hex digits, pass as they are
        (a million ``uuid_hex`` calls were a visible share of a large import)."""
        if self.key is uuid_hex:
            return uuid_hex_all(ids)
        return list(ids)

    def stored(self, ids: Iterable[Any], *columns: str) -> dict[Any, tuple]:
        """Stored rows among these ids: id (as the database keeps it) -> the columns' values."""
        q = connection.ops.quote_name
        fields = [cast(models.Field, self.model._meta.get_field(c)) for c in columns]
        names = ", ".join([q(str(self.pk.column)), *(q(str(f.column)) for f in fields)])
        keys = list(dict.fromkeys(self.keys(ids)))
        found: dict[Any, tuple] = {}
        if self.postgres:
            # One array parameter (psycopg and the server parse one value, not 900 literals),
            # and one index probe per id: LIMIT 1 keeps the planner from making this a join
            # that scans the table. Inside an import the statistics still say the table is
            # empty or small while it fills up, and a scan per batch made a million-row
            # import quadratic (decision 0092).
            uuids = type(self.pk) is models.UUIDField
            array = "::uuid[]" if uuids else ""
            pk = q(str(self.pk.column))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT found.* FROM unnest(%s{array}) AS wanted(key) "  # noqa: S608
                    f"CROSS JOIN LATERAL (SELECT {names} FROM {self.table} "
                    f"WHERE {pk} = wanted.key LIMIT 1) AS found",
                    [uuid_array(keys) if uuids else keys],
                )
                for record in cursor.fetchall():
                    found[self.key(record[0])] = record[1:]
            return found
        with connection.cursor() as cursor:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[start : start + LOOKUP_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT {names} FROM {self.table} WHERE {q(str(self.pk.column))} IN ({marks})",  # noqa: S608 — model names
                    chunk,
                )
                for record in cursor.fetchall():
                    found[self.key(record[0])] = record[1:]
        return found

    # -- writing -------------------------------------------------------------------------

    def write(
        self,
        rows: Sequence[Sequence[Any]],
        *,
        by: Any = None,
        stored: set | Mapping[Any, tuple] | None = None,
    ) -> tuple[int, int]:
        """Upsert the rows (values in ``columns`` order); returns (inserted, changed).

        Rows with the same key in one batch: the last one counts, as if written one by one.
        ``stored``: the keys (as ``stored()`` gives them) of rows known to exist already,
        when the caller has just looked them up; otherwise they are looked up here. Given as
        ``stored(ids, *self.compared)`` (key -> stored values), rows whose values are all
        equal to the stored ones are not sent at all: the upsert would leave them as they
        are (its WHERE <a value differs>), so re-importing an unchanged file writes nothing.
        """
        if not rows:
            return self.settled()
        if self.background is not None and not connection.in_atomic_block:
            # This write's own transaction would commit under the running statement.
            raise RuntimeError("background inserts need the caller's transaction")
        keys = self.keys([row[0] for row in rows]) if self.conflict == ("id",) else None
        rows, keys = self._last_per_key(rows, keys)
        # In the background the batch must not be wrapped in a savepoint: releasing it would
        # wait for the statement. Its error rolls the caller's transaction back instead.
        with transaction.atomic(savepoint=self.background is None):
            params = self._params(rows, by, keys)
            if keys is not None and isinstance(stored, Mapping) and stored and self.update:
                rows, params, keys = self._leave_out_unchanged(rows, params, keys, stored)
                if not params:
                    return self.settled()
            if self.on_sent is not None:
                self.on_sent(rows)
            if self.postgres:
                return self._copy_upsert(params)
            if keys is not None:
                return self._insert_then_update(rows, params, stored, keys)
            if not self.update:
                with connection.cursor() as cursor:
                    cursor.executemany(self.sql, params)
                    return max(cursor.rowcount, 0), 0
            before = self.model._default_manager.count()
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, params)
                written = max(cursor.rowcount, 0)
            created = self.model._default_manager.count() - before
            return created, written - created

    def settled(self) -> tuple[int, int]:
        """(created, changed) of background batches whose statement has run since last asked.

        ``write`` adds them to what it returns; after ``background_inserts()`` is left, the
        last batch's counts are here.
        """
        counts = (self._late[0], self._late[1])
        self._late = [0, 0]
        return counts

    def _last_per_key(
        self, rows: Sequence[Sequence[Any]], keys: list[Any] | None
    ) -> tuple[Sequence[Sequence[Any]], list[Any] | None]:
        """The rows, the last of each key kept (and their keys, when keyed on id)."""
        if keys is not None:
            if len(set(keys)) == len(keys):
                return rows, keys
            # Each key where it first came, with its last row (as a dict keeps them).
            kept = list({key: n for n, key in enumerate(keys)}.values())
            return [rows[n] for n in kept], [keys[n] for n in kept]
        at = self.key_at
        unique = {tuple(row[i] for i in at): row for row in rows}
        return (rows if len(unique) == len(rows) else list(unique.values())), None

    def _leave_out_unchanged(
        self,
        rows: Sequence[Sequence[Any]],
        params: list[tuple],
        keys: list[Any],
        stored: Mapping[Any, tuple],
    ) -> tuple[Sequence[Sequence[Any]], list[tuple], list[Any]]:
        """Rows, params and keys without the stored rows whose compared values are all the
        same (in the database's own form: the params against the values ``stored`` read)."""
        pick = self._pick
        uuids = self._uuid_compared
        # The driver gives some stored values back in Python form (dates on both databases,
        # UUID objects on PostgreSQL): each goes through the column's own adapter, as the
        # params did; UUIDs are compared as 32 hex digits on both sides.
        adapter_at = dict(self.adapters)
        fixes: list[tuple[int, Callable[[Any], Any]]] = [
            (k, adapter_at[at]) for k, at in enumerate(self._compared_at) if at in adapter_at
        ] + [(k, uuid_hex) for k in uuids]
        done: dict[tuple[int, Any], Any] = {}

        def fixed(values: Sequence[Any]) -> list[Any]:
            out = list(values)
            for k, fix in fixes:
                value = out[k]
                if value is not None:
                    found = done.get((k, value))
                    if found is None:
                        found = done[(k, value)] = fix(value)
                    out[k] = found
            return out

        kept = []
        for n, key in enumerate(keys):
            before = stored.get(key)
            if before is not None:
                now = pick(params[n])
                if uuids:
                    now = fixed(now)  # the params' UUIDs as hex digits too
                if list(now) == fixed(before):
                    continue
            kept.append(n)
        if len(kept) == len(keys):
            return rows, params, keys
        return [rows[n] for n in kept], [params[n] for n in kept], [keys[n] for n in kept]

    def _params(
        self, rows: Sequence[Sequence[Any]], by: Any, keys: list[Any] | None = None
    ) -> list[tuple]:
        tail: tuple[Any, ...] = tuple(
            f.get_db_prep_save(f.get_default(), connection) for f in self.defaults
        )
        if self.has_bookkeeping:
            stamp = cast(models.Field, self.model._meta.get_field("created_at"))
            moment = timezone.now()
            now = _adapter(stamp)(moment)  # type: ignore[misc]
            first, last = self.stamped or (moment, moment)
            self.stamped = (min(first, moment), max(last, moment))
            user = by.pk if by is not None and by.pk is not None else None
            if user is not None:
                adapt_user = _adapter(cast(models.Field, self.model._meta.get_field("created_by")))
                user = adapt_user(user) if adapt_user else user
            tail = (*tail, now, now, user, user)
        adapters = self.adapters
        if not adapters and not self.sealed:
            return [(*row, *tail) for row in rows]
        # Column by column: each adapter runs once per distinct value of its column (ids of
        # organisations and places, dates and months repeat a lot).
        columns = [list(column) for column in zip(*rows, strict=True)]
        for at, adapt in adapters:
            if adapt is uuid_hex:
                # Ids: the keys already worked out, or in one pass without a call for those
                # already in their stored form.
                columns[at] = keys if at == 0 and keys is not None else uuid_hex_all(columns[at])
                continue
            columns[at] = _each_distinct(adapt, columns[at])
        if self.sealed:
            # Stored ciphertexts are only looked up when a batch has a value to encrypt: most
            # 4W files name no village, and an empty value is stored as it is. Each distinct
            # value of the batch is asked once.
            sealing = any(
                not field.is_stored_plain(value)  # type: ignore[attr-defined]
                for at, field in self.sealed
                for value in set(columns[at])
            )
            kept_by_id = self._stored_sealed(rows) if sealing else {}
            for at, field in self.sealed:
                column = columns[at]
                if not sealing:
                    # Every value is stored as it is ('' or NULL): each distinct one is
                    # prepared once (two calls a row were a visible share of an import).
                    plain = {v: field.get_db_prep_save(v, connection) for v in set(column)}
                    columns[at] = list(map(plain.__getitem__, column))
                    continue
                for n, row in enumerate(rows):
                    old = kept_by_id.get(self.key(row[0]), {}).get(at) if kept_by_id else None
                    if old is not None and old[0] == row[at]:
                        column[n] = old[1]
                    else:
                        column[n] = field.get_db_prep_save(row[at], connection)
        return [(*values, *tail) for values in zip(*columns, strict=True)]

    def _insert_then_update(
        self,
        rows: Sequence[Sequence[Any]],
        params: list[tuple],
        stored: set | Mapping[Any, tuple] | None,
        keys: list[Any],
    ) -> tuple[int, int]:
        if stored is None:
            stored = set(self.stored(keys))
        new = [p for k, p in zip(keys, params, strict=True) if k not in stored]
        old = [p for k, p in zip(keys, params, strict=True) if k in stored] if stored else []
        created, changed = self.settled()
        with connection.cursor() as cursor:
            if new and self.background is not None:
                self._insert_in_background(cursor, new)
            elif new:
                cursor.executemany(self.insert_new_sql, new)
                inserted, taken = self._after_insert(max(cursor.rowcount, 0), new)
                created += inserted
                changed += taken
            if old and self.update:
                cursor.executemany(self.sql, old)
                changed += max(cursor.rowcount, 0)
        return created, changed

    def _after_insert(self, inserted: int, new: list[tuple]) -> tuple[int, int]:
        """(created, changed) once ``inserted`` of the ``new`` rows went in: when fewer did,
        someone else wrote the others since the lookup, and they are upserted after all."""
        if inserted == len(new):
            return inserted, 0
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, new)
            return inserted, max(cursor.rowcount, 0)

    def _insert_in_background(self, cursor: Any, new: list[tuple]) -> None:
        assert self.background is not None
        statements = _MultiRowInsert.of(self, cursor).statements(new)

        def done(moved: int) -> None:
            inserted, taken = self._after_insert(moved, new)
            self._late[0] += inserted
            self._late[1] += taken

        def move(raw: Any) -> int:
            on = raw.cursor()
            moved = 0
            try:
                for sql, values in statements:
                    on.execute(sql, values)
                    moved += on.rowcount
            finally:
                on.close()
            return moved

        self.background.submit(move, done)

    def _copy_upsert(self, params: list[tuple]) -> tuple[int, int]:
        if self.background is not None:
            self.background.wait()  # the staging table and the driver's connection are free
        truncate = f"TRUNCATE {self.staging}"
        # psycopg's own cursor (COPY is not in the DB-API), its errors raised as Django's.
        with connection.cursor() as wrapper, connection.wrap_database_errors:
            cursor = wrapper.cursor
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {self.staging} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {self.names} FROM {self.table} WITH NO DATA"
            )
            self._copy_into(cursor, self.staging, params)
            if self.background is None:
                cursor.execute(self.copy_sql)
                flags = cursor.fetchall()
                cursor.execute(truncate)
                return _count_flags(flags)

        def move(raw: Any) -> list[tuple]:
            with raw.cursor() as on:
                on.execute(self.copy_sql)
                moved = on.fetchall()
                on.execute(truncate)
            return moved

        def done(flags: list[tuple]) -> None:
            created, changed = _count_flags(flags)
            self._late[0] += created
            self._late[1] += changed

        self.background.submit(move, done)
        return self.settled()

    def _copy_into(self, cursor: Any, table: str, params: Sequence[Sequence[Any]]) -> None:
        """COPY the rows into the table, in the text format built here when it can be."""
        text = copy_text(self.name_list, params)
        if text is None:
            with cursor.copy(f"COPY {table} ({self.names}) FROM STDIN") as copy:
                write_row = copy.write_row
                for values in params:
                    write_row(values)
            return
        order, data = text
        with cursor.copy(f"COPY {table} ({order}) FROM STDIN") as copy:
            copy.write(data)

    def _stored_sealed(self, rows: Sequence[Sequence[Any]]) -> dict[Any, dict[int, tuple]]:
        """Existing encrypted values of these rows: id -> {position: (plain, ciphertext)}."""
        names = [field.attname for _, field in self.sealed]
        found: dict[Any, dict[int, tuple]] = {}
        for key, raws in self.stored((row[0] for row in rows), *names).items():
            found[key] = {
                at: (field.from_db_value(raw, None, connection), raw)  # type: ignore[attr-defined]
                for (at, field), raw in zip(self.sealed, raws, strict=True)
                if raw is not None
            }
        return found


class _MultiRowInsert:
    """SQLite: a batch of new rows as few ``INSERT ... SELECT ... FROM (VALUES ...)``
    statements as SQLite's limit on bound values allows (decision 0392).

    A column whose value is the same in every row of the batch (the defaults, the bookkeeping
    stamps, and in a 4W file most of the optional columns: no end date, no value, the one
    organisation) is bound once, in the SELECT, instead of once a row: binding a value holds
    Python's lock, and a 4W batch leaves about a third of its values to bind. The statement
    runs on the second thread (``Background``), which holds the lock only while binding.
    """

    def __init__(self, upsert: Upsert, limit: int) -> None:
        self.upsert = upsert
        self.limit = limit
        q = connection.ops.quote_name
        self.target = ", ".join(q(c) for c in upsert.conflict)
        self.key_at = {upsert.columns.index(c) for c in upsert.conflict}
        self._sql: dict[tuple[int, tuple[int, ...], int], str] = {}
        self._sets: set[tuple[int, ...]] = set()

    @classmethod
    def of(cls, upsert: Upsert, cursor: Any) -> _MultiRowInsert:
        """The upsert's own, made on first use (the limit is read from the connection)."""
        if upsert._multi_row is None:
            upsert._multi_row = cls(upsert, _variable_limit(cursor))
        return upsert._multi_row

    def statements(self, rows: Sequence[Sequence[Any]]) -> list[tuple[str, list[Any]]]:
        """(SQL, parameters) for these rows, each statement within SQLite's limit."""
        columns = list(zip(*rows, strict=True))
        width = len(columns)
        constant = tuple(
            at for at, column in enumerate(columns) if at not in self.key_at and _same(column)
        )
        if constant not in self._sets:
            if len(self._sets) >= MULTI_ROW_SETS:
                constant = ()  # a file whose constant columns keep changing
            self._sets.add(constant)
        fixed = [columns[at][0] for at in constant]
        varying = [column for at, column in enumerate(columns) if at not in constant]
        most = max(1, min(MULTI_ROW_MOST, (self.limit - len(fixed)) // len(varying)))
        out = []
        start = 0
        for count in _pieces(len(rows), most):
            part = [column[start : start + count] for column in varying]
            values = list(chain.from_iterable(zip(*part, strict=True)))
            out.append((self._statement(width, constant, count), [*fixed, *values]))
            start += count
        return out

    def _statement(self, width: int, constant: tuple[int, ...], count: int) -> str:
        key = (width, constant, count)
        sql = self._sql.get(key)
        if sql is None:
            picked, n = [], 0
            for at in range(width):
                if at in constant:
                    picked.append("?")
                else:
                    n += 1
                    picked.append(f"v.column{n}")
            row = "(" + ", ".join(["?"] * n) + ")"
            sql = self._sql[key] = (
                f"INSERT INTO {self.upsert.table} ({self.upsert.names}) "  # noqa: S608
                f"SELECT {', '.join(picked)} FROM (VALUES {', '.join([row] * count)}) AS v "
                f"WHERE true ON CONFLICT ({self.target}) DO NOTHING"
            )
        return sql


def _pieces(count: int, most: int) -> list[int]:
    """``count`` rows as statements of ``most`` rows, then the rest in powers of two, largest
    first: a batch of any size takes one of a few statement shapes."""
    pieces = [most] * (count // most)
    rest = count % most
    bit = 1 << rest.bit_length()
    while rest:
        bit >>= 1
        if rest & bit:
            pieces.append(bit)
            rest -= bit
    return pieces


def _same(column: Sequence[Any]) -> bool:
    """Every value of the column the same, and of the same type (1, 1.0 and True are equal
    but are not bound alike)."""
    return column.count(column[0]) == len(column) and len(set(map(type, column))) == 1


def _variable_limit(cursor: Any) -> int:
    """How many values one statement may bind on this SQLite connection: the driver's
    ``getlimit`` (Python's sqlite3), else the library's compile options (SQLCipher), else
    SQLite's historical 999."""
    raw = getattr(getattr(cursor, "cursor", cursor), "connection", None)
    getlimit = getattr(raw, "getlimit", None)
    if getlimit is not None:
        return int(getlimit(9))  # SQLITE_LIMIT_VARIABLE_NUMBER
    cursor.execute("PRAGMA compile_options")
    for (option,) in cursor.fetchall():
        if option.startswith("MAX_VARIABLE_NUMBER="):
            return int(option.partition("=")[2])
    return 999


def _each_distinct(
    adapt: Callable[[Any], Any], column: Sequence[Any], none: Any = None
) -> list[Any]:
    """``adapt`` of each value of a batch's column (None becomes ``none``), called once per
    distinct value and mapped over the column in C (dates and amounts repeat a lot)."""
    done = {value: adapt(value) for value in set(column) if value is not None}
    done[None] = none
    return list(map(done.__getitem__, column))


def _count_flags(flags: list[tuple]) -> tuple[int, int]:
    """(created, changed) from the ``RETURNING (xmax = 0)`` of an upsert: true when inserted."""
    created = sum(1 for (inserted,) in flags if inserted)
    return created, len(flags) - created


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
        return uuid_hex if connection.vendor == "sqlite" else None
    if isinstance(target, _PLAIN) and not _is_sealed(target):
        return None
    return lambda value: target.get_db_prep_save(value, connection)


_HEX_DIGITS = 32
_HEX = re.compile("[0-9a-f]*")


def uuid_hex_all(values: Iterable[Any]) -> list[Any]:
    """``uuid_hex`` of each value (None stays None), without a call for values already in
    that form, and once per distinct value otherwise (a batch's organisation ids repeat).

    A batch of the importer's own ids (every value a 32-character string) is told so by two
    passes in C (the types and the lengths) and copied as it is, without a Python test per
    value: each batch's ids go through here several times (the owner check, the write, the
    rollup places)."""
    given = list(values)
    if set(map(type, given)) == {str} and set(map(len, given)) == {_HEX_DIGITS}:
        return given
    out: list[Any] = []
    append = out.append
    seen: dict[Any, str] = {}
    for v in given:
        if v is None or (type(v) is str and len(v) == _HEX_DIGITS):
            append(v)
            continue
        done = seen.get(v)
        if done is None:
            done = seen[v] = uuid_hex(v)
        append(done)
    return out


def uuid_array(keys: list[Any]) -> str | list[Any]:
    """Ids as 32 hex digits each, as one PostgreSQL array literal for ``%s::uuid[]``: the
    server parses it, where psycopg's list adapter spent about 2.5 µs per id in Python (5,000
    ids looked up in an empty table: 28 ms as a list, 15 ms as one literal). Any other
    value: the list, adapted as before."""
    joined = "".join(keys) if set(map(type, keys)) == {str} else None
    if joined is None or len(joined) != _HEX_DIGITS * len(keys) or not _HEX.fullmatch(joined):
        return keys
    return "{" + ",".join(keys) + "}"


def uuid_hex(value: Any) -> str:
    """A UUID as SQLite keeps it: 32 lowercase hex digits."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, str) and len(value) == _HEX_DIGITS:
        return value  # already in this form (the importer's stable keys are made so)
    return uuid.UUID(str(value)).hex


# PostgreSQL's COPY text format (decision 0394): the types a batch's values come in, each
# written as the server reads it back; a batch with any other type goes through psycopg's own
# ``write_row``.
_COPY_TYPES = frozenset(
    {str, int, float, bool, type(None), dt.date, dt.datetime, Decimal, uuid.UUID}
)
_COPY_SPECIAL = ("\\", "\t", "\n", "\r")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def _copy_value(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return _COPY_NULL
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)  # numbers, dates, stamps (ISO 8601 with the offset), UUIDs


def _copy_column(column: Sequence[Any], types: set[type]) -> Sequence[str]:
    """A batch's column in COPY's text format, without a Python call per value where it can."""
    if types == {str}:
        joined = "".join(column)
        if any(special in joined for special in _COPY_SPECIAL):
            return [value.translate(_COPY_ESCAPES) for value in column]
        return column
    if types == {int}:
        return list(map(str, column))
    if len(types - {type(None)}) > 1:
        # 1, 1.0 and True are one key of a dict: each value on its own.
        return list(map(_copy_value, column))
    return _each_distinct(_copy_value, column, none=_COPY_NULL)


def copy_text(names: Sequence[str], params: Sequence[Sequence[Any]]) -> tuple[str, str] | None:
    """These rows in COPY's text format, as (the column list, the data), or None when a value
    is of a type not written here.

    Built column by column, like the SQLite statements (decision 0392): a column the same in
    every row is written once and goes last, so each line is the varying columns joined by
    tabs, followed by one constant ending. In py-spy profiles of 200,000 rows it took 0.8 s
    where psycopg's ``write_row``, holding the interpreter lock for every value, took 3.6 s.
    """
    columns = list(zip(*params, strict=True))
    varying: list[tuple[str, Sequence[str]]] = []
    constant: list[tuple[str, str]] = []
    for name, column in zip(names, columns, strict=True):
        types = set(map(type, column))
        if not types <= _COPY_TYPES:
            return None
        if len(column) > 1 and _same(column):
            constant.append((name, _copy_value(column[0])))
        else:
            varying.append((name, _copy_column(column, types)))
    order = ", ".join(name for name, _ in varying + constant)
    ending = "".join("\t" + text for _, text in constant) + "\n"
    if not varying:
        return order, ending[1:] * len(params)
    lines = map("\t".join, zip(*(texts for _, texts in varying), strict=True))
    return order, ending.join(lines) + ending
