"""Django's SQLite backend on SQLCipher: the whole database file and its WAL encrypted.

The key is the keyring's ``database`` at-rest key, set with ``PRAGMA key`` as the first
statement of every connection, so nothing is read or written before it. A locked process has
no key: opening a connection raises ``InstanceLocked``, and ``close_all_raw()`` closes the
connections already open so that SQLCipher's copy of the key goes with them.

Temporary tables and sort spills stay in memory (``temp_store = MEMORY``); SQLCipher encrypts
temporary files anyway, this keeps them off the disk altogether.
"""

from __future__ import annotations

import datetime
import decimal
import threading
import weakref
from collections.abc import Mapping
from itertools import tee
from typing import Any

from django.db.backends.sqlite3 import base as sqlite_base
from sqlcipher3 import dbapi2 as Database

from corridor.core.crypto import keyring

# The same conversions Django registers on the standard sqlite3 module.
Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite_base.decoder(sqlite_base.parse_date))
Database.register_converter("time", sqlite_base.decoder(sqlite_base.parse_time))
Database.register_converter("datetime", sqlite_base.decoder(sqlite_base.parse_datetime))
Database.register_converter("timestamp", sqlite_base.decoder(sqlite_base.parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, sqlite_base.adapt_date)
Database.register_adapter(datetime.datetime, sqlite_base.adapt_datetime)

_open: weakref.WeakSet = weakref.WeakSet()
_open_lock = threading.Lock()


def close_all_raw() -> int:
    """Close every SQLCipher connection this process has open (on lock); say how many."""
    closed = 0
    with _open_lock:
        connections = list(_open)
        _open.clear()
    for conn in connections:
        try:
            conn.close()
            closed += 1
        except Database.Error:  # busy in another thread: that thread's next use fails
            pass
    return closed


class Connection(Database.Connection):
    """SQLCipher's connection, subclassed only so that ``_open`` can hold weak references."""


def closed_by_lock(conn: Any) -> bool:
    """Whether this raw connection was closed by ``close_all_raw`` (its wrapper must let go)."""
    if not isinstance(conn, Connection):  # not ours: plain SQLite, PostgreSQL, or none yet
        return False
    with _open_lock:
        return conn not in _open


class CursorWrapper(Database.Cursor):
    """Django's "format"/"pyformat" placeholders turned into SQLite's, as the stock backend does."""

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return super().execute(query)
        names = list(params) if isinstance(params, Mapping) else None
        return super().execute(self.convert_query(query, param_names=names), params)

    def executemany(self, query: str, param_list: Any) -> Any:
        peek, param_list = tee(iter(param_list))
        first = next(peek, None)
        names = list(first) if first and isinstance(first, Mapping) else None
        return super().executemany(self.convert_query(query, param_names=names), param_list)

    convert_query = sqlite_base.SQLiteCursorWrapper.convert_query


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    Database = Database

    def get_new_connection(self, conn_params: dict) -> Any:
        key = keyring.active().at_rest_key("database")
        conn = Database.connect(**conn_params, factory=Connection)
        try:
            # Raw key (hex), so SQLCipher skips its own passphrase derivation: the keyring's
            # key is already random.
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            # Fails here, not at some later query, when the key does not open the file.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Database.DatabaseError as error:
            conn.close()
            raise keyring.KeyringError(
                f"{conn_params.get('database')} does not open with this keyring's database key "
                f"(a plain SQLite file, another instance's database, or damaged): {error}"
            ) from None
        conn.execute("PRAGMA temp_store = MEMORY")
        sqlite_base.register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:
            if init_command := init_command.strip():
                conn.execute(init_command)
        with _open_lock:
            _open.add(conn)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)
