"""Backups restore into a fresh instance table for table; without the passphrase they are noise."""

import datetime as dt
import json
import tracemalloc

import pytest

from corridor.aid.models import Activity, Modality, Sector
from corridor.backup import archive, services, tables
from corridor.backup.archive import BackupError
from corridor.backup.services import backup_check, backup_write
from corridor.backup.tables import table_checksums
from corridor.cli.main import main
from corridor.core.crypto import keyring
from corridor.core.tests import test_encryption_at_rest as at_rest
from corridor.testing.factories import (
    ActivityFactory,
    IncidentFactory,
    OrganisationFactory,
    SourceFactory,
    township,
)

PASSPHRASE = "a long backup passphrase 9"

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(tmp_path, settings, monkeypatch):
    """This test's own instance folder and keys; data seeded in every protected field."""
    home = tmp_path / "home"
    home.mkdir()
    settings.HOME = home
    settings.AUDIT_ANCHOR = home / "audit-anchor.json"
    monkeypatch.delenv("CORRIDOR_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("CORRIDOR_BACKUP_PASSPHRASE", PASSPHRASE)
    keyring.forget()
    at_rest.seed()
    incident = IncidentFactory(latitude=20.25, longitude=96.5, witnesses="Ko Nyein")
    incident.sources.add(SourceFactory(), SourceFactory())
    ActivityFactory.create_batch(3)
    (home / "uploads").mkdir()
    (home / "uploads" / "note.txt").write_bytes(b"field note kept in the instance folder")
    yield home
    keyring.forget()


def shell_json(instance, code):
    result = instance.run("manage", "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


CHECKSUMS = (
    "import json; from corridor.backup.tables import table_checksums; "
    "print(json.dumps(table_checksums()))"
)


def test_restore_into_a_fresh_instance_matches_table_for_table(instance, tmp_path, cli_instance):
    path = tmp_path / "instance.corridor-backup"
    assert main(["backup", str(path)]) == 0
    source = table_checksums()
    assert source["situation.incident"]["count"] == 2
    assert source["situation.incident_sources"]["count"] == 2

    env = {"CORRIDOR_BACKUP_PASSPHRASE": PASSPHRASE}
    restored = cli_instance.run("restore", str(path), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "every table checked against its checksum" in restored.stdout
    after = shell_json(cli_instance, CHECKSUMS)

    assert set(after) == set(source)
    for label in source:
        if label != "audit.auditentry":
            assert after[label] == source[label], label
    # The restore itself is the one new entry on the restored trail, which still verifies.
    assert after["audit.auditentry"]["count"] == source["audit.auditentry"]["count"] + 1
    verified = cli_instance.run("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    # Protected fields came back readable, under the new instance's own key.
    witnesses = shell_json(
        cli_instance,
        "import json; from corridor.situation.models import Incident; "
        "print(json.dumps(sorted(i.witnesses for i in Incident.objects.all())))",
    )
    assert "Ko Nyein" in witnesses
    assert (cli_instance.home / "uploads" / "note.txt").read_bytes().startswith(b"field note")
    own_keys = (cli_instance.home / "keys" / "keyring.json").read_text()
    assert own_keys != (instance / "keys" / "keyring.json").read_text()

    again = cli_instance.run("restore", str(path), env=env)
    assert again.returncode == 1
    assert "already holds data" in again.stderr


def test_backup_is_unreadable_without_its_passphrase(instance, tmp_path, capsys):
    path = tmp_path / "b.corridor-backup"
    summary = backup_write(path, passphrase=PASSPHRASE)
    assert summary.files == ["uploads/note.txt"]
    data = path.read_bytes()
    assert at_rest.MARK.encode() not in data
    assert at_rest.CONTROL.encode() not in data
    assert b"field note" not in data
    assert b"situation" not in data
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(BackupError, match="wrong passphrase"):
        backup_check(path, passphrase="not the passphrase at all")
    assert backup_check(path, passphrase=PASSPHRASE)["files"] == ["uploads/note.txt"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:200] + bytes([b[200] ^ 1]) + b[201:], "wrong passphrase|altered"),
        (
            lambda b: b[: len(b) // 2] + bytes([b[len(b) // 2] ^ 1]) + b[len(b) // 2 + 1 :],
            "altered",
        ),
        (lambda b: b[:-10], "cut short"),
        (lambda b: b + b"\x00\x00\x00\x01x", "data after its last part"),
        (lambda b: b"X" + b[1:], "not a Corridor backup"),
    ],
    ids=["header", "body", "truncated", "appended", "magic"],
)
def test_tampered_backup_is_refused(instance, tmp_path, damage, message):
    path = tmp_path / "b.corridor-backup"
    backup_write(path, passphrase=PASSPHRASE)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(BackupError, match=message):
        backup_check(path, passphrase=PASSPHRASE)


def test_check_and_restore_through_the_cli_name_the_problem(instance, tmp_path, capsys):
    path = tmp_path / "b.corridor-backup"
    assert main(["backup", str(path)]) == 0
    assert "Backup written" in capsys.readouterr().out
    assert main(["backup", str(path)]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["backup", "--check", str(path)]) == 0
    assert "is intact" in capsys.readouterr().out
    path.write_bytes(path.read_bytes()[:-3])
    assert main(["backup", "--check", str(path)]) == 1
    assert "cut short" in capsys.readouterr().err


def add_activities(count: int) -> None:
    organisation, unit = OrganisationFactory(), township()
    Activity.objects.bulk_create(
        (
            Activity(
                organisation=organisation,
                admin_unit=unit,
                sector=Sector.HEALTH,
                modality=Modality.SERVICE,
                reporting_month=dt.date(2024, 1 + k % 12, 1),
                women=k % 97,
                notes=f"visit {k}",
            )
            for k in range(count)
        ),
        batch_size=1000,
    )


def test_writing_a_backup_takes_memory_that_does_not_grow_with_the_rows(
    instance, tmp_path, monkeypatch
):
    """Issue 18 §5: on the ten-year hub the backup's memory grew with the rows written (past
    1 GB). Peak Python memory while writing 1,500 and then 6,000 activities, with the reads,
    records and sealed parts made small (250 rows, 100 rows, 16 KiB) so that both runs hold
    several of each: what is kept per row written must be nothing. The old backup kept a
    32-byte digest per row (about 73 bytes with its list slot), 330 KB for the 4,500 more
    rows; reading the table whole would keep hundreds of bytes per row."""
    monkeypatch.setattr(archive, "CHUNK", 1 << 14)
    monkeypatch.setattr(tables, "READ_CHUNK", 250)
    monkeypatch.setattr(services, "ROWS_PER_RECORD", 100)

    def peak(name: str) -> int:
        tracemalloc.start()
        try:
            backup_write(tmp_path / name, passphrase=PASSPHRASE)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    add_activities(1_500)
    peak("first.backup")  # the first backup of the process also fills caches; not compared
    small = peak("small.backup")
    add_activities(4_500)
    large = peak("large.backup")
    written = backup_check(tmp_path / "large.backup", passphrase=PASSPHRASE)
    assert written["tables"]["aid.activity"]["count"] == Activity.objects.count() > 6_000
    assert large - small < 4_500 * 16, (small, large)


def reseal_as_before_0379(path, old_path) -> None:
    """The same backup as Corridor wrote it before decision 0379: no checksum method in its
    description, and each table's checksum the SHA-256 of its sorted row digests."""
    records = list(services._records(path, PASSPHRASE))
    sums, current = {}, None
    for record in records:
        if record["kind"] == "meta":
            del record["checksums"]
        elif record["kind"] == "table":
            current = sums[record["model"]] = tables.TableSum(tables.SORTED)
        elif record["kind"] == "rows":
            for row in record["rows"]:
                current.add(row)
        elif record["kind"] == "end":
            for label, total in sums.items():
                assert record["tables"][label]["count"] == total.count
                record["tables"][label]["checksum"] = total.checksum
    with old_path.open("wb") as handle:
        out = archive.SealedWriter(handle, PASSPHRASE, note={"corridor": "before 0379"})
        for record in records:
            services._write_record(out, record)
        out.close()


def test_a_backup_written_before_the_summed_checksums_still_checks_and_restores(
    instance, tmp_path, cli_instance
):
    path, old = tmp_path / "new.backup", tmp_path / "old.backup"
    backup_write(path, passphrase=PASSPHRASE)
    reseal_as_before_0379(path, old)
    assert backup_check(path, passphrase=PASSPHRASE)["meta"]["checksums"] == tables.SUM
    checked = backup_check(old, passphrase=PASSPHRASE)
    assert "checksums" not in checked["meta"]
    stored = Activity.objects.count()
    assert checked["tables"]["aid.activity"]["count"] == stored
    assert (
        checked["tables"]["aid.activity"]["checksum"]
        != backup_check(path, passphrase=PASSPHRASE)["tables"]["aid.activity"]["checksum"]
    )
    # A changed checksum in the end record is still caught under the old method.
    records = list(services._records(old, PASSPHRASE))
    records[-1]["tables"]["aid.activity"]["checksum"] = "0" * 64
    bad = tmp_path / "bad.backup"
    with bad.open("wb") as handle:
        out = archive.SealedWriter(handle, PASSPHRASE)
        for record in records:
            services._write_record(out, record)
        out.close()
    with pytest.raises(BackupError, match=f"table aid.activity has {stored} rows"):
        backup_check(bad, passphrase=PASSPHRASE)

    env = {"CORRIDOR_BACKUP_PASSPHRASE": PASSPHRASE}
    restored = cli_instance.run("restore", str(old), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "every table checked against its checksum" in restored.stdout
    after = shell_json(cli_instance, CHECKSUMS)
    assert after["aid.activity"] == table_checksums([Activity])["aid.activity"]
