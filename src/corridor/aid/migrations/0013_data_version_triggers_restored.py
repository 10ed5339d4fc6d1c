"""Put back the data-version triggers a table rebuild took away on SQLite (decision 0362).

SQLite alters a table by copying it into a new one, and the copy has no triggers: situation
0008 (``removed_via``) rebuilt ``situation_displacementfigure`` after aid 0010 had made its
triggers, so on SQLite a changed displacement figure no longer renewed the data version and
the gap API could answer from its cache. ``CREATE TRIGGER IF NOT EXISTS`` makes every trigger
aid 0010 made, so this is a no-op where they are all present (any fresh database, and
PostgreSQL, which keeps triggers across ALTER TABLE; there it recreates them the same way).

A later migration that alters a watched table on SQLite must do the same again.
"""

from django.db import migrations

WATCHED = (
    "aid_monthlyreach",
    "situation_displacementfigure",
    "situation_source",
    "orgs_organisation",
    "geo_adminunit",
)


def restore(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION corridor_data_changed() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN UPDATE aid_dataversion SET token = "
                "md5(random()::text || clock_timestamp()::text) WHERE id = 1; RETURN NULL; END $$"
            )
            for table in WATCHED:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_data_changed ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {table}_data_changed AFTER INSERT OR UPDATE OR DELETE "
                    f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION corridor_data_changed()"
                )
        else:
            for table in WATCHED:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_data_changed "
                        f"AFTER {event} ON {table} BEGIN UPDATE aid_dataversion SET token = "
                        "lower(hex(randomblob(16))) WHERE id = 1; END"
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0001_squashed_0012_removed_via"),
        ("situation", "0001_squashed_0008_removed_via"),
    ]

    # Going back keeps the triggers: the data version is right with them at every step.
    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
