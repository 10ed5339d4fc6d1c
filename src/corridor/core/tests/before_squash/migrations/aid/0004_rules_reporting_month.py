"""Every activity counted in a month: the reporting month on its first day, or the start's.

Rows saved before the rules (decision 0170) could have no reporting month (only a start date)
or a month on another day: the gap table and the lists, which ask for the first of the month,
missed them. The rules now set it on every write; this puts the rows already stored right.
"""

from django.db import migrations
from django.db.models import Q


def months_on_the_first(apps, schema_editor):
    Activity = apps.get_model("aid", "Activity")
    off = Activity.objects.filter(
        Q(reporting_month__isnull=True, start_date__isnull=False) | ~Q(reporting_month__day=1)
    ).exclude(reporting_month__isnull=True, start_date__isnull=True)
    for pk, month, start in off.values_list("pk", "reporting_month", "start_date").iterator():
        Activity.objects.filter(pk=pk).update(reporting_month=(month or start).replace(day=1))


class Migration(migrations.Migration):
    dependencies = [("aid", "0003_checks_native_to_sqlite")]

    operations = [migrations.RunPython(months_on_the_first, migrations.RunPython.noop)]
