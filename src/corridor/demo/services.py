"""Loading the synthetic demo dataset: one transaction, bulk upserts by stable keys.

Loading again with the same seed changes no row: every record is inserted, or updated to the
values it already has, by its deterministic UUID (or its natural unique key where the model has
one). created/updated times are left alone on update, so a second load is invisible in the data.
The audit trail gets one "import" entry per entity type with its counts (decision 0021), and one
"permission_change" entry for the demo users' roles.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from django.db import models, transaction

from corridor.accounts.models import Membership, User
from corridor.aid.models import Activity
from corridor.aid.services import rollups_rebuild
from corridor.audit.services import Action, audit_record
from corridor.demo import generate
from corridor.demo.names import MARK_EN
from corridor.demo.plan import DEFAULT_SEED, SIZE, Size, key_id
from corridor.demo.statements import demo_statements
from corridor.funds.models import Dispute, ExchangeRate, Grant, Spending, Transfer
from corridor.geo.models import AdminUnit, Level
from corridor.geo.services import admin_units_load
from corridor.orgs.models import Coalition, CoalitionMembership, Organisation, OrgKind
from corridor.situation.models import DisplacementFigure, Incident, Indicator, Source

Progress = Callable[[str, int, int], None]
NOT_UPDATED = {"created_at", "updated_at", "created_by", "updated_by"}
IncidentSource = Incident.sources.through

# (label in the returned counts, model): what `demo_load` reports the instance now holds.
COUNTED: list[tuple[str, type[models.Model]]] = [
    ("organisations", Organisation),
    ("coalitions", Coalition),
    ("coalition memberships", CoalitionMembership),
    ("sources", Source),
    ("displacement figures", DisplacementFigure),
    ("indicators", Indicator),
    ("incidents", Incident),
    ("incident sources", IncidentSource),
    ("activities", Activity),
    ("transfers", Transfer),
    ("grants", Grant),
    ("exchange rates", ExchangeRate),
    ("disputes", Dispute),
    ("spending", Spending),
    ("users", User),
    ("memberships", Membership),
]


def _upsert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    by: Any,
    seed: int,
    unique_fields: Sequence[str] = ("id",),
) -> int:
    """Insert or update ``objs``; audit the batch; return how many rows are new."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    # Encrypted columns get a fresh nonce on every write: rewriting an unchanged value would
    # change the stored bytes, so they are only written when new or when the value differs.
    sealed = [f.name for f in fields if hasattr(f, "is_stored_plain")]
    update_fields = [
        f.name
        for f in fields
        if f.name not in NOT_UPDATED and f.name not in unique_fields and f.name not in sealed
    ]
    existing = set()
    if sealed:
        ids = [obj.pk for obj in objs]
        existing = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
    before = model._default_manager.count()
    model._default_manager.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=list(unique_fields),
        update_fields=update_fields,
    )
    created = model._default_manager.count() - before
    if existing:
        stored = {
            row[0]: row[1:]
            for row in model._default_manager.filter(pk__in=existing).values_list("pk", *sealed)
        }
        for obj in objs:
            if obj.pk not in existing:
                continue
            changed = {
                name: getattr(obj, name)
                for name, old in zip(sealed, stored[obj.pk], strict=True)
                if getattr(obj, name) != old
            }
            if changed:
                model._default_manager.filter(pk=obj.pk).update(**changed)
    _audit_import(model, by=by, seed=seed, rows=len(objs), created=created)
    return created


def _audit_import(model: type[models.Model], *, by: Any, seed: int, rows: int, created: int):
    audit_record(
        by=by,
        action=Action.IMPORT,
        object_type=model._meta.label_lower,
        changes={
            "source": "corridor demo dataset (synthetic)",
            "seed": seed,
            "rows": rows,
            "created": created,
            "updated": rows - created,
        },
    )


def _townships() -> list[AdminUnit]:
    if not AdminUnit.objects.exists():
        admin_units_load(by=None)
    return list(AdminUnit.objects.filter(level=Level.TOWNSHIP).order_by("pcode"))


def _users(data: generate.Dataset, *, by: Any, seed: int, size: Size) -> None:
    """Demo accounts with random, unrecorded passwords; roles as the size says.

    Nobody can sign in as them until an administrator sets a password (docs/demo.md): a demo
    loaded into a real instance must not open a door with a password written down anywhere.
    """
    existing = set(
        User.objects.filter(username__in=[u.username for u in size.users]).values_list(
            "username", flat=True
        )
    )
    new_users = []
    for spec in size.users:
        if spec.username in existing:
            continue
        user = User(
            id=key_id(f"user:{spec.username}"),
            username=spec.username,
            first_name="Demo",
            last_name=f"user {MARK_EN}",
            global_role=spec.global_role,
        )
        user.set_password(secrets.token_urlsafe(24))
        new_users.append(user)
    User.objects.bulk_create(new_users)
    _audit_import(User, by=by, seed=seed, rows=len(size.users), created=len(new_users))
    for spec in size.users:
        User.objects.filter(username=spec.username).update(global_role=spec.global_role)

    slots = [org for org in data.organisations if org.kind == OrgKind.LOCAL_CSO]
    users = dict(
        User.objects.filter(username__in=[u.username for u in size.users]).values_list(
            "username", "id"
        )
    )
    memberships, grants = [], []
    for spec in size.users:
        for slot, role in spec.memberships:
            org = slots[slot]
            memberships.append(
                Membership(
                    id=key_id(f"membership:{spec.username}:{org.id}"),
                    user_id=users[spec.username],
                    organisation_id=org.id,
                    role=role,
                )
            )
            grants.append({"user": spec.username, "organisation": str(org.id), "role": role})
    Membership.objects.bulk_create(
        memberships,
        update_conflicts=True,
        unique_fields=["user", "organisation"],
        update_fields=["role"],
    )
    audit_record(
        by=by,
        action=Action.PERMISSION_CHANGE,
        object_type=Membership._meta.label_lower,
        changes={
            "source": "corridor demo dataset (synthetic)",
            "global_roles": {u.username: u.global_role for u in size.users},
            "memberships": grants,
        },
    )


def demo_counts() -> dict[str, int]:
    return {label: model._default_manager.count() for label, model in COUNTED}


@transaction.atomic
def demo_load(
    *, seed: int = DEFAULT_SEED, progress: Progress | None = None, by: Any = None, size: Size = SIZE
) -> dict[str, int]:
    """Load the synthetic demo dataset; return {label: rows the instance now holds}."""
    step = progress or (lambda _step, _done, _total: None)
    total = 11
    step("admin units", 0, total)
    data = generate.build(seed, _townships(), size)
    step("organisations", 1, total)
    _upsert(Organisation, data.organisations, by=by, seed=seed)
    step("coalitions", 2, total)
    _upsert(Coalition, data.coalitions, by=by, seed=seed)
    _upsert(
        CoalitionMembership,
        data.coalition_memberships,
        by=by,
        seed=seed,
        unique_fields=("coalition", "organisation"),
    )
    step("sources", 3, total)
    _upsert(Source, data.sources, by=by, seed=seed)
    step("indicators", 4, total)
    _upsert(Indicator, data.indicators, by=by, seed=seed, unique_fields=("code", "as_of", "source"))
    step("displacement figures", 5, total)
    _upsert(
        DisplacementFigure,
        data.figures,
        by=by,
        seed=seed,
        unique_fields=("admin_unit", "as_of", "source", "sector"),
    )
    step("incidents", 6, total)
    _upsert(Incident, data.incidents, by=by, seed=seed)
    links = [IncidentSource(incident_id=i, source_id=s) for i, s in data.incident_sources]
    before = IncidentSource.objects.count()
    IncidentSource.objects.bulk_create(links, batch_size=500, ignore_conflicts=True)
    created = IncidentSource.objects.count() - before
    _audit_import(IncidentSource, by=by, seed=seed, rows=len(links), created=created)
    step("activities", 7, total)
    _upsert(Activity, data.activities, by=by, seed=seed)
    rollups_rebuild()  # the monthly reach rollups of every row loaded (decision 0225)
    step("transfers", 8, total)
    _upsert(Grant, data.ledger.grants, by=by, seed=seed)
    _upsert(ExchangeRate, data.ledger.rates, by=by, seed=seed)
    _upsert(Transfer, data.transfers + data.ledger.transfers, by=by, seed=seed)
    _upsert(Dispute, data.ledger.disputes, by=by, seed=seed)
    _upsert(Spending, data.ledger.spending, by=by, seed=seed)
    step("users", 9, total)
    _users(data, by=by, seed=seed, size=size)
    demo_statements(by=by)  # a published joint statement and a draft (made once)
    step("counting", 10, total)
    counts = demo_counts()
    step("done", total, total)
    return counts
