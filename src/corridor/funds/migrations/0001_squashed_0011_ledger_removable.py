"""The funds app's migrations 0001 to 0011 in one (decision 0362): a fresh database gets each
table in its final shape; data fills that only mattered for rows stored before are left out.
"""

import corridor.core.crypto.fields
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('funds', '0001_initial'), ('funds', '0002_evidence'), ('funds', '0003_checks_native_to_sqlite'), ('funds', '0004_encrypt_transfer_reference'), ('funds', '0005_ledger'), ('funds', '0006_transfer_legs_from_status'), ('funds', '0007_remove_transfer_status'), ('funds', '0008_transfer_removable'), ('funds', '0009_evidence_of_spending'), ('funds', '0010_removed_via'), ('funds', '0011_ledger_removable')]

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('aid', '0001_squashed_0012_removed_via'),
        ('orgs', '0001_squashed_0004_members_invitation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Grant',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('title', models.CharField(max_length=200)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18)),
                ('currency', models.CharField(help_text='ISO 4217 code.', max_length=3)),
                ('pledged_on', models.DateField()),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField(blank=True, null=True)),
                ('purpose', models.TextField(blank=True)),
                ('sectors', models.JSONField(blank=True, default=list, help_text='Sector codes.')),
                ('reporting', models.CharField(choices=[('none', 'Nothing'), ('note', 'A note'), ('receipt', 'A photo of a receipt or a signed distribution list'), ('partner_confirmation', "A partner's confirmation")], default='none', max_length=24)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('donor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grants_given', to='orgs.organisation')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grants_received', to='orgs.organisation')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-pledged_on', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='grant_amount_positive'), models.CheckConstraint(condition=models.Q(('currency__capital_letters', 3)), name='grant_currency_iso'), models.CheckConstraint(condition=models.Q(('donor', models.F('recipient')), _negated=True), name='grant_between_two_organisations'), models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='grant_ends_after_start'), models.CheckConstraint(condition=models.Q(('reporting', 'none'), ('reporting', 'note'), ('reporting', 'receipt'), ('reporting', 'partner_confirmation'), _connector='OR'), name='grant_reporting_valid')],
            },
        ),
        migrations.CreateModel(
            name='Transfer',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18)),
                ('currency', models.CharField(help_text='ISO 4217 code.', max_length=3)),
                ('sent_on', models.DateField()),
                ('channel', models.CharField(choices=[('bank', 'Bank'), ('licensed_remittance', 'Licensed remittance'), ('informal', 'Informal value transfer (hundi)'), ('mobile_money', 'Mobile money'), ('cash_carried', 'Cash carried'), ('crypto', 'Crypto-asset'), ('other', 'Other')], max_length=24)),
                ('fee', models.DecimalField(blank=True, decimal_places=2, help_text="Fee in the transfer's currency.", max_digits=18, null=True)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('from_organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers_out', to='orgs.organisation')),
                ('to_organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers_in', to='orgs.organisation')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('reference', corridor.core.crypto.fields.EncryptedTextField(blank=True, help_text='Bank or hundi code of the transfer; stored encrypted.', max_length=120)),
                ('intermediary', corridor.core.crypto.fields.EncryptedTextField(blank=True, help_text='The agent or carrier the money went through; stored encrypted, shown only to the two organisations.', max_length=200)),
                ('rate', models.DecimalField(blank=True, decimal_places=10, help_text='The exchange rate the channel used: received units per sent unit.', max_digits=24, null=True)),
                ('received_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True)),
                ('received_currency', models.CharField(blank=True, max_length=3)),
                ('received_on', models.DateField(blank=True, null=True)),
                ('received_state', models.CharField(blank=True, choices=[('claimed', 'Claimed'), ('confirmed', 'Confirmed')], help_text='Empty while nobody has recorded the money arriving.', max_length=10)),
                ('sent_state', models.CharField(choices=[('claimed', 'Claimed'), ('confirmed', 'Confirmed')], default='claimed', max_length=10)),
                ('grant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transfers', to='funds.grant')),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'ordering': ['-sent_on'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='transfer_amount_positive'), models.CheckConstraint(condition=models.Q(('fee__isnull', True), ('fee__gte', 0), _connector='OR'), name='transfer_fee_not_negative'), models.CheckConstraint(condition=models.Q(('from_organisation', models.F('to_organisation')), _negated=True), name='transfer_between_two_organisations'), models.CheckConstraint(condition=models.Q(('currency__capital_letters', 3)), name='transfer_currency_iso'), models.CheckConstraint(condition=models.Q(('channel', 'bank'), ('channel', 'licensed_remittance'), ('channel', 'informal'), ('channel', 'mobile_money'), ('channel', 'cash_carried'), ('channel', 'crypto'), ('channel', 'other'), _connector='OR'), name='transfer_channel_valid'), models.CheckConstraint(condition=models.Q(('sent_state', 'claimed'), ('sent_state', 'confirmed'), _connector='OR'), name='transfer_sent_state_valid'), models.CheckConstraint(condition=models.Q(models.Q(('received_state', ''), ('received_amount__isnull', True), ('received_on__isnull', True), ('received_currency', '')), models.Q(models.Q(('received_state', 'claimed'), ('received_state', 'confirmed'), _connector='OR'), ('received_amount__gt', 0), ('received_on__isnull', False), ('received_currency__capital_letters', 3)), _connector='OR'), name='transfer_received_leg_whole'), models.CheckConstraint(condition=models.Q(('rate__isnull', True), ('rate__gt', 0), _connector='OR'), name='transfer_rate_positive')],
            },
        ),
        migrations.CreateModel(
            name='Spending',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18)),
                ('currency', models.CharField(max_length=3)),
                ('spent_on', models.DateField()),
                ('activity', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='spending', to='aid.activity')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='spending', to='funds.grant')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'verbose_name_plural': 'spending',
                'ordering': ['spent_on', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='spending_amount_positive'), models.CheckConstraint(condition=models.Q(('currency__capital_letters', 3)), name='spending_currency_iso')],
            },
        ),
        migrations.CreateModel(
            name='Evidence',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('filename', corridor.core.crypto.fields.EncryptedTextField(max_length=200)),
                ('content_type', models.CharField(blank=True, max_length=100)),
                ('size', models.PositiveIntegerField()),
                ('content', corridor.core.crypto.fields.EncryptedBinaryField()),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('transfer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='funds.transfer')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('spending', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='funds.spending')),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'verbose_name_plural': 'evidence',
                'ordering': ['created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('size__gt', 0)), name='evidence_not_empty'), models.CheckConstraint(condition=models.Q(models.Q(('transfer__isnull', False), ('spending__isnull', True)), models.Q(('transfer__isnull', True), ('spending__isnull', False)), _connector='OR'), name='evidence_backs_one_record')],
            },
        ),
        migrations.CreateModel(
            name='Dispute',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('opened_on', models.DateField()),
                ('note', corridor.core.crypto.fields.EncryptedTextField(max_length=2000)),
                ('resolved_on', models.DateField(blank=True, null=True)),
                ('resolution', corridor.core.crypto.fields.EncryptedTextField(blank=True, max_length=2000)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('opened_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation')),
                ('transfer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='disputes', to='funds.transfer')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'ordering': ['opened_on', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('resolved_on__isnull', True), ('resolved_on__gte', models.F('opened_on')), _connector='OR'), name='dispute_resolved_after_opened')],
            },
        ),
        migrations.CreateModel(
            name='ExchangeRate',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('on', models.DateField()),
                ('from_currency', models.CharField(max_length=3)),
                ('to_currency', models.CharField(max_length=3)),
                ('rate', models.DecimalField(decimal_places=10, max_digits=24)),
                ('kind', models.CharField(choices=[('official', 'Official'), ('market', 'Market'), ('agent', 'Agent')], max_length=10)),
                ('source', models.CharField(max_length=200)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'ordering': ['-on', 'from_currency', 'to_currency', 'kind'],
                'constraints': [models.CheckConstraint(condition=models.Q(('rate__gt', 0)), name='rate_positive'), models.CheckConstraint(condition=models.Q(('from_currency', models.F('to_currency')), _negated=True), name='rate_two_currencies'), models.CheckConstraint(condition=models.Q(('kind', 'official'), ('kind', 'market'), ('kind', 'agent'), _connector='OR'), name='rate_kind_valid'), models.UniqueConstraint(condition=models.Q(('removed_at__isnull', True)), fields=('on', 'from_currency', 'to_currency', 'kind', 'source'), name='rate_once_per_day_kind_source')],
            },
        ),
    ]
