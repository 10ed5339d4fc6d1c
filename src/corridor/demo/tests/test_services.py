"""Loading the demo into the database: counts, idempotency, determinism, labels, real figures."""

import hashlib

import pytest
from django.db import connection

from corridor.accounts.models import GlobalRole, Membership, User
from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.audit.services import audit_verify
from corridor.demo import services
from corridor.demo.names import MARK_EN, MARK_MY, RECORD_NOTE
from corridor.demo.plan import SIZE, Size
from corridor.demo.real_figures import REAL_INDICATORS, REAL_SOURCES
from corridor.funds.models import Dispute, ExchangeRate, Grant, Spending, Transfer
from corridor.orgs.models import Coalition, CoalitionMembership, Organisation, Visibility
from corridor.situation.models import DisplacementFigure, Incident, Indicator, Source
from corridor.statements.models import Statement

pytestmark = pytest.mark.django_db

IncidentSource = Incident.sources.through
# The same generator at a tenth of the size: what holds for it holds for the full demo, faster.
SMALL = Size(townships=12, activities=300, incidents=50, field_reports=15, transfer_chains=15)


def rows(*, with_times=True):
    """Every demo row's field values, per model, in a stable order."""
    out = {}
    for label, model in services.COUNTED:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if with_times or f.name not in {"created_at", "updated_at", "date_joined", "password"}
        ]
        if model is IncidentSource:
            names = ["incident_id", "source_id"]
        out[label] = list(model.objects.order_by(*names).values_list(*names))
    return out


def stored_rows():
    """The bytes as stored, encrypted columns included, table by table."""
    out = {}
    with connection.cursor() as cursor:
        for label, model in services.COUNTED:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            out[label] = [tuple(str(value) for value in row) for row in cursor.fetchall()]
    return out


def checksum(data):
    return hashlib.sha256(repr(data).encode()).hexdigest()


def expected_counts(size: Size) -> dict[str, int]:
    return {
        "organisations": size.organisation_count,
        "coalitions": len(size.coalition_sizes),
        "coalition memberships": sum(size.coalition_sizes),
        "sources": size.synthetic_sources + len(REAL_SOURCES),
        "displacement figures": size.figures,
        "indicators": len(REAL_INDICATORS),
        "incidents": size.incidents,
        "activities": size.activities,
        "transfers": size.transfers,
        "grants": size.grants,
        "exchange rates": size.exchange_rates,
        "disputes": size.grant_disputes,
        "spending": size.grant_spending,
        "users": len(size.users),
        "memberships": size.memberships,
    }


def wipe():
    """Remove everything the demo wrote, leaving the admin units: an empty instance again."""
    for model in (
        Statement,
        IncidentSource,
        Incident,
        DisplacementFigure,
        Indicator,
        Spending,
        Dispute,
        Transfer,
        Grant,
        ExchangeRate,
        Activity,
        Membership,
        User,
        CoalitionMembership,
        Coalition,
        Source,
        Organisation,
    ):
        model.objects.all().delete()


def test_counts_follow_the_generator_parameters():
    counts = services.demo_load(seed=2021)
    links = counts.pop("incident sources")
    assert counts == expected_counts(SIZE)
    assert SIZE.incidents < links <= 2 * SIZE.incidents
    assert Activity.objects.values("admin_unit").distinct().count() == SIZE.townships
    assert DisplacementFigure.objects.values("admin_unit").distinct().count() == SIZE.townships


def test_loading_twice_changes_nothing():
    progress = []
    first = services.demo_load(seed=2021, size=SMALL, progress=lambda *s: progress.append(s))
    assert {k: v for k, v in first.items() if k != "incident sources"} == expected_counts(SMALL)
    before, stored = checksum(rows()), checksum(stored_rows())
    entries = AuditEntry.objects.count()
    second = services.demo_load(seed=2021, size=SMALL)
    assert second == first
    assert checksum(rows()) == before
    assert checksum(stored_rows()) == stored
    # The second load is recorded (it happened) but reports nothing new.
    imports = AuditEntry.objects.filter(seq__gt=entries, action="import")
    assert imports.count() >= len(services.COUNTED) - 1
    assert all(entry.changes["created"] == 0 for entry in imports)
    assert audit_verify().ok
    done = [d for _, d, _ in progress]
    assert done == sorted(done)
    assert progress[-1][1] == progress[-1][2]


def test_same_seed_gives_the_same_ids_and_rows_in_an_empty_instance():
    services.demo_load(seed=5, size=SMALL)
    first = rows(with_times=False)
    wipe()
    assert Organisation.objects.count() == 0
    services.demo_load(seed=5, size=SMALL)
    assert rows(with_times=False) == first
    assert first["activities"]  # the comparison covered real rows


def test_another_seed_reloads_in_place_without_failing():
    services.demo_load(seed=1, size=SMALL)
    ids = set(Activity.objects.values_list("id", flat=True))
    values = checksum(list(Activity.objects.order_by("id").values_list("women", "sector")))
    counts = services.demo_load(seed=2, size=SMALL)
    assert set(Activity.objects.values_list("id", flat=True)) == ids
    assert checksum(list(Activity.objects.order_by("id").values_list("women", "sector"))) != values
    assert counts["organisations"] == SMALL.organisation_count
    assert counts["transfers"] == SMALL.transfers


def test_real_figures_are_present_with_their_real_sources():
    services.demo_load(seed=2021, size=SMALL)
    national = {i.code: i for i in Indicator.objects.filter(admin_unit=None)}
    for real in REAL_INDICATORS:
        indicator = national[real.code]
        assert indicator.value == real.value
        assert indicator.as_of == real.as_of
        assert MARK_EN not in indicator.source.title
        assert indicator.source.url.startswith("https://")
    # The figures the issue quotes from the seeds.
    assert national["idps_total"].value == 1_500_000
    assert national["civilian_properties_destroyed"].value == 39_000
    assert 2_500 < national["killed_by_junta"].value < 3_000
    assert national["detained_total"].value > 13_000
    assert national["idps_total"].source.title == "Myanmar Humanitarian Update No. 26"
    assert "OCHA" in national["idps_total"].source.publisher
    assert "AAPP" in national["detained_total"].source.publisher


def test_everything_synthetic_is_labelled():
    services.demo_load(seed=2021, size=SMALL)
    real_titles = {real.title for real in REAL_SOURCES}
    for org in Organisation.objects.all():
        assert org.name.endswith(MARK_EN)
        # An anonymous organisation's Burmese name lives only in its encrypted protected_name.
        assert org.name_my.endswith(MARK_MY) or org.visibility == Visibility.ANONYMOUS
        assert not org.alias or org.alias.endswith(MARK_EN)
    for coalition in Coalition.objects.all():
        assert coalition.name.endswith(MARK_EN)
        assert coalition.description.startswith(RECORD_NOTE)
    for source in Source.objects.exclude(title__in=real_titles):
        assert MARK_EN in source.title
        assert MARK_EN in source.publisher
        assert source.url == ""
    assert not DisplacementFigure.objects.exclude(notes__startswith=RECORD_NOTE).exists()
    assert not Incident.objects.exclude(description__startswith=RECORD_NOTE).exists()
    assert not Activity.objects.exclude(notes__startswith=RECORD_NOTE).exists()
    # References are encrypted: the database cannot compare them, so read them back.
    assert all(t.reference.startswith("DEMO-") for t in Transfer.objects.only("reference"))
    assert not Indicator.objects.exclude(notes__startswith="Real figure").exists()
    for user in User.objects.all():
        assert user.username.startswith("demo-")
        assert MARK_EN in user.last_name


def test_demo_users_get_roles_and_unknown_passwords():
    services.demo_load(seed=2021, size=SMALL)
    users = {user.username: user for user in User.objects.all()}
    assert set(users) == {spec.username for spec in SIZE.users}
    assert users["demo-coordinator"].global_role == GlobalRole.COORDINATOR
    roles = set(Membership.objects.values_list("user__username", "role"))
    assert roles == {(spec.username, role) for spec in SIZE.users for _, role in spec.memberships}
    for user in users.values():
        assert user.has_usable_password()
        assert not user.check_password(user.username)
        assert not user.is_staff
        assert not user.is_superuser
