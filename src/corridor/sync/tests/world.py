"""Several Corridor instances simulated in one test database.

Running a hub and two field instances as separate processes for every hypothesis example
would take minutes, so the property tests keep each instance's synced records and sync state
(identity, peers, bundles, versions, conflicts) as a snapshot, in temporary tables of the same
database, and swap it in with plain SQL before acting as that instance. Organisations and
places are shared: they are the same on every instance of the network (bundles carry the
organisations a peer lacks; the CLI tests, which run separate instance folders, check that).
The code under test is the real one: each export and import runs the services against the
database as that instance left it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.apps import apps
from django.db import connection, models

from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.funds.models import Dispute, Evidence, ExchangeRate, Grant, Spending, Transfer
from corridor.situation.models import DisplacementFigure, Incident, Source
from corridor.sync import records
from corridor.sync.models import Bundle, Conflict, Identity, Peer, Version
from corridor.sync.services.merge import changes_stamp
from corridor.sync.services.peers import (
    identity_document,
    identity_ensure,
    peer_add,
    peer_identity_read,
)
from corridor.testing.factories import OrganisationFactory, township

# In the order rows can be inserted (referenced tables first).
TABLES: list[type[models.Model]] = [
    Source,
    DisplacementFigure,
    Incident,
    Incident.sources.through,
    Activity,
    Grant,
    Transfer,
    Dispute,
    ExchangeRate,
    Spending,
    Evidence,
    Identity,
    Peer,
    Peer.organisations.through,
    Bundle,
    Version,
    Conflict,
]


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _snapshot_tables(number: int) -> list[tuple[str, str]]:
    """(table, its snapshot table for instance ``number``) for every table of ``TABLES``."""
    return [
        (_quoted(t._meta.db_table), _quoted(f"world{number}_{t._meta.db_table}")) for t in TABLES
    ]


def _snapshots_create(number: int) -> None:
    """Empty temporary tables shaped like ``TABLES`` to keep instance ``number``'s rows in."""
    with connection.cursor() as cursor:
        for table, snapshot in _snapshot_tables(number):
            cursor.execute(f"DROP TABLE IF EXISTS {snapshot}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {snapshot} AS SELECT * FROM {table} WHERE 1 = 0"
            )


def _save(number: int) -> None:
    """Keep the rows of ``TABLES`` in instance ``number``'s snapshot tables, byte for byte."""
    with connection.cursor() as cursor:
        for table, snapshot in _snapshot_tables(number):
            cursor.execute(f"DELETE FROM {snapshot}")
            cursor.execute(f"INSERT INTO {snapshot} SELECT * FROM {table}")


def _clear() -> None:
    with connection.cursor() as cursor:
        for table in reversed(TABLES):
            cursor.execute(f"DELETE FROM {_quoted(table._meta.db_table)}")


def _restore(number: int) -> None:
    """Replace the rows of ``TABLES`` by instance ``number``'s snapshot (referenced first)."""
    _clear()
    with connection.cursor() as cursor:
        for table, snapshot in _snapshot_tables(number):
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {snapshot}")


class World:
    def __init__(self, names: list[str], organisation: Any, links: list[tuple[str, str]]):
        """Instances ``names`` (the first is the hub); ``links``: (instance, peer) pairs to
        register, the peer with the hub role when it is the hub, else as a field instance of
        ``organisation``."""
        self.names = names
        self.organisation = organisation
        self.partner = OrganisationFactory()  # the other side of transfers and grants
        self.numbers = {name: number for number, name in enumerate(names)}
        self.current: str | None = None
        self.nodes: dict[str, str] = {}
        _clear()
        public = {}
        for name in names:
            _snapshots_create(self.numbers[name])
            identity = identity_ensure(by=None, name=name)
            self.nodes[name] = identity.pk.hex
            public[name] = peer_identity_read(json.dumps(identity_document(identity)), name)
            _save(self.numbers[name])
            _clear()
        for name, other in links:
            self.use(name)
            peer_add(
                by=None,
                identity=public[other],
                role="hub" if other == names[0] else "field",
                fingerprint=public[other].fingerprint,
                organisations=[organisation],
            )
        self.public = public

    def use(self, name: str) -> None:
        """Make the database hold instance ``name``'s records and sync state."""
        if self.current == name:
            return
        if self.current is not None:
            _save(self.numbers[self.current])
        _restore(self.numbers[name])
        self.current = name

    # --- what a person does on an instance -------------------------------------------------

    def create(self, name: str, kind: str, number: int) -> None:
        self.use(name)
        if kind == "activity":
            Activity.objects.create(
                organisation=self.organisation,
                sector="health",
                modality="in_kind",
                admin_unit=township(),
                reporting_month=dt.date(2026, 11, 1),
                women=number,
                village=f"village {number}",
            )
        elif kind == "transfer":
            self._transfer(number)
        elif kind == "dispute":
            Dispute.objects.create(
                transfer=self._transfer(number),
                opened_by=self.organisation,
                opened_on=dt.date(2026, 11, 4),
                note=f"short by {number}",
            )
        elif kind == "spending":
            activity = Activity.objects.create(
                organisation=self.organisation,
                sector="health",
                modality="in_kind",
                admin_unit=township(),
                reporting_month=dt.date(2026, 11, 1),
                women=number,
                village=f"village {number}",
            )
            spending = Spending.objects.create(
                grant=self._grant(number),
                activity=activity,
                amount=number * 10 + 1,
                currency="USD",
                spent_on=dt.date(2026, 11, 6),
            )
            content = f"signed list {number}".encode()
            Evidence.objects.create(
                spending=spending,
                filename=f"list-{number}.jpg",
                content_type="image/jpeg",
                content=content,
                size=len(content),
            )
        else:
            source = Source.objects.create(title=f"report {number}")
            incident = Incident.objects.create(
                occurred_on=dt.date(2026, 11, 3),
                incident_type="airstrike",
                admin_unit=township(),
                fatalities=number,
                latitude=16.8 + number / 1000,
                witnesses=f"witness {number}",
                reporting_organisation=self.organisation,
            )
            incident.sources.set([source])
        changes_stamp(by=None)

    def _grant(self, number: int) -> Grant:
        return Grant.objects.create(
            donor=self.partner,
            recipient=self.organisation,
            title=f"grant {number}",
            amount=number * 1000 + 1,
            currency="USD",
            pledged_on=dt.date(2026, 10, 1),
            starts_on=dt.date(2026, 10, 1),
        )

    def _transfer(self, number: int) -> Transfer:
        return Transfer.objects.create(
            from_organisation=self.partner,
            to_organisation=self.organisation,
            amount=number * 100 + 1,
            currency="USD",
            sent_on=dt.date(2026, 11, 2),
            channel="informal",
            grant=self._grant(number),
            reference=f"hundi {number}",
            intermediary=f"agent {number}",
        )

    def live(self) -> list[models.Model]:
        rows: list[models.Model] = []
        for kind in (Activity, Incident, Transfer, Dispute, Spending, Evidence):
            rows += list(kind._base_manager.order_by("pk"))
        return rows

    def edit(self, name: str, index: int, value: int) -> bool:
        self.use(name)
        rows = self.live()
        if not rows:
            return False
        row = rows[index % len(rows)]
        if isinstance(row, Activity):
            Activity._base_manager.filter(pk=row.pk).update(women=value, village=f"v{value}")
        elif isinstance(row, Transfer):
            Transfer._base_manager.filter(pk=row.pk).update(
                fee=value, sent_state="confirmed" if value % 2 else "claimed"
            )
        elif isinstance(row, Dispute):  # resolved, with its note (encrypted)
            Dispute._base_manager.filter(pk=row.pk).update(
                resolved_on=dt.date(2026, 11, 10), resolution=f"settled {value}"
            )
        elif isinstance(row, Spending):
            Spending._base_manager.filter(pk=row.pk).update(amount=value + 1)
        elif isinstance(row, Evidence):
            Evidence._base_manager.filter(pk=row.pk).update(filename=f"list-{value}.jpg")
        else:
            Incident._base_manager.filter(pk=row.pk).update(fatalities=value, witnesses=f"w{value}")
        changes_stamp(by=None)
        return True

    def remove(self, name: str, index: int) -> bool:
        self.use(name)
        rows = [r for r in self.live() if r.removed_at is None]  # type: ignore[attr-defined]
        if not rows:
            return False
        row = rows[index % len(rows)]
        type(row)._base_manager.filter(pk=row.pk).update(
            removed_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC), removal_reason=f"by {name}"
        )
        changes_stamp(by=None)
        return True

    # --- what the tests compare ------------------------------------------------------------

    def canonical(self, name: str) -> str:
        """The instance's synced records with their versions, as one text."""
        self.use(name)
        state = {}
        versions = {(v.kind, str(v.record_id)): v.hlc for v in Version.objects.all()}
        for kind in records.KINDS:
            for row in records.rows(kind):
                key = (kind.label, str(row.pk))
                state[f"{kind.label} {row.pk}"] = [versions.get(key), records.serialise(kind, row)]
        return json.dumps(state, sort_keys=True)


def checksum() -> str:
    """Every row of every table but the audit trail, hashed: what a refused bundle must not
    change."""
    digest = hashlib.sha256()
    for model in apps.get_models(include_auto_created=True):
        if model is AuditEntry:
            continue
        digest.update(model._meta.label.encode())
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()
