"""The orgs app's migrations 0001 to 0004 in one (decision 0362): a fresh database gets each
table in its final shape; data fills that only mattered for rows stored before are left out.
"""

import corridor.core.crypto.fields
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('orgs', '0001_initial'), ('orgs', '0002_encrypt_protected_fields'), ('orgs', '0003_checks_native_to_sqlite'), ('orgs', '0004_members_invitation')]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Coalition',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=200, unique=True)),
                ('description', models.TextField(blank=True)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Organisation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=200)),
                ('name_my', models.CharField(blank=True, help_text='Name in Burmese.', max_length=200)),
                ('acronym', models.CharField(blank=True, max_length=32)),
                ('kind', models.CharField(choices=[('local_cso', 'Local civil-society organisation'), ('ethnic', 'Ethnic organisation'), ('resistance_admin', 'Resistance-area administration'), ('diaspora', 'Diaspora group'), ('nug_nucc', 'NUG/NUCC body'), ('ingo', 'International NGO'), ('un', 'UN agency'), ('donor', 'Donor'), ('other', 'Other')], max_length=24)),
                ('base_country', models.CharField(help_text='ISO 3166-1 alpha-2 code of the country it works from.', max_length=2)),
                ('visibility', models.CharField(choices=[('public', 'Public'), ('pseudonymous', 'Pseudonymous (alias only)'), ('anonymous', 'Anonymous (counted, never named)')], default='public', max_length=16)),
                ('alias', models.CharField(blank=True, help_text='Name shown outside when pseudonymous.', max_length=120)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contact', corridor.core.crypto.fields.EncryptedTextField(blank=True, help_text='Contact details (people, phones, channels), stored encrypted.')),
                ('protected_name', corridor.core.crypto.fields.EncryptedTextField(blank=True, help_text='Real name of an anonymous organisation, stored encrypted.', max_length=200)),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('alias', ''), ('visibility', 'pseudonymous'), _negated=True), name='organisation_pseudonym_has_alias'), models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='organisation_name_not_empty'), models.CheckConstraint(condition=models.Q(('kind', 'local_cso'), ('kind', 'ethnic'), ('kind', 'resistance_admin'), ('kind', 'diaspora'), ('kind', 'nug_nucc'), ('kind', 'ingo'), ('kind', 'un'), ('kind', 'donor'), ('kind', 'other'), _connector='OR'), name='organisation_kind_valid'), models.CheckConstraint(condition=models.Q(('visibility', 'public'), ('visibility', 'pseudonymous'), ('visibility', 'anonymous'), _connector='OR'), name='organisation_visibility_valid'), models.CheckConstraint(condition=models.Q(('base_country__capital_letters', 2)), name='organisation_country_iso2')],
            },
        ),
        migrations.CreateModel(
            name='CoalitionMembership',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('joined_on', models.DateField(blank=True, null=True)),
                ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='orgs.coalition')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='orgs.organisation')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('coalition', 'organisation'), name='coalition_membership_unique')],
            },
        ),
        migrations.AddField(
            model_name='coalition',
            name='members',
            field=models.ManyToManyField(related_name='coalitions', through='orgs.CoalitionMembership', to='orgs.organisation'),
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('role', models.CharField(choices=[('viewer', 'Viewer'), ('editor', 'Editor'), ('org_admin', 'Organisation admin')], default='viewer', max_length=16)),
                ('digest', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='orgs.organisation')),
                ('used_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('role', 'viewer'), ('role', 'editor'), ('role', 'org_admin'), _connector='OR'), name='invitation_role_valid')],
            },
        ),
    ]
