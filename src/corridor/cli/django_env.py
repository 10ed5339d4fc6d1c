"""Start Django for a CLI command, only when the command needs it.

CLI modules import models inside ``run()``: Django's app registry is only ready after
``setup()``, which must come after ``--home`` has chosen the instance folder
(docs/decisions/0004-cli.md).
"""

from __future__ import annotations

import os


def setup() -> None:
    # Django is imported here, not at the top: `corridor --help` and argument errors never pay
    # for it (issue 18 §6; test_startup.py checks).
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    django.setup()


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied to the configured database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def database_description() -> dict[str, str]:
    """Engine and location of the database, without any password."""
    from django.db import connection

    db = connection.settings_dict
    vendor = connection.vendor
    if vendor == "sqlite":
        return {"engine": "sqlite", "location": str(db["NAME"])}
    host = db.get("HOST") or "localhost"
    port = db.get("PORT") or ""
    where = f"{host}:{port}" if port else host
    return {"engine": vendor, "location": f"{db.get('USER') or ''}@{where}/{db['NAME']}"}
