from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("funds", "0006_transfer_legs_from_status")]

    operations = [
        migrations.RemoveConstraint(model_name="transfer", name="transfer_status_valid"),
        migrations.RemoveField(model_name="transfer", name="status"),
    ]
