"""Run the real `corridor` entry point in a subprocess against a throwaway instance.

On the PostgreSQL lane each instance gets its own fresh database (created here, dropped after),
so CLI tests exercise the same engine as the rest of the suite and never touch a real database.

A test that needs an initialised instance but does not test `corridor init` itself takes a copy
of one a real `corridor init` made earlier in the same test process (``Instance.init_copied``,
decision 0371): about 4.5 s of CPU less per test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

from corridor.core.instance import SQLITE_FILE

CORRIDOR = str(Path(sys.executable).with_name("corridor"))

# Settings a copied instance may run with: its own folder and database (the copy's), and those
# `corridor init` only reads (the first admin, passphrases, encryption of the file, log level).
# Any other setting could make init write somewhere else or differently: run the real init.
COPYABLE_SETTINGS = frozenset(
    {
        "CORRIDOR_HOME",
        "CORRIDOR_DATABASE_URL",
        "CORRIDOR_ADMIN_USERNAME",
        "CORRIDOR_ADMIN_PASSWORD",
        "CORRIDOR_KEY_PASSPHRASE",
        "CORRIDOR_BACKUP_PASSPHRASE",
        "CORRIDOR_DATABASE_ENCRYPTED",
        "CORRIDOR_LOG_LEVEL",
    }
)


# What may differ between a template's init and the instance copied from it.
NOT_COMPARED_FOR_A_COPY = frozenset(
    {"CORRIDOR_HOME", "CORRIDOR_DATABASE_URL", "TMPDIR", "PYTEST_CURRENT_TEST"}
)


@dataclass
class Instance:
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    templates: InstanceTemplates | None = None

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

    def init_copied(
        self, *args: str, timeout: float = 300, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        """Make this instance what ``corridor init *args`` (with ``env``) leaves, by copying a
        template a real `corridor init` made with the same arguments and settings; return
        that init's result (its output names the template's folder). Only for a test that
        needs an initialised instance, not one that tests `corridor init`."""
        if self.templates is None:
            raise ValueError("this instance has no templates: take the cli_instance fixture")
        return self.templates.copy_into(self, args, env or {}, timeout)


def _connect(url: str) -> psycopg.Connection:
    """An autocommit connection to the server of ``url``, for creating and dropping databases."""
    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@contextmanager
def throwaway_instance(
    home: Path, *, server: str | None = None, templates: InstanceTemplates | None = None
) -> Iterator[Instance]:
    """An instance folder at ``home``. Its database: ``server`` None is the test lane's
    (``CORRIDOR_DATABASE_URL``: a fresh database on that PostgreSQL server, or embedded SQLite
    when empty); "" is embedded SQLite; a PostgreSQL URL is a fresh database on that server,
    named after the URL's own database (``corridor_x`` -> ``corridor_x_cli_<random>``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    env["CORRIDOR_HOME"] = str(home)
    base_url = os.environ.get("CORRIDOR_DATABASE_URL", "") if server is None else server
    if not base_url:
        yield Instance(home, env, templates)
        return
    config = dj_database_url.parse(base_url)
    name = f"{config['NAME'] or 'corridor'}_cli_{uuid.uuid4().hex[:12]}"
    admin = _connect(base_url)
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env["CORRIDOR_DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + name
        yield Instance(home, env, templates)
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.close()


@dataclass
class _Template:
    home: Path
    server: str  # the PostgreSQL server's URL without a database; "" for embedded SQLite
    database: str  # the template database on that server
    result: subprocess.CompletedProcess


class InstanceTemplates:
    """Instances a real `corridor init` made, once per test process for each set of arguments,
    settings and database server; each is copied whole into the tests' new instances.

    What init leaves is the instance folder (secret key, keyring, audit anchor, the SQLite file)
    and the database. The copy is that folder, the SQLite file with it or, on PostgreSQL, a new
    database made with ``CREATE DATABASE … TEMPLATE`` (the template has no connection left:
    its init has ended). The audit anchor names the database it was written for, so the copy's
    anchor names the copy's database, as init would have written it there (decision 0371).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: dict[tuple, _Template] = {}
        self._servers: dict[str, psycopg.Connection] = {}
        self._databases: list[tuple[str, str]] = []  # (server, template database) to drop
        self.copied_from: dict[Path, Path] = {}  # a copy's folder -> its template's folder

    def copy_into(
        self, instance: Instance, args: tuple[str, ...], env: dict, timeout: float
    ) -> subprocess.CompletedProcess:
        settings = {**instance.env, **env}
        other = [k for k in sorted(settings) if k.startswith("CORRIDOR_")]
        other = [k for k in other if k not in COPYABLE_SETTINGS]
        if other:
            raise ValueError(f"init with {', '.join(other)} is not copied: run the real init")
        if instance.home.exists():
            raise ValueError(f"{instance.home} exists: a copy goes only into a new instance folder")
        url = settings.get("CORRIDOR_DATABASE_URL", "")
        # The copy has its own folder and database; init leaves its temporary folder as it was.
        # pytest names the running test in the environment: every test's differs, and no
        # `corridor` command reads it.
        kept = sorted((k, v) for k, v in settings.items() if k not in NOT_COMPARED_FOR_A_COPY)
        key = (_server_of(url), args, tuple(kept), "TMPDIR" in settings)
        template = self._made.get(key)
        if template is None:
            template = self._made[key] = self._make(settings, args, timeout)
        shutil.copytree(template.home, instance.home, symlinks=True)
        self.copied_from[instance.home] = template.home
        if template.server:
            name = dj_database_url.parse(url)["NAME"]
            server = self._server(template.server)
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            server.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template.database)
                )
            )
            was, now = template.database, name
        else:
            was = str(template.home / SQLITE_FILE)
            now = str(instance.home.resolve() / SQLITE_FILE)
        _re_anchor(instance.home / "audit-anchor.json", was, now)
        return template.result

    def _make(self, settings: dict, args: tuple[str, ...], timeout: float) -> _Template:
        folder = Path(tempfile.mkdtemp(prefix="template-", dir=self.root))
        home = folder / "instance"
        run_env = {**settings, "CORRIDOR_HOME": str(home)}
        temp = folder / "tmp"
        if "TMPDIR" in settings:
            temp.mkdir()
            run_env["TMPDIR"] = str(temp)
        url = settings.get("CORRIDOR_DATABASE_URL", "")
        server = _server_of(url)
        database = ""
        if server:
            base = dj_database_url.parse(url)["NAME"].rsplit("_cli_", 1)[0]
            database = f"{base}_tmpl_{uuid.uuid4().hex[:12]}"
            self._server(server).execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
            )
            self._databases.append((server, database))
            run_env["CORRIDOR_DATABASE_URL"] = f"{server}/{database}"
        result = subprocess.run(  # noqa: S603 — our own entry point with test arguments
            [CORRIDOR, "init", *args],
            env=run_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if temp.exists() and any(temp.iterdir()):
            raise ValueError(f"init left files in its temporary folder {temp}: not copied")
        return _Template(home.resolve(), server, database, result)

    def _server(self, server: str) -> psycopg.Connection:
        if server not in self._servers:
            self._servers[server] = _connect(f"{server}/postgres")
        return self._servers[server]

    def close(self) -> None:
        """Drop the template databases (the folders go with pytest's temporary ones)."""
        for server, database in self._databases:
            self._server(server).execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
        for server in self._servers.values():
            server.close()


def _server_of(url: str) -> str:
    """A database URL without its database: the server ("" for embedded SQLite)."""
    return url.rsplit("/", 1)[0] if url else ""


def _re_anchor(path: Path, was: str, now: str) -> None:
    """The audit anchor names its database (``audit.anchor.database_identity``: engine, server
    and the SQLite file's path or the PostgreSQL database's name): the copy's names its own."""
    if not path.exists():
        return
    anchor = json.loads(path.read_text(encoding="utf-8"))
    database = anchor["database"]
    if not database.endswith(f"/{was}"):
        raise ValueError(f"the template's audit anchor names {database}, not {was}")
    anchor["database"] = database.removesuffix(was) + now
    path.write_text(json.dumps(anchor), encoding="utf-8")
