"""The exchange app's migrations 0001 to 0005 in one (decision 0362): a fresh database gets each
table in its final shape; data fills that only mattered for rows stored before are left out.
"""

import corridor.core.crypto.fields
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('exchange', '0001_initial'), ('exchange', '0002_checks_native_to_sqlite'), ('exchange', '0003_reimport_removed'), ('exchange', '0003_mapping_saved_mappings'), ('exchange', '0004_merge_wave2'), ('exchange', '0005_importrun_held_heldrow')]

    initial = True

    dependencies = [
        ('orgs', '0001_squashed_0004_members_invitation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('file_name', models.CharField(help_text='Name only; uploads are not kept.', max_length=255)),
                ('checksum', models.CharField(help_text="SHA-256 of the file's bytes.", max_length=64)),
                ('format', models.CharField(max_length=16)),
                ('kind', models.CharField(max_length=16)),
                ('dry_run', models.BooleanField(default=False)),
                ('status', models.CharField(choices=[('running', 'Running'), ('applied', 'Applied'), ('checked', 'Checked (dry run)'), ('refused', 'Refused: errors in the file')], default='running', max_length=10)),
                ('rows', models.PositiveIntegerField(default=0)),
                ('created', models.PositiveIntegerField(default=0)),
                ('changed', models.PositiveIntegerField(default=0)),
                ('unchanged', models.PositiveIntegerField(default=0)),
                ('error_count', models.PositiveIntegerField(default=0)),
                ('error_report', models.TextField(blank=True)),
                ('notes', models.JSONField(blank=True, default=list, help_text='Warnings, ignored columns.')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removed', models.PositiveIntegerField(default=0, help_text="Records of the file's scope it no longer held, removed.")),
                ('held', models.PositiveIntegerField(default=0, help_text='Rows held for review by a partial import (decision 0205).')),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status', 'running'), ('status', 'applied'), ('status', 'checked'), ('status', 'refused'), _connector='OR'), name='importrun_status_valid')],
            },
        ),
        migrations.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checksum', models.CharField(max_length=64)),
                ('kind', models.CharField(max_length=16)),
                ('batch_size', models.PositiveIntegerField()),
                ('number', models.PositiveIntegerField()),
                ('rows', models.PositiveIntegerField()),
                ('committed_at', models.DateTimeField(auto_now_add=True)),
                ('run', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='exchange.importrun')),
            ],
            options={
                'ordering': ['checksum', 'number'],
                'constraints': [models.UniqueConstraint(fields=('checksum', 'kind', 'batch_size', 'number'), name='importbatch_unique')],
            },
        ),
        migrations.CreateModel(
            name='SavedMapping',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=100, unique=True)),
                ('kind', models.CharField(max_length=16)),
                ('signature', models.CharField(db_index=True, max_length=64)),
                ('headers', models.JSONField(default=list, help_text="The file's header, one per column.")),
                ('spec', models.JSONField(default=dict)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='HeldRow',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('file_name', models.CharField(max_length=255)),
                ('row', models.PositiveIntegerField(help_text='Row number in the file, as a spreadsheet.')),
                ('table', models.JSONField(default=dict)),
                ('cells', corridor.core.crypto.fields.EncryptedTextField(help_text="The row's cells as JSON, with any fixes.")),
                ('reasons', corridor.core.crypto.fields.EncryptedTextField(help_text='Why it is held: JSON of column, value, reason.')),
                ('status', models.CharField(choices=[('held', 'Held for review'), ('applied', 'Fixed and applied'), ('dropped', 'Dropped')], default='held', max_length=10)),
                ('applied_run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='exchange.importrun')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='held_rows', to='exchange.importrun')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', 'row'],
                'indexes': [models.Index(fields=['status', 'organisation'], name='exchange_he_status_3b445f_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('status', 'held'), ('status', 'applied'), ('status', 'dropped'), _connector='OR'), name='heldrow_status_valid')],
            },
        ),
    ]
