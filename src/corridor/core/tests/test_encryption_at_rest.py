"""Marker strings seeded into every protected field never reach the database files.

SQLite: the database file, its write-ahead log and shared-memory file, read raw while a
reader holds the log open (so the newest writes are still in the -wal file).
PostgreSQL: a `pg_dump` of the very database the test wrote to.
A control marker in an unprotected field must be found, or the scan proves nothing.
"""

import os
import sqlite3
import struct
import subprocess
import uuid

import pytest
from django.db import connection

MARK = "mrk" + uuid.uuid4().hex[:10]
CONTROL = "ctl" + uuid.uuid4().hex[:10]
LATITUDE, LONGITUDE = 17.123456789012, 96.987654321098


def markers() -> dict[str, list[bytes]]:
    """What must not appear, per protected field: text, and floats in any binary form."""

    def number(value: float) -> list[bytes]:
        return [repr(value).encode(), struct.pack(">d", value), struct.pack("<d", value)]

    return {
        "situation.incident.latitude": number(LATITUDE),
        "situation.incident.longitude": number(LONGITUDE),
        "situation.incident.witnesses": [f"{MARK}-witness".encode()],
        "orgs.organisation.protected_name": [f"{MARK}-realname".encode()],
        "orgs.organisation.contact": [f"{MARK}-contact".encode()],
        "funds.evidence.filename": [f"{MARK}-file".encode()],
        "funds.evidence.content": [f"{MARK}-evidence-bytes".encode()],
        "funds.transfer.reference": [f"{MARK}-reference".encode()],
        "funds.transfer.intermediary": [f"{MARK}-agent".encode()],
        "funds.transfer.received_note": [f"{MARK}-receivednote".encode()],
        "funds.dispute.note": [f"{MARK}-dispute".encode()],
        "funds.dispute.resolution": [f"{MARK}-resolution".encode()],
        "aid.activity.village_tract": [f"{MARK}-villagetract".encode()],
        "aid.activity.village": [f"{MARK}-village".encode()],
        "exchange.heldrow.cells": [f"{MARK}-heldcell".encode()],
        "exchange.heldrow.reasons": [f"{MARK}-heldreason".encode()],
        # A field instance's private keys and a conflict's losing version (sync/models.py).
        "sync.identity.signing_key": [f"{MARK}-signkey".encode()],
        "sync.identity.box_key": [f"{MARK}-boxkey".encode()],
        "sync.conflict.lost": [f"{MARK}-lostversion".encode()],
        # Who a statement's endorsement link went to, and who endorsed (statements/models.py).
        "statements.invitation.invitee": [f"{MARK}-invitee".encode()],
        "statements.endorsement.name": [f"{MARK}-endorser".encode()],
    }


def seed(mark: str = MARK, control: str = CONTROL) -> None:
    """Fill every protected field with markers, through the audited services."""
    from django.db import transaction

    from corridor.aid.models import Activity
    from corridor.audit.services import audited_create, audited_update
    from corridor.exchange.models import HeldRow, ImportRun
    from corridor.funds.models import Dispute, Evidence, Transfer
    from corridor.orgs.models import Organisation
    from corridor.situation.models import Incident
    from corridor.statements.models import Endorsement, Invitation, Statement
    from corridor.sync.models import Conflict, Identity
    from corridor.testing.factories import township

    with transaction.atomic():
        hidden = audited_create(
            Organisation(
                name=f"{mark}-realname",
                kind="local_cso",
                base_country="MM",
                visibility="anonymous",
                contact=f"{mark}-contact",
            ),
            by=None,
        )
        donor = audited_create(
            Organisation(name="Donor", kind="donor", base_country="NO", contact=f"{mark}-contact"),
            by=None,
        )
        incident = audited_create(
            Incident(
                occurred_on="2024-03-10",
                incident_type="airstrike",
                admin_unit=township(),
                latitude=LATITUDE,
                longitude=LONGITUDE,
                witnesses=f"{mark}-witness",
                description=control,
                reporting_organisation=hidden,
            ),
            by=None,
        )
        # An update audits its changes too.
        audited_update(incident, by=None, witnesses=f"{mark}-witness and more")
        transfer = audited_create(
            Transfer(
                from_organisation=donor,
                to_organisation=hidden,
                amount=100,
                currency="USD",
                sent_on="2024-02-01",
                channel="informal",
                reference=f"{mark}-reference",
                intermediary=f"{mark}-agent",
                received_note=f"{mark}-receivednote",
                sent_state="confirmed",
            ),
            by=None,
        )
        audited_create(
            Dispute(
                transfer=transfer,
                opened_by=hidden,
                opened_on="2024-02-03",
                note=f"{mark}-dispute",
                resolved_on="2024-02-04",
                resolution=f"{mark}-resolution",
            ),
            by=None,
        )
        activity = audited_create(
            Activity(
                organisation=hidden,
                sector="health",
                modality="service",
                admin_unit=township(),
                reporting_month="2024-03-01",
                women=3,
                village_tract=f"{mark}-villagetract",
                village=f"{mark}-village",
            ),
            by=None,
        )
        audited_update(activity, by=None, village=f"{mark}-village and more")
        run = ImportRun.objects.create(
            file_name="5w.csv", checksum="0" * 64, format="hxl", kind="activities"
        )
        audited_create(
            HeldRow(
                run=run,
                organisation=hidden,
                file_name="5w.csv",
                row=3,
                table={"kind": "activities"},
                cells=f'["{mark}-heldcell"]',
                reasons=f'[{{"reason": "{mark}-heldreason"}}]',
            ),
            by=None,
        )
        # Written as sync/services write them (peers.py, merge.py): not through audited_create.
        Identity.objects.create(
            name="field laptop",
            signing_key=f"{mark}-signkey".encode(),
            box_key=f"{mark}-boxkey".encode(),
            signing_public="c2lnbg==",
            box_public="Ym94",
        )
        Conflict.objects.create(
            kind="activity",
            record_id=activity.pk,
            kept_hlc="1-0-a",
            lost_hlc="0-0-b",
            lost=f'{{"notes": "{mark}-lostversion"}}',
        )
        statement = audited_create(Statement(owner=hidden), by=None)
        invitation = audited_create(
            Invitation(
                statement=statement,
                kind="organisation",
                invitee=f"{mark}-invitee",
                digest="0" * 64,
                expires_at="2030-01-01T00:00:00Z",
            ),
            by=None,
        )
        audited_create(
            Endorsement(
                statement=statement,
                invitation=invitation,
                kind="organisation",
                name=f"{mark}-endorser",
                listed_as="anonymous",
                group="International",
            ),
            by=None,
        )
        data = f"{mark}-evidence-bytes".encode() * 3
        audited_create(
            Evidence(
                transfer=transfer,
                filename=f"{mark}-file.jpg",
                content=data,
                size=len(data),
            ),
            by=None,
        )


def assert_only_control_found(raw: bytes, where: str) -> None:
    assert CONTROL.encode() in raw, f"control marker missing from {where}: the scan is blind"
    for label, needles in markers().items():
        for needle in needles:
            assert needle not in raw, f"{label} found in plain form in {where}"
    assert MARK.encode() not in raw, f"a marker was found in {where}"


def test_every_protected_field_gets_a_marker():
    from corridor.core.crypto.fields import encrypted_fields

    assert {field.label for _, field in encrypted_fields()} == set(markers())


def test_markers_absent_from_sqlite_file_and_wal(cli_instance):
    if "CORRIDOR_DATABASE_URL" in cli_instance.env:
        pytest.skip("SQLite lane: the PostgreSQL lane dumps its database instead")
    migrated = cli_instance.run("manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    database = cli_instance.home / "corridor.sqlite3"
    # A reader holding a snapshot stops the writer from folding the log back into the file.
    reader = sqlite3.connect(database, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        code = (
            "from corridor.core.tests.test_encryption_at_rest import seed; "
            f"seed({MARK!r}, {CONTROL!r})"
        )
        seeded = cli_instance.run("manage", "shell", "-c", code)
        assert seeded.returncode == 0, seeded.stderr
        wal = database.with_name(database.name + "-wal")
        assert wal.exists()
        assert wal.stat().st_size > 0
        for path in (database, wal, database.with_name(database.name + "-shm")):
            if path.exists():
                raw = path.read_bytes()
                for label, needles in markers().items():
                    assert not any(n in raw for n in needles), f"{label} in {path.name}"
                assert MARK.encode() not in raw
        assert CONTROL.encode() in wal.read_bytes(), "the newest writes are not in the log"
    finally:
        reader.close()


@pytest.mark.django_db(transaction=True)
def test_markers_absent_from_pg_dump():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL lane: the SQLite lane reads its files instead")
    from corridor.core.crypto import keyring

    seed()
    db = connection.settings_dict
    dumped = subprocess.run(
        [
            "pg_dump",
            "--host",
            db.get("HOST") or "127.0.0.1",
            "--port",
            str(db.get("PORT") or 5432),
            "--username",
            db.get("USER") or "postgres",
            "--no-password",
            db["NAME"],
        ],
        capture_output=True,
        check=True,
        timeout=120,
        env={**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""},
    )
    assert db["NAME"].startswith("test_")
    assert_only_control_found(dumped.stdout, f"pg_dump of {db['NAME']}")
    for key in keyring.active().keys.values():
        assert keyring.b64(key).encode() not in dumped.stdout
