"""An index of removed activity rows alone (decision 0393): a replacing import's records that a
later file holds again are sought among them. A plain CREATE INDEX on both databases: no table
rebuild on SQLite, so the data-version triggers stay (decision 0362)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0013_data_version_triggers_restored"),
        ("geo", "0001_squashed_0004_review_note"),
        ("orgs", "0001_squashed_0004_members_invitation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("removed_at__isnull", False)),
                fields=["organisation", "reporting_month"],
                name="activity_removed_idx",
            ),
        ),
    ]
