"""The geo app's migrations 0001 to 0004 in one (decision 0362): a fresh database gets each
table in its final shape; data fills that only mattered for rows stored before are left out.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('geo', '0001_initial'), ('geo', '0002_aliases_and_review'), ('geo', '0003_checks_native_to_sqlite'), ('geo', '0004_review_note')]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AdminUnit',
            fields=[
                ('pcode', models.CharField(max_length=16, primary_key=True, serialize=False)),
                ('level', models.PositiveSmallIntegerField(choices=[(1, 'State/Region'), (2, 'District'), (3, 'Township')])),
                ('name_en', models.CharField(max_length=128)),
                ('name_my', models.CharField(blank=True, max_length=128)),
                ('centroid_lon', models.FloatField(blank=True, null=True)),
                ('centroid_lat', models.FloatField(blank=True, null=True)),
                ('boundary', models.JSONField(blank=True, help_text='Simplified GeoJSON geometry (WGS84).', null=True)),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='geo.adminunit')),
            ],
            options={
                'ordering': ['pcode'],
                'constraints': [models.CheckConstraint(condition=models.Q(('pcode__startswith', 'MMR')), name='adminunit_pcode_mmr'), models.CheckConstraint(condition=models.Q(models.Q(('level', 1), ('parent__isnull', True)), models.Q(('level__gt', 1), ('parent__isnull', False)), _connector='OR'), name='adminunit_parent_by_level'), models.CheckConstraint(condition=models.Q(models.Q(('centroid_lat__isnull', True), ('centroid_lon__isnull', True)), models.Q(('centroid_lat__gte', 9), ('centroid_lat__lte', 29), ('centroid_lon__gte', 92), ('centroid_lon__lte', 102)), _connector='OR'), name='adminunit_centroid_in_myanmar'), models.CheckConstraint(condition=models.Q(('level', 1), ('level', 2), ('level', 3), _connector='OR'), name='adminunit_level_valid')],
            },
        ),
        migrations.CreateModel(
            name='PlaceAlias',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('alias', models.CharField(max_length=200)),
                ('kind', models.CharField(choices=[('spelling', 'Spelling variant'), ('romanisation', 'Romanisation variant'), ('old_name', 'Old name'), ('burmese', 'Burmese spelling'), ('abbreviation', 'Abbreviation'), ('review', 'Decided in the review queue')], default='spelling', max_length=16)),
                ('source', models.CharField(blank=True, max_length=300)),
                ('admin_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='aliases', to='geo.adminunit')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['alias'],
                'constraints': [models.UniqueConstraint(fields=('alias', 'admin_unit'), name='placealias_unique'), models.CheckConstraint(condition=models.Q(('alias', ''), _negated=True), name='placealias_alias_not_empty')],
            },
        ),
        migrations.CreateModel(
            name='PlaceReview',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('query', models.CharField(max_length=200)),
                ('context', models.CharField(blank=True, help_text='e.g. file and row', max_length=300)),
                ('level', models.PositiveSmallIntegerField(blank=True, choices=[(1, 'State/Region'), (2, 'District'), (3, 'Township')], null=True)),
                ('parent', models.CharField(blank=True, max_length=200)),
                ('candidates', models.JSONField(blank=True, default=list)),
                ('status', models.CharField(choices=[('open', 'Open'), ('resolved', 'Resolved'), ('rejected', 'Rejected')], default='open', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('chosen', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.adminunit')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('note', models.CharField(blank=True, max_length=300)),
            ],
            options={
                'ordering': ['created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('chosen__isnull', True), ('decided_at__isnull', True), ('status', 'open')), models.Q(('chosen__isnull', False), ('decided_at__isnull', False), ('status', 'resolved')), models.Q(('chosen__isnull', True), ('decided_at__isnull', False), ('status', 'rejected')), _connector='OR'), name='placereview_decision_matches_status'), models.CheckConstraint(condition=models.Q(('query', ''), _negated=True), name='placereview_query_not_empty')],
            },
        ),
    ]
