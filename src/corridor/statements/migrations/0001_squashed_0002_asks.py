"""The statements app's migrations 0001 to 0002 in one (decision 0362): a fresh database gets each
table in its final shape; data fills that only mattered for rows stored before are left out.
"""

import corridor.core.crypto.fields
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('statements', '0001_initial'), ('statements', '0002_asks')]

    initial = True

    dependencies = [
        ('orgs', '0001_squashed_0004_members_invitation'),
        ('situation', '0001_squashed_0008_removed_via'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Statement',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('review', 'In review'), ('published', 'Published')], default='draft', max_length=16)),
                ('group_order', models.CharField(blank=True, help_text='Endorser group headings in the order they are listed, comma-separated.', max_length=500)),
                ('coalitions', models.ManyToManyField(blank=True, related_name='statements', to='orgs.coalition')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statements', to='orgs.organisation')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status', 'draft'), ('status', 'review'), ('status', 'published'), _connector='OR'), name='statement_status_valid')],
            },
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('kind', models.CharField(choices=[('organisation', 'Organisation'), ('individual', 'Individual, in a personal capacity')], max_length=16)),
                ('invitee', corridor.core.crypto.fields.EncryptedTextField(help_text='Who the link was sent to (owners only).')),
                ('group', models.CharField(blank=True, max_length=100)),
                ('digest', models.CharField(editable=False, max_length=64, unique=True)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='statements.statement')),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind', 'organisation'), ('kind', 'individual'), _connector='OR'), name='invitation_kind_valid')],
            },
        ),
        migrations.CreateModel(
            name='Endorsement',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('kind', models.CharField(choices=[('organisation', 'Organisation'), ('individual', 'Individual, in a personal capacity')], max_length=16)),
                ('name', corridor.core.crypto.fields.EncryptedTextField(help_text="The endorser's name: shown to the owners only.")),
                ('listed_as', models.CharField(choices=[('name', 'By name'), ('display_name', 'By a display name'), ('anonymous', 'Anonymously (counted, never named)')], max_length=16)),
                ('display_name', models.CharField(blank=True, max_length=200)),
                ('group', models.CharField(max_length=100)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawal_reason', models.TextField(blank=True)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('invitation', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='endorsement', to='statements.invitation')),
                ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='endorsements', to='statements.statement')),
            ],
            options={
                'ordering': ['statement', 'created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind', 'organisation'), ('kind', 'individual'), _connector='OR'), name='endorsement_kind_valid'), models.CheckConstraint(condition=models.Q(('listed_as', 'name'), ('listed_as', 'display_name'), ('listed_as', 'anonymous'), _connector='OR'), name='endorsement_listed_valid'), models.CheckConstraint(condition=models.Q(('group', ''), _negated=True), name='endorsement_group_not_empty'), models.CheckConstraint(condition=models.Q(models.Q(('listed_as', 'display_name'), _negated=True), models.Q(('display_name', ''), _negated=True), _connector='OR'), name='endorsement_display_name_given')],
            },
        ),
        migrations.CreateModel(
            name='StatementVersion',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('number', models.PositiveIntegerField()),
                ('note', models.TextField(blank=True, help_text='What this version corrects.')),
                ('published_on', models.DateField(blank=True, null=True)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('snapshot', models.JSONField(blank=True, default=dict)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='statements.statement')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['statement', 'number'],
                'constraints': [models.UniqueConstraint(fields=('statement', 'number'), name='version_number_unique'), models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='version_number_positive'), models.CheckConstraint(condition=models.Q(('number', 1), models.Q(('note', ''), _negated=True), _connector='OR'), name='version_correction_has_note')],
            },
        ),
        migrations.CreateModel(
            name='StatementText',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('language', models.CharField(help_text='ISO 639-1 code: en, my, ja ...', max_length=3)),
                ('title', models.CharField(max_length=300)),
                ('body', models.TextField(help_text='Markdown; [^1] marks footnote 1.')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='texts', to='statements.statementversion')),
            ],
            options={
                'ordering': ['version', 'language'],
                'constraints': [models.UniqueConstraint(fields=('version', 'language'), name='text_language_unique'), models.CheckConstraint(condition=models.Q(('title', ''), _negated=True), name='text_title_not_empty')],
            },
        ),
        migrations.CreateModel(
            name='Footnote',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('number', models.PositiveIntegerField()),
                ('detail', models.CharField(blank=True, help_text='Page, table or quote.', max_length=300)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='situation.source')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='footnotes', to='statements.statementversion')),
            ],
            options={
                'ordering': ['version', 'number'],
                'constraints': [models.UniqueConstraint(fields=('version', 'number'), name='footnote_number_unique'), models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='footnote_number_positive')],
            },
        ),
        migrations.CreateModel(
            name='Ask',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('position', models.PositiveIntegerField(help_text='Its place in the list: 1, 2, 3 ...')),
                ('text', models.TextField(help_text='What is asked, as the statement puts it.')),
                ('target', models.CharField(help_text="Who is asked: 'Government of Japan'.", max_length=200)),
                ('target_kind', models.CharField(choices=[('government', 'Government'), ('bloc', 'Bloc of states'), ('un_body', 'UN body'), ('company', 'Company'), ('armed_group', 'Armed group'), ('other', 'Other')], max_length=16)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='asks', to='statements.statement')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['statement', 'position'],
                'constraints': [models.UniqueConstraint(fields=('statement', 'position'), name='ask_position_unique'), models.CheckConstraint(condition=models.Q(('position__gte', 1)), name='ask_position_positive'), models.CheckConstraint(condition=models.Q(('text', ''), _negated=True), name='ask_text_not_empty'), models.CheckConstraint(condition=models.Q(('target', ''), _negated=True), name='ask_target_not_empty'), models.CheckConstraint(condition=models.Q(('target_kind', 'government'), ('target_kind', 'bloc'), ('target_kind', 'un_body'), ('target_kind', 'company'), ('target_kind', 'armed_group'), ('target_kind', 'other'), _connector='OR'), name='ask_target_kind_valid')],
            },
        ),
        migrations.CreateModel(
            name='AskResponse',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('on', models.DateField(help_text='When it happened.')),
                ('status', models.CharField(choices=[('no_response', 'No response'), ('acknowledged', 'Acknowledged'), ('partial', 'Partly met'), ('met', 'Met'), ('refused', 'Refused'), ('reversed', 'Reversed')], max_length=16)),
                ('summary', models.TextField(help_text='What happened, in a sentence or two.')),
                ('url', models.URLField(blank=True, help_text='A link to the evidence.', max_length=500)),
                ('ask', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='statements.ask')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='situation.source')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['ask', 'on', 'created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status', 'no_response'), ('status', 'acknowledged'), ('status', 'partial'), ('status', 'met'), ('status', 'refused'), ('status', 'reversed'), _connector='OR'), name='response_status_valid'), models.CheckConstraint(condition=models.Q(('summary', ''), _negated=True), name='response_summary_not_empty')],
            },
        ),
    ]
