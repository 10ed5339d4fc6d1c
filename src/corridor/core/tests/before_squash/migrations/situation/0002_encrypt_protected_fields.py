"""Encrypt incident coordinates and add encrypted witnesses.

The database can no longer range-check coordinates once they are ciphertext, so the check
constraint goes and Incident.clean() checks the range. Existing coordinates are moved aside,
copied into the encrypted fields (encrypting them) and the plain columns dropped.
"""

import corridor.core.crypto.fields
from django.db import migrations


def encrypt_coordinates(apps, schema_editor):
    Incident = apps.get_model("situation", "Incident")
    rows = Incident.objects.exclude(latitude_plain__isnull=True)
    for pk, latitude, longitude in rows.values_list("pk", "latitude_plain", "longitude_plain"):
        Incident.objects.filter(pk=pk).update(latitude=latitude, longitude=longitude)


def decrypt_coordinates(apps, schema_editor):
    Incident = apps.get_model("situation", "Incident")
    for incident in Incident.objects.exclude(latitude__isnull=True).only(
        "pk", "latitude", "longitude"
    ):
        Incident.objects.filter(pk=incident.pk).update(
            latitude_plain=incident.latitude, longitude_plain=incident.longitude
        )


class Migration(migrations.Migration):

    dependencies = [
        ("situation", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="incident",
            name="incident_coordinates_in_myanmar",
        ),
        migrations.RenameField("incident", "latitude", "latitude_plain"),
        migrations.RenameField("incident", "longitude", "longitude_plain"),
        migrations.AddField(
            model_name="incident",
            name="latitude",
            field=corridor.core.crypto.fields.EncryptedFloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="incident",
            name="longitude",
            field=corridor.core.crypto.fields.EncryptedFloatField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_coordinates, decrypt_coordinates),
        migrations.RemoveField("incident", "latitude_plain"),
        migrations.RemoveField("incident", "longitude_plain"),
        migrations.AddField(
            model_name="incident",
            name="witnesses",
            field=corridor.core.crypto.fields.EncryptedTextField(
                blank=True, help_text="Who saw it and how to reach them; stored encrypted."
            ),
        ),
    ]
