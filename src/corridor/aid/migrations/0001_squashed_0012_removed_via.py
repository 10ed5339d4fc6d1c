"""The aid app's migrations 0001 to 0012 in one (decision 0362).

A fresh database needs none of the old data fills (reporting months on the first, rollups
built from stored rows, how removed rows were removed); it does need the data-version row and
the triggers that renew it (decision 0271), made last here once every watched table is final.
"""

import corridor.core.crypto.fields
import corridor.core.ids
import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models


WATCHED = (
    "aid_monthlyreach",
    "situation_displacementfigure",
    "situation_source",
    "orgs_organisation",
    "geo_adminunit",
)


def install(apps, schema_editor):
    connection = schema_editor.connection
    apps.get_model("aid", "DataVersion").objects.using(connection.alias).create(id=1, token="")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION corridor_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN UPDATE aid_dataversion SET token = md5(random()::text || "
                "clock_timestamp()::text) WHERE id = 1; RETURN NULL; END $$"
            )
            for table in WATCHED:
                cursor.execute(
                    f"CREATE TRIGGER {table}_data_changed AFTER INSERT OR UPDATE OR DELETE "
                    f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION corridor_data_changed()"
                )
        else:
            for table in WATCHED:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_{event.lower()}_data_changed AFTER {event} "
                        f"ON {table} BEGIN UPDATE aid_dataversion SET token = "
                        "lower(hex(randomblob(16))) WHERE id = 1; END"
                    )


def remove(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in WATCHED:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_data_changed ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS corridor_data_changed()")
        else:
            for table in WATCHED:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_data_changed")


class Migration(migrations.Migration):

    replaces = [('aid', '0001_initial'), ('aid', '0002_gap_covering_index'), ('aid', '0003_checks_native_to_sqlite'), ('aid', '0004_statusneed_cancelled'), ('aid', '0004_rules_reporting_month'), ('aid', '0004_correct_soft_removal'), ('aid', '0005_merge_wave2'), ('aid', '0004_fields_reach_place_donor'), ('aid', '0006_merge_fields'), ('aid', '0007_monthly_reach_rollups'), ('aid', '0008_monthly_reach_rollups_built'), ('aid', '0007_lean_activity_table'), ('aid', '0009_merge_wave4'), ('aid', '0010_data_version'), ('aid', '0011_gap_index_removed_at'), ('aid', '0012_removed_via')]

    initial = True

    dependencies = [
        ('geo', '0001_squashed_0004_review_note'),
        ('orgs', '0001_squashed_0004_members_invitation'),
        ('situation', '0001_squashed_0008_removed_via'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthlyReach',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('sector', models.CharField(max_length=24)),
                ('reached', models.BigIntegerField(default=0)),
                ('planned', models.BigIntegerField(default=0)),
                ('reached_rows', models.IntegerField(default=0)),
                ('admin_unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='geo.adminunit')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organisation')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('month', 'admin_unit', 'sector', 'organisation'), name='monthly_reach_key')],
            },
        ),
        migrations.CreateModel(
            name='MonthlyReachTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('sector', models.CharField(blank=True, max_length=24)),
                ('reached', models.BigIntegerField(default=0)),
                ('planned', models.BigIntegerField(default=0)),
                ('organisations', models.IntegerField(default=0)),
                ('admin_unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='geo.adminunit')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('month', 'admin_unit', 'sector'), name='monthly_reach_total_key')],
            },
        ),
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(blank=True, max_length=32)),
            ],
        ),
        migrations.CreateModel(
            name='Activity',
            fields=[
                ('id', models.UUIDField(default=corridor.core.ids.uuid7, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('sector', models.CharField(choices=[('food_security', 'Food security'), ('health', 'Health'), ('nutrition', 'Nutrition'), ('wash', 'Water, sanitation and hygiene'), ('shelter_nfi', 'Shelter and non-food items'), ('protection', 'Protection'), ('education', 'Education'), ('livelihoods', 'Livelihoods'), ('multipurpose_cash', 'Multi-purpose cash'), ('logistics', 'Logistics and coordination')], max_length=24)),
                ('modality', models.CharField(choices=[('in_kind', 'In-kind'), ('cash', 'Cash'), ('voucher', 'Voucher'), ('service', 'Service')], max_length=16)),
                ('channel', models.CharField(choices=[('in_country', 'In-country'), ('cross_border_th', 'Cross-border via Thailand'), ('cross_border_in', 'Cross-border via India'), ('cross_border_cn', 'Cross-border via China'), ('cross_border_bd', 'Cross-border via Bangladesh')], default='in_country', max_length=24)),
                ('reporting_month', models.DateField(blank=True, help_text='First day of the month reported on.', null=True)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('end_date', models.DateField(blank=True, null=True)),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('ongoing', 'Ongoing'), ('completed', 'Completed'), ('cancelled', 'Cancelled')], default='ongoing', max_length=16)),
                ('women', models.PositiveIntegerField(default=0)),
                ('men', models.PositiveIntegerField(default=0)),
                ('girls', models.PositiveIntegerField(default=0)),
                ('boys', models.PositiveIntegerField(default=0)),
                ('unspecified', models.PositiveIntegerField(default=0, help_text='People reached whose sex and age were not reported.')),
                ('households', models.PositiveIntegerField(blank=True, null=True)),
                ('value', models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True)),
                ('currency', models.CharField(blank=True, max_length=3)),
                ('notes', models.TextField(blank=True)),
                ('admin_unit', models.ForeignKey(help_text='Township where people were reached.', on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='geo.adminunit')),
                ('created_by', models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='orgs.organisation')),
                ('updated_by', models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('removal_reason', models.TextField(blank=True, editable=False)),
                ('removed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('removed_by', models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('conditionality', models.CharField(blank=True, choices=[('conditional', 'Conditional'), ('unconditional', 'Unconditional')], help_text='Cash and vouchers only.', max_length=16)),
                ('disabled', models.PositiveIntegerField(blank=True, help_text='Of the people reached, how many have a disability.', null=True)),
                ('donor', models.CharField(blank=True, help_text='Who funds the activity, as the report names it.', max_length=200)),
                ('elderly_men', models.PositiveIntegerField(blank=True, help_text='Of the men, how many are 60 or older.', null=True)),
                ('elderly_women', models.PositiveIntegerField(blank=True, help_text='Of the women, how many are 60 or older.', null=True)),
                ('village', corridor.core.crypto.fields.EncryptedTextField(blank=True, help_text='Village; stored encrypted.', max_length=200)),
                ('village_tract', corridor.core.crypto.fields.EncryptedTextField(blank=True, help_text='Village tract or ward; stored encrypted.', max_length=200)),
                ('removed_via', models.CharField(blank=True, choices=[('person', 'by a person'), ('replace', 'by an import that replaced it')], editable=False, max_length=8)),
            ],
            options={
                'verbose_name_plural': 'activities',
                'ordering': ['-reporting_month', '-start_date'],
                'indexes': [models.Index(fields=['organisation', 'reporting_month'], name='aid_activit_organis_2be388_idx'), models.Index(fields=['reporting_month', 'admin_unit', 'sector', 'organisation', 'women', 'men', 'girls', 'boys', 'unspecified', 'status', 'removed_at'], name='activity_gap_cover_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('women__gte', 0), ('men__gte', 0), ('girls__gte', 0), ('boys__gte', 0), ('unspecified__gte', 0), models.Q(('households__isnull', True), ('households__gte', 0), _connector='OR')), name='activity_reach_not_negative'), models.CheckConstraint(condition=models.Q(('reporting_month__isnull', False), ('start_date__isnull', False), _connector='OR'), name='activity_has_when'), models.CheckConstraint(condition=models.Q(('end_date__isnull', True), ('start_date__isnull', True), ('end_date__gte', models.F('start_date')), _connector='OR'), name='activity_end_after_start'), models.CheckConstraint(condition=models.Q(('sector', 'food_security'), ('sector', 'health'), ('sector', 'nutrition'), ('sector', 'wash'), ('sector', 'shelter_nfi'), ('sector', 'protection'), ('sector', 'education'), ('sector', 'livelihoods'), ('sector', 'multipurpose_cash'), ('sector', 'logistics'), _connector='OR'), name='activity_sector_valid'), models.CheckConstraint(condition=models.Q(('modality', 'in_kind'), ('modality', 'cash'), ('modality', 'voucher'), ('modality', 'service'), _connector='OR'), name='activity_modality_valid'), models.CheckConstraint(condition=models.Q(('channel', 'in_country'), ('channel', 'cross_border_th'), ('channel', 'cross_border_in'), ('channel', 'cross_border_cn'), ('channel', 'cross_border_bd'), _connector='OR'), name='activity_channel_valid'), models.CheckConstraint(condition=models.Q(('value__isnull', True), models.Q(('value__gte', 0), ('currency__capital_letters', 3)), _connector='OR'), name='activity_value_has_currency'), models.CheckConstraint(condition=models.Q(('status', 'planned'), ('status', 'ongoing'), ('status', 'completed'), ('status', 'cancelled'), _connector='OR'), name='activity_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('elderly_women__isnull', True), ('elderly_women__lte', models.F('women')), _connector='OR'), models.Q(('elderly_men__isnull', True), ('elderly_men__lte', models.F('men')), _connector='OR')), name='activity_elderly_within_adults'), models.CheckConstraint(condition=models.Q(('disabled__isnull', True), ('disabled__lte', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('women'), '+', models.F('men')), '+', models.F('girls')), '+', models.F('boys')), '+', models.F('unspecified'))), _connector='OR'), name='activity_disabled_within_reached'), models.CheckConstraint(condition=models.Q(('conditionality', ''), models.Q(models.Q(('conditionality', 'conditional'), ('conditionality', 'unconditional'), _connector='OR'), models.Q(('modality', 'cash'), ('modality', 'voucher'), _connector='OR')), _connector='OR'), name='activity_conditionality_valid')],
            },
        ),
        migrations.RunPython(
            code=install,
            reverse_code=remove,
        ),
    ]
