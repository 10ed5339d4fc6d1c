"""Build the monthly reach rollups of the rows an instance already holds (decision 0225).

Runs the same recomputation as `corridor rollups rebuild` (``aid.services.rollups_rebuild``):
the rollups are derived data, so building them with today's code right after their tables
are made is what an upgrade needs; a later change of the rule rebuilds them the same way.
"""

from django.db import migrations


def build(apps, schema_editor):
    from corridor.aid.services import rollups_rebuild

    rollups_rebuild()


class Migration(migrations.Migration):
    dependencies = [("aid", "0007_monthly_reach_rollups")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
