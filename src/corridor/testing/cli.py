"""Run the real `corridor` entry point in a subprocess against a throwaway instance.

On the PostgreSQL lane each instance gets its own fresh database (created here, dropped after),
so CLI tests exercise the same engine as the rest of the suite and never touch a real database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

CORRIDOR = str(Path(sys.executable).with_name("corridor"))


@dataclass
class Instance:
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(
        self, *args: str, input: str | None = None, timeout: float = 120, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 — our own entry point with test arguments
            [CORRIDOR, *args],
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@contextmanager
def throwaway_instance(home: Path, *, server: str | None = None) -> Iterator[Instance]:
    """An instance folder at ``home``. Its database: ``server`` None is the test lane's
    (``CORRIDOR_DATABASE_URL``: a fresh database on that PostgreSQL server, or embedded SQLite
    when empty); "" is embedded SQLite; a PostgreSQL URL is a fresh database on that server,
    named after the URL's own database (``corridor_x`` -> ``corridor_x_cli_<random>``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    env["CORRIDOR_HOME"] = str(home)
    base_url = os.environ.get("CORRIDOR_DATABASE_URL", "") if server is None else server
    if not base_url:
        yield Instance(home, env)
        return
    config = dj_database_url.parse(base_url)
    name = f"{config['NAME'] or 'corridor'}_cli_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env["CORRIDOR_DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + name
        yield Instance(home, env)
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.close()
