"""Django's admin log names records by kind and id from now on (``audit.admin.AuditedAdmin``);
the entries written before name them so too.

Each entry's ``object_repr`` (the record's ``str()`` when it was logged: a pseudonymous
organisation's name, a user name, a membership with both) becomes "<Kind> #<id>", and the
inline records its change message names become their kind. A message that is not Django's JSON
is emptied: Corridor never wrote one, and its text could name a record.
"""

import json

from django.db import migrations
from django.utils import translation
from django.utils.text import capfirst

BATCH = 500


def _kinds(apps):
    """{content type id: the model's verbose name}; the model name where the model is gone."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    kinds = {}
    with translation.override(None):
        for content_type in ContentType.objects.all():
            try:
                model = apps.get_model(content_type.app_label, content_type.model)
            except LookupError:
                kinds[content_type.pk] = capfirst(content_type.model)
            else:
                kinds[content_type.pk] = capfirst(str(model._meta.verbose_name))
    return kinds


def neutral_message(message):
    """The change message with each named inline record replaced by its kind."""
    if not message:
        return message
    try:
        parts = json.loads(message)
    except ValueError:
        return ""
    if not isinstance(parts, list):
        return ""
    for part in parts:
        for detail in part.values() if isinstance(part, dict) else ():
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = detail.get("name", "")
    return json.dumps(parts)


def neutral_labels(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    kinds = _kinds(apps)
    batch = []
    for entry in LogEntry.objects.order_by("pk").iterator(chunk_size=BATCH):
        kind = kinds.get(entry.content_type_id, "Record")
        entry.object_repr = (f"{kind} #{entry.object_id}" if entry.object_id else kind)[:200]
        entry.change_message = neutral_message(entry.change_message)
        batch.append(entry)
        if len(batch) == BATCH:
            LogEntry.objects.bulk_update(batch, ["object_repr", "change_message"])
            batch = []
    LogEntry.objects.bulk_update(batch, ["object_repr", "change_message"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_on_postgresql"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Going back leaves the labels: the names they replaced are not kept anywhere.
    operations = [migrations.RunPython(neutral_labels, migrations.RunPython.noop)]
