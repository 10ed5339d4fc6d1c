"""Encrypted contact details and real names of anonymous organisations.

An existing anonymous organisation's name moves into the encrypted protected_name and its
name becomes a neutral label (Organisation.clean() does the same for new ones).
"""

import corridor.core.crypto.fields
from django.db import migrations

ANONYMOUS_LABEL = "Anonymous organisation"


def hide_anonymous_names(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    for org in Organisation.objects.filter(visibility="anonymous").exclude(
        name__startswith=ANONYMOUS_LABEL
    ):
        org.protected_name = org.name
        org.name = f"{ANONYMOUS_LABEL} {str(org.pk)[:8]}"
        org.save(update_fields=["name", "protected_name"])


def show_anonymous_names(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    for org in Organisation.objects.filter(visibility="anonymous"):
        if org.protected_name:
            org.name = org.protected_name
            org.save(update_fields=["name"])


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="contact",
            field=corridor.core.crypto.fields.EncryptedTextField(
                blank=True, help_text="Contact details (people, phones, channels), stored encrypted."
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="protected_name",
            field=corridor.core.crypto.fields.EncryptedTextField(
                blank=True,
                help_text="Real name of an anonymous organisation, stored encrypted.",
                max_length=200,
            ),
        ),
        migrations.RunPython(hide_anonymous_names, show_anonymous_names),
    ]
