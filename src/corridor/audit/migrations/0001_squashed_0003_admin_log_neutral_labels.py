"""The audit app's migrations 0001 to 0003 in one (decision 0362).

On PostgreSQL the database itself refuses UPDATE and DELETE of audit rows (a trigger); SQLite
relies on the model and the hash chain, as before. The old 0003 relabelled admin log entries
already written; a fresh database has none.
"""

from django.db import migrations, models


FORBID = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):

    replaces = [('audit', '0001_initial'), ('audit', '0002_append_only_on_postgresql'), ('audit', '0003_admin_log_neutral_labels')]

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('seq', models.BigIntegerField(primary_key=True, serialize=False)),
                ('at', models.DateTimeField()),
                ('actor_id', models.CharField(blank=True, max_length=64)),
                ('actor_label', models.CharField(blank=True, max_length=150)),
                ('action', models.CharField(max_length=32)),
                ('object_type', models.CharField(blank=True, max_length=64)),
                ('object_id', models.CharField(blank=True, max_length=64)),
                ('changes', models.JSONField(blank=True, default=dict)),
                ('prev_hash', models.CharField(max_length=64)),
                ('hash', models.CharField(max_length=64, unique=True)),
            ],
            options={
                'verbose_name_plural': 'audit entries',
                'ordering': ['seq'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='audit_audit_object__3eefc4_idx')],
            },
        ),
        migrations.RunPython(
            code=forbid,
            reverse_code=allow,
        ),
    ]
