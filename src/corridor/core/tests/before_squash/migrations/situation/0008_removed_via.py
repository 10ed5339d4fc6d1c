"""How each removed figure and incident was removed, told apart by a field (decision 0354).

Before, a re-import restored any removed record whose reason read like a replacing import's
("not in FILE, which replaces what it covers"), so a person who typed those words would have
had their removal undone. The rows already removed are filled from that wording, the one
thing there was to go by; from now on the service that removes sets the field.
"""

from django.db import migrations, models

# The replacing import's wording as it stood when this migration was written.
HEAD, TAIL = "not in ", ", which replaces what it covers"


def fill(apps, schema_editor):
    for name in ("DisplacementFigure", "Incident"):
        model = apps.get_model("situation", name)
        removed = model._base_manager.filter(removed_at__isnull=False)
        removed.filter(removal_reason__startswith=HEAD, removal_reason__endswith=TAIL).update(
            removed_via="replace"
        )
        removed.filter(removed_via="").update(removed_via="person")


class Migration(migrations.Migration):
    dependencies = [
        ("situation", "0007_incident_verification"),
    ]

    operations = [
        migrations.AddField(
            model_name="displacementfigure",
            name="removed_via",
            field=models.CharField(
                blank=True,
                choices=[("person", "by a person"), ("replace", "by an import that replaced it")],
                editable=False,
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="removed_via",
            field=models.CharField(
                blank=True,
                choices=[("person", "by a person"), ("replace", "by an import that replaced it")],
                editable=False,
                max_length=8,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
