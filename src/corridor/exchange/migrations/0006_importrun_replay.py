from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0005_importrun_held_heldrow"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="replay",
            field=models.JSONField(
                blank=True,
                help_text=(
                    "What an unchanged re-import of the file is answered from (decision 0369)."
                ),
                null=True,
            ),
        ),
    ]
