"""The data version the gap API's answer cache is keyed by (decision 0271).

Triggers on every table the gap table reads give ``aid_dataversion.token`` a new random value
in the writing transaction. SQLite has row triggers only (one update per written row, inside
the same transaction); PostgreSQL uses statement triggers.
"""

from django.db import migrations, models

WATCHED = (
    "aid_monthlyreach",
    "situation_displacementfigure",
    "situation_source",
    "orgs_organisation",
    "geo_adminunit",
)


def install(apps, schema_editor):
    connection = schema_editor.connection
    apps.get_model("aid", "DataVersion").objects.using(connection.alias).create(id=1, token="")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION corridor_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN UPDATE aid_dataversion SET token = md5(random()::text || "
                "clock_timestamp()::text) WHERE id = 1; RETURN NULL; END $$"
            )
            for table in WATCHED:
                cursor.execute(
                    f"CREATE TRIGGER {table}_data_changed AFTER INSERT OR UPDATE OR DELETE "
                    f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION corridor_data_changed()"
                )
        else:
            for table in WATCHED:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_{event.lower()}_data_changed AFTER {event} "
                        f"ON {table} BEGIN UPDATE aid_dataversion SET token = "
                        "lower(hex(randomblob(16))) WHERE id = 1; END"
                    )


def remove(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in WATCHED:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_data_changed ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS corridor_data_changed()")
        else:
            for table in WATCHED:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_data_changed")


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0009_merge_wave4"),
        ("situation", "0007_incident_verification"),
        ("orgs", "0004_members_invitation"),
        ("geo", "0004_review_note"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(blank=True, max_length=32)),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
