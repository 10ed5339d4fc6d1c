"""Encrypt transfers' references (a bank or hundi code is protected, docs/security/encryption.md).

The plain column is moved aside, its values copied into the encrypted field (which encrypts
them) and the plain column dropped, as situation 0002 did for coordinates.
"""

import corridor.core.crypto.fields
from django.db import migrations


def encrypt_references(apps, schema_editor):
    Transfer = apps.get_model("funds", "Transfer")
    rows = Transfer.objects.exclude(reference_plain="").values_list("pk", "reference_plain")
    for pk, reference in list(rows):
        Transfer.objects.filter(pk=pk).update(reference=reference)


def decrypt_references(apps, schema_editor):
    Transfer = apps.get_model("funds", "Transfer")
    # Encrypted values admit no comparison in SQL: skip the empty ones here.
    for transfer in list(Transfer.objects.only("pk", "reference")):
        if transfer.reference:
            Transfer.objects.filter(pk=transfer.pk).update(reference_plain=transfer.reference)


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0003_checks_native_to_sqlite"),
    ]

    operations = [
        migrations.RenameField("transfer", "reference", "reference_plain"),
        migrations.AddField(
            model_name="transfer",
            name="reference",
            field=corridor.core.crypto.fields.EncryptedTextField(
                blank=True,
                default="",
                help_text="Bank or hundi code of the transfer; stored encrypted.",
                max_length=120,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_references, decrypt_references),
        migrations.RemoveField("transfer", "reference_plain"),
    ]
