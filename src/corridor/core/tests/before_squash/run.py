"""Migrate the database the environment names (CORRIDOR_HOME or CORRIDOR_DATABASE_URL).

    python -m corridor.core.tests.before_squash.run old       # the chain before the squash
    python -m corridor.core.tests.before_squash.run squashed  # today's, up to the squashes only
    python -m corridor.core.tests.before_squash.run upgrade   # today's, all of them

Each prints one line of JSON: the migrations it applied, in order.
"""

from __future__ import annotations

import json
import os
import sys

OLD_APPS = (
    "accounts",
    "aid",
    "audit",
    "exchange",
    "funds",
    "geo",
    "orgs",
    "situation",
    "statements",
    "sync",
)


def old_chain() -> dict[str, str]:
    """MIGRATION_MODULES that load the old files instead of each app's own."""
    return {app: f"{__package__}.migrations.{app}" for app in OLD_APPS}


def before() -> set[tuple[str, str]]:
    """The migrations the old chain is made of (Django's own apps' among them)."""
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader
    from django.test import override_settings

    with override_settings(MIGRATION_MODULES={**settings.MIGRATION_MODULES, **old_chain()}):
        return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def main(mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    from django.conf import settings

    if mode == "old":
        settings.MIGRATION_MODULES = old_chain()

    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    plan = executor.migration_plan(graph.leaf_nodes())
    if mode == "squashed":
        # What the old chain amounts to: each squash and what was never squashed, leaving out
        # the migrations written since (the triggers' repair, later changes).
        old = before()
        plan = [(m, back) for m, back in plan if m.replaces or (m.app_label, m.name) in old]
    executor.migrate(graph.leaf_nodes(), plan=plan)
    json.dump([f"{m.app_label}.{m.name}" for m, _backwards in plan], sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
