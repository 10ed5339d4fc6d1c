"""The situation app's migrations 0001 to 0008 in one (decision 0362): a fresh database gets each
table in its final shape; data fills that only mattered for rows stored before are left out.
"""

import corridor.core.crypto.fields
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('situation', '0001_initial'), ('situation', '0002_encrypt_protected_fields'), ('situation', '0003_checks_native_to_sqlite'), ('situation', '0004_statusneed_need_by_sector'), ('situation', '0004_correct_soft_removal'), ('situation', '0005_merge_wave2'), ('situation', '0004_fields_acled_detail'), ('situation', '0006_merge_fields'), ('situation', '0007_incident_verification'), ('situation', '0008_removed_via')]

    initial = True

    dependencies = [
        ('geo', '0001_squashed_0004_review_note'),
        ('orgs', '0001_squashed_0004_members_invitation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Source',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('title', models.CharField(max_length=300)),
                ('publisher', models.CharField(blank=True, max_length=200)),
                ('published_on', models.DateField(blank=True, null=True)),
                ('url', models.URLField(blank=True, help_text='Leave empty for an offline source.', max_length=500)),
                ('reliability', models.CharField(choices=[('A', 'A — completely reliable'), ('B', 'B — usually reliable'), ('C', 'C — fairly reliable'), ('D', 'D — not usually reliable'), ('E', 'E — unreliable'), ('F', 'F — reliability cannot be judged')], default='F', max_length=1)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-published_on', 'title'],
                'constraints': [models.CheckConstraint(condition=models.Q(('title', ''), _negated=True), name='source_title_not_empty'), models.CheckConstraint(condition=models.Q(('reliability', 'A'), ('reliability', 'B'), ('reliability', 'C'), ('reliability', 'D'), ('reliability', 'E'), ('reliability', 'F'), _connector='OR'), name='source_reliability_valid')],
            },
        ),
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('code', models.SlugField(help_text='e.g. idps_total, detained_total', max_length=64)),
                ('label', models.CharField(max_length=200)),
                ('value', models.BigIntegerField()),
                ('as_of', models.DateField()),
                ('notes', models.TextField(blank=True)),
                ('admin_unit', models.ForeignKey(blank=True, help_text='Empty for the whole country.', null=True, on_delete=django.db.models.deletion.PROTECT, to='geo.adminunit')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='indicators', to='situation.source')),
            ],
            options={
                'ordering': ['code', '-as_of'],
                'constraints': [models.UniqueConstraint(fields=('code', 'as_of', 'source'), name='indicator_unique_per_source'), models.CheckConstraint(condition=models.Q(('value__gte', 0)), name='indicator_not_negative')],
            },
        ),
        migrations.CreateModel(
            name='Incident',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('occurred_on', models.DateField()),
                ('incident_type', models.CharField(choices=[('airstrike', 'Airstrike'), ('shelling', 'Shelling'), ('arson', 'Arson'), ('armed_clash', 'Armed clash'), ('arrest', 'Arrest/detention'), ('killing', 'Killing'), ('attack_on_aid', 'Attack on aid or health workers'), ('forced_displacement', 'Forced displacement'), ('explosive_device', 'Landmine, IED or other explosive'), ('attack_on_civilians', 'Attack on civilians'), ('abduction', 'Abduction or forced disappearance'), ('sexual_violence', 'Sexual violence'), ('looting', 'Looting or property destruction'), ('other', 'Other')], max_length=24)),
                ('fatalities', models.PositiveIntegerField(default=0)),
                ('injuries', models.PositiveIntegerField(default=0)),
                ('detained', models.PositiveIntegerField(default=0)),
                ('description', models.TextField(blank=True)),
                ('admin_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='incidents', to='geo.adminunit')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('reporting_organisation', models.ForeignKey(blank=True, help_text='Organisation that reported it; its members may edit it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('sources', models.ManyToManyField(related_name='incidents', to='situation.source')),
                ('latitude', corridor.core.crypto.fields.EncryptedFloatField(blank=True, null=True)),
                ('longitude', corridor.core.crypto.fields.EncryptedFloatField(blank=True, null=True)),
                ('witnesses', corridor.core.crypto.fields.EncryptedTextField(blank=True, help_text='Who saw it and how to reach them; stored encrypted.')),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('geo_precision', models.PositiveSmallIntegerField(blank=True, choices=[(1, 'The town or village is known'), (2, 'Near a town, or a small part of a region'), (3, 'Only a larger part of the region is known')], help_text="How well the place is known (ACLED's 1-3); empty when not said.", null=True)),
                ('sub_event_type', models.CharField(blank=True, help_text="The source's own finer type, e.g. ACLED's 'Remote explosive/landmine/IED'.", max_length=64)),
                ('verification', models.CharField(choices=[('unverified', 'Not verified: reported, not yet checked'), ('corroborated', 'Corroborated: more than one independent source'), ('verified', 'Verified: checked first-hand by the reporting organisation'), ('disputed', 'Disputed: sources disagree, or it is being corrected')], db_default='unverified', default='unverified', help_text='How far the report has been checked.', max_length=16)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'ordering': ['-occurred_on'],
                'indexes': [models.Index(fields=['occurred_on', 'admin_unit'], name='situation_i_occurre_f2f089_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('fatalities__gte', 0), ('injuries__gte', 0), ('detained__gte', 0)), name='incident_counts_not_negative'), models.CheckConstraint(condition=models.Q(('incident_type', 'airstrike'), ('incident_type', 'shelling'), ('incident_type', 'arson'), ('incident_type', 'armed_clash'), ('incident_type', 'arrest'), ('incident_type', 'killing'), ('incident_type', 'attack_on_aid'), ('incident_type', 'forced_displacement'), ('incident_type', 'explosive_device'), ('incident_type', 'attack_on_civilians'), ('incident_type', 'abduction'), ('incident_type', 'sexual_violence'), ('incident_type', 'looting'), ('incident_type', 'other'), _connector='OR'), name='incident_type_valid'), models.CheckConstraint(condition=models.Q(('geo_precision__isnull', True), ('geo_precision', 1), ('geo_precision', 2), ('geo_precision', 3), _connector='OR'), name='incident_geo_precision_valid'), models.CheckConstraint(condition=models.Q(('verification', 'unverified'), ('verification', 'corroborated'), ('verification', 'verified'), ('verification', 'disputed'), _connector='OR'), name='incident_verification_valid')],
            },
        ),
        migrations.CreateModel(
            name='DisplacementFigure',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('as_of', models.DateField()),
                ('idps', models.PositiveIntegerField(blank=True, help_text="Internally displaced people (empty only on a sector's need figure).", null=True)),
                ('refugees', models.PositiveIntegerField(blank=True, null=True)),
                ('people_in_need', models.PositiveIntegerField(blank=True, null=True)),
                ('notes', models.TextField(blank=True)),
                ('admin_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='displacement_figures', to='geo.adminunit')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('reporting_organisation', models.ForeignKey(blank=True, help_text='Organisation that reported it; its members may edit it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='figures', to='situation.source')),
                ('sector', models.CharField(blank=True, choices=[('food_security', 'Food security'), ('health', 'Health'), ('nutrition', 'Nutrition'), ('wash', 'Water, sanitation and hygiene'), ('shelter_nfi', 'Shelter and non-food items'), ('protection', 'Protection'), ('education', 'Education'), ('livelihoods', 'Livelihoods'), ('multipurpose_cash', 'Multi-purpose cash'), ('logistics', 'Logistics and coordination')], default='', help_text='The sector the people in need are counted for; empty: all sectors.', max_length=24)),
                ('valid_from', models.DateField(blank=True, help_text='First day the people in need count for.', null=True)),
                ('valid_to', models.DateField(blank=True, help_text='Last day the people in need count for.', null=True)),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'ordering': ['-as_of', 'admin_unit_id'],
                'indexes': [models.Index(fields=['as_of', 'admin_unit'], name='situation_d_as_of_800bcb_idx'), models.Index(fields=['sector', 'admin_unit', 'as_of'], name='figure_latest_idx'), models.Index(condition=models.Q(('people_in_need__isnull', False), ('valid_from__isnull', True)), fields=['sector', 'admin_unit', 'as_of'], name='figure_need_latest_idx'), models.Index(condition=models.Q(('valid_from__isnull', False)), fields=['valid_from', 'valid_to'], name='figure_need_period_idx')],
                'constraints': [models.UniqueConstraint(fields=('admin_unit', 'as_of', 'source', 'sector'), name='displacement_unique_per_source_sector'), models.CheckConstraint(condition=models.Q(models.Q(('idps__isnull', True), ('idps__gte', 0), _connector='OR'), models.Q(('refugees__isnull', True), ('refugees__gte', 0), _connector='OR'), models.Q(('people_in_need__isnull', True), ('people_in_need__gte', 0), _connector='OR')), name='displacement_counts_not_negative'), models.CheckConstraint(condition=models.Q(('sector', ''), ('sector', 'food_security'), ('sector', 'health'), ('sector', 'nutrition'), ('sector', 'wash'), ('sector', 'shelter_nfi'), ('sector', 'protection'), ('sector', 'education'), ('sector', 'livelihoods'), ('sector', 'multipurpose_cash'), ('sector', 'logistics'), _connector='OR'), name='displacement_sector_valid'), models.CheckConstraint(condition=models.Q(models.Q(('sector', ''), ('idps__isnull', False)), models.Q(models.Q(('sector', ''), _negated=True), ('idps__isnull', True), ('refugees__isnull', True), ('people_in_need__isnull', False)), _connector='OR'), name='displacement_sector_is_need_only'), models.CheckConstraint(condition=models.Q(models.Q(('valid_from__isnull', True), ('valid_to__isnull', True)), models.Q(('valid_from__isnull', False), ('valid_to__isnull', False), ('valid_to__gte', models.F('valid_from')), ('people_in_need__isnull', False)), _connector='OR'), name='displacement_validity_period')],
            },
        ),
    ]
