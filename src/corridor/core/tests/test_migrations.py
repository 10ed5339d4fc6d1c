"""The squashed migrations (decision 0362): a fresh database gets the schema the old chain built,
an instance migrated with the old chain upgrades to today's code, the data-version triggers
exist and work, and the models need no new migration.

The old chain is kept as test data (``before_squash/``) and each database is migrated by
``before_squash/run.py`` in a process of its own, on the lane's engine: embedded SQLite, or a
fresh database on the lane's PostgreSQL server.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from io import StringIO
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from psycopg import sql

from corridor.aid.models import DataVersion
from corridor.testing.factories import DisplacementFigureFactory, SourceFactory

# Watched by the gap API's data version (aid 0010, restored by aid 0013).
WATCHED = (
    "aid_monthlyreach",
    "situation_displacementfigure",
    "situation_source",
    "orgs_organisation",
    "geo_adminunit",
)


class Database:
    """One throwaway database of the lane's engine, migrated by ``run.py`` in a subprocess."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder, self.url = folder, url
        folder.mkdir(parents=True)

    def migrate(self, mode: str) -> list[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
        env["CORRIDOR_HOME"] = str(self.folder)
        if self.url:
            env["CORRIDOR_DATABASE_URL"] = self.url
        done = subprocess.run(
            [sys.executable, "-m", "corridor.core.tests.before_squash.run", mode],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def schema(self) -> dict[str, set]:
        if self.url:
            with psycopg.connect(self.url) as db:
                return _postgresql_schema(db)
        db = sqlite3.connect(self.folder / "corridor.sqlite3")
        try:
            return _sqlite_schema(db)
        finally:
            db.close()


@contextmanager
def _databases(tmp_path: Path, count: int) -> Iterator[list[Database]]:
    base = os.environ.get("CORRIDOR_DATABASE_URL", "")
    if not base:
        yield [Database(tmp_path / f"db{i}", "") for i in range(count)]
        return
    config = dj_database_url.parse(base)
    names = [f"{config['NAME'] or 'corridor'}_mig_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield [Database(tmp_path / name, base.rsplit("/", 1)[0] + "/" + name) for name in names]
        finally:
            for name in names:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def _squeeze(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").replace('"', "").strip()


def _checks(table_sql: str) -> set[tuple[str, str]]:
    """SQLite keeps CHECK constraints only in the table's CREATE statement: (name, condition)."""
    found = set()
    for match in re.finditer(r'CONSTRAINT "([^"]+)" CHECK \(', table_sql):
        depth, at = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(table_sql[at], 0)
            at += 1
        found.add((match.group(1), _squeeze(table_sql[match.end() : at - 1])))
    return found


def _sqlite_schema(db: sqlite3.Connection) -> dict[str, set]:
    """Tables, columns, indexes, foreign keys, CHECK constraints and triggers; column order and
    the numbering of SQLite's own unique indexes aside (a rebuilt table may differ in both)."""
    schema: dict[str, set] = {k: set() for k in ("tables", "columns", "indexes", "fks", "checks")}
    schema["triggers"] = set()
    rows = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name, table, text in rows:
        if kind == "table":
            schema["tables"].add(name)
            schema["checks"] |= {(name, *check) for check in _checks(text)}
            for _cid, column, type_, notnull, default, pk in db.execute(
                f"PRAGMA table_info('{name}')"
            ):
                schema["columns"].add((name, column, type_.lower(), notnull, default, pk))
            for fk in db.execute(f"PRAGMA foreign_key_list('{name}')"):
                schema["fks"].add((name, fk[2], fk[3], fk[4], fk[5], fk[6]))
            for _seq, index, unique, origin, partial in db.execute(f"PRAGMA index_list('{name}')"):
                columns = tuple(r[2] for r in db.execute(f"PRAGMA index_info('{index}')"))
                label = index if origin == "c" else origin
                schema["indexes"].add((name, label, unique, partial, columns))
        elif kind == "index" and text:
            schema["indexes"].add((table, name, _squeeze(text)))
        elif kind == "trigger":
            schema["triggers"].add((table, name, _squeeze(text)))
    return schema


def _postgresql_schema(db: psycopg.Connection) -> dict[str, set]:
    def rows(query: str) -> set:
        return {tuple(row) for row in db.execute(query).fetchall()}

    return {
        "tables": rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"),
        "columns": rows(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, "
            "character_maximum_length, numeric_precision, numeric_scale "
            "FROM information_schema.columns WHERE table_schema = 'public'"
        ),
        "indexes": rows(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        ),
        "constraints": rows(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'public'"
        ),
        "triggers": rows(
            "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) "
            "FROM pg_trigger WHERE NOT tgisinternal"
        ),
        "functions": rows(
            "SELECT p.proname, p.prosrc FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        ),
    }


def _differences(left: dict[str, set], right: dict[str, set]) -> dict[str, tuple]:
    return {
        kind: (sorted(left[kind] - right[kind], key=str), sorted(right[kind] - left[kind], key=str))
        for kind in left
        if left[kind] != right[kind]
    }


def _displacement_triggers(schema: dict[str, set]) -> set:
    return {t for t in schema["triggers"] if t[0] == "situation_displacementfigure"}


@pytest.mark.slow
def test_squashed_migrations_build_the_old_chains_schema(tmp_path):
    with _databases(tmp_path, 2) as (old, new):
        old.migrate("old")
        new.migrate("squashed")
        before, after = old.schema(), new.schema()

    # The comparison has something to compare.
    assert before["tables"]
    assert before["triggers"]
    if connection.vendor == "sqlite":
        # The old chain lost these (situation 0008 rebuilt the table after aid 0010 made them);
        # a fresh database makes the triggers once the table is final.
        assert not _displacement_triggers(before)
        assert {t[1] for t in _displacement_triggers(after)} == {
            f"situation_displacementfigure_{event}_data_changed"
            for event in ("insert", "update", "delete")
        }
        after["triggers"] -= _displacement_triggers(after)
    assert _differences(before, after) == {}


@pytest.mark.slow
def test_an_instance_migrated_before_the_squash_upgrades(tmp_path):
    with _databases(tmp_path, 2) as (instance, fresh):
        old_chain = instance.migrate("old")
        applied = instance.migrate("upgrade")
        fresh.migrate("upgrade")
        upgraded, new = instance.schema(), fresh.schema()

    # Nothing the old chain applied runs again, squashed or not: only migrations written since.
    assert "aid.0013_data_version_triggers_restored" in applied
    assert not set(applied) & set(old_chain)
    assert not [name for name in applied if "_squashed_" in name]
    assert _differences(upgraded, new) == {}


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_every_watched_table_has_its_data_version_triggers(db):
    if connection.vendor == "postgresql":
        expected = {f"{table}_data_changed" for table in WATCHED}
    else:
        expected = {
            f"{table}_{event}_data_changed"
            for table in WATCHED
            for event in ("insert", "update", "delete")
        }
    assert expected <= _triggers()


@pytest.mark.django_db(transaction=True)
def test_writing_a_displacement_figure_renews_the_data_version():
    # Migrations make the row; a flush after an earlier transactional test removes it.
    DataVersion.objects.get_or_create(id=1)
    figure = DisplacementFigureFactory()
    tokens = [DataVersion.objects.get(id=1).token]
    with transaction.atomic():
        type(figure)._base_manager.filter(pk=figure.pk).update(idps=figure.idps + 1)
    tokens.append(DataVersion.objects.get(id=1).token)
    SourceFactory()
    tokens.append(DataVersion.objects.get(id=1).token)
    assert len(set(tokens)) == 3


def test_init_refuses_a_database_stopped_partway_through_a_squash(cli_instance):
    admin = ("--no-input", "--admin-username", "admin", "--admin-password", "a-long-pass-phrase-9")
    assert cli_instance.run("init", *admin).returncode == 0
    # As if the instance had stopped before aid 0012: one replaced step not applied.
    forget = "DELETE FROM django_migrations WHERE app = 'aid' AND name = '0012_removed_via'"
    url = cli_instance.env.get("CORRIDOR_DATABASE_URL")
    if url:
        with psycopg.connect(url) as db:
            db.execute(forget)
    else:
        with closing(sqlite3.connect(cli_instance.home / "corridor.sqlite3")) as db, db:
            db.execute(forget)

    result = cli_instance.run("init", *admin)

    assert result.returncode == 1
    assert "partway through the migrations squashed into aid.0001_squashed_0012" in " ".join(
        result.stderr.split()
    )
