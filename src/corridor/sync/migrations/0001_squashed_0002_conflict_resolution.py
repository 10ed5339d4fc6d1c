"""The sync app's migrations 0001 to 0002 in one (decision 0362): a fresh database gets each
table in its final shape; data fills that only mattered for rows stored before are left out.
"""

import corridor.core.crypto.fields
import corridor.core.ids
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('sync', '0001_initial'), ('sync', '0002_conflict_resolution')]

    initial = True

    dependencies = [
        ('orgs', '0001_squashed_0004_members_invitation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Identity',
            fields=[
                ('id', models.UUIDField(default=corridor.core.ids.uuid7, editable=False, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=100)),
                ('signing_key', corridor.core.crypto.fields.EncryptedBinaryField()),
                ('box_key', corridor.core.crypto.fields.EncryptedBinaryField()),
                ('signing_public', models.CharField(max_length=64)),
                ('box_public', models.CharField(max_length=64)),
                ('clock', models.CharField(blank=True, max_length=64)),
                ('changes', models.BigIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name_plural': 'identity',
            },
        ),
        migrations.CreateModel(
            name='Peer',
            fields=[
                ('id', models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=100, unique=True)),
                ('role', models.CharField(choices=[('hub', 'Hub'), ('field', 'Field instance')], max_length=8)),
                ('signing_public', models.CharField(max_length=64)),
                ('box_public', models.CharField(max_length=64)),
                ('fingerprint', models.CharField(max_length=64)),
                ('added_at', models.DateTimeField(auto_now_add=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('sent_seq', models.BigIntegerField(default=0)),
                ('acked_seq', models.BigIntegerField(default=0)),
                ('acked_change', models.BigIntegerField(default=0)),
                ('received_seq', models.BigIntegerField(default=0)),
                ('organisations', models.ManyToManyField(blank=True, related_name='+', to='orgs.organisation')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('role__in', ['hub', 'field'])), name='peer_role')],
            },
        ),
        migrations.CreateModel(
            name='Bundle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('direction', models.CharField(choices=[('out', 'Written'), ('in', 'Applied')], max_length=3)),
                ('seq', models.BigIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('rows', models.IntegerField(default=0)),
                ('changes_upto', models.BigIntegerField(default=0)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('peer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bundles', to='sync.peer')),
            ],
            options={
                'ordering': ['-at'],
                'constraints': [models.UniqueConstraint(fields=('peer', 'direction', 'seq'), name='bundle_once'), models.CheckConstraint(condition=models.Q(('direction__in', ['out', 'in'])), name='bundle_direction')],
            },
        ),
        migrations.CreateModel(
            name='Version',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40)),
                ('record_id', models.UUIDField()),
                ('hlc', models.CharField(max_length=64)),
                ('superseded', models.JSONField(default=list)),
                ('digest', models.CharField(max_length=64)),
                ('change', models.BigIntegerField(db_index=True)),
                ('came_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='sync.peer')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'record_id'), name='version_per_record')],
            },
        ),
        migrations.CreateModel(
            name='Conflict',
            fields=[
                ('id', models.UUIDField(default=corridor.core.ids.uuid7, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(max_length=40)),
                ('record_id', models.UUIDField()),
                ('kept_hlc', models.CharField(max_length=64)),
                ('lost_hlc', models.CharField(max_length=64)),
                ('lost', corridor.core.crypto.fields.EncryptedTextField()),
                ('found_at', models.DateTimeField(auto_now_add=True)),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('resolution', models.CharField(blank=True, choices=[('kept', 'Kept the version that won'), ('took_lost', 'Took the version that lost')], max_length=10)),
            ],
            options={
                'ordering': ['-found_at'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'record_id', 'lost_hlc'), name='conflict_once_per_version'), models.CheckConstraint(condition=models.Q(('resolution__in', ['', 'kept', 'took_lost'])), name='conflict_resolution')],
            },
        ),
    ]
