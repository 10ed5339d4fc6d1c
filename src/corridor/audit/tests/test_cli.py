"""`corridor audit verify|list` and `corridor db grant-app-role`, as an administrator runs them."""

import sqlite3
import uuid

import pytest
from django.db import connection, transaction
from psycopg import sql

from corridor.audit.models import AuditEntry
from corridor.audit.services import audited_create
from corridor.cli.main import main
from corridor.orgs.models import Organisation

TABLE = AuditEntry._meta.db_table
PASSWORD = "a long admin passphrase 7"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_anchor(tmp_path, settings):
    settings.AUDIT_ANCHOR = tmp_path / "audit-anchor.json"


def make_entries(n):
    for i in range(n):
        audited_create(Organisation(name=f"Org {i}", kind="local_cso", base_country="MM"), by=None)


def raw(statement, params=()):
    """Change audit rows behind the application's back, as someone with database access."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_entry_append_only")


def verify(capsys, *extra):
    code = main(["audit", "verify", *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_intact_trail_verifies_and_shows_its_head(capsys):
    make_entries(3)
    code, out, _ = verify(capsys)
    assert code == 0
    assert "Audit trail intact: 3 entries." in out
    head = AuditEntry.objects.get(seq=3)
    assert f"Head: 3:{head.hash}" in out


def test_edited_entry_is_named(capsys):
    make_entries(4)
    raw(f"UPDATE {TABLE} SET actor_label = %s WHERE seq = 2", ["someone else"])
    code, _, err = verify(capsys)
    assert code == 1
    assert "audit trail broken: entry #2 was altered" in err


def test_removed_entry_is_named(capsys):
    make_entries(4)
    raw(f"DELETE FROM {TABLE} WHERE seq = 3")
    code, _, err = verify(capsys)
    assert code == 1
    assert "entry #3 is missing" in err


def test_reordered_entries_are_named(capsys):
    make_entries(4)
    # Swap entries 2 and 3 (through a free number, as the key is unique).
    raw(f"UPDATE {TABLE} SET seq = 99 WHERE seq = 2")
    raw(f"UPDATE {TABLE} SET seq = 2 WHERE seq = 3")
    raw(f"UPDATE {TABLE} SET seq = 3 WHERE seq = 99")
    code, _, err = verify(capsys)
    assert code == 1
    assert "entry #2 does not follow #1" in err


def test_cut_off_end_is_caught_by_the_anchor(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_entries(5)
    assert verify(capsys)[0] == 0
    raw(f"DELETE FROM {TABLE} WHERE seq > 3")
    code, _, err = verify(capsys)
    assert code == 1
    assert "ends at entry #3 but the anchor file records entry #5" in err


def test_cut_off_end_is_caught_by_a_head_kept_elsewhere(capsys, settings, tmp_path):
    make_entries(5)
    head = AuditEntry.objects.get(seq=5)
    settings.AUDIT_ANCHOR = tmp_path / "missing" / "anchor.json"
    assert verify(capsys, "--head", f"5:{head.hash}")[0] == 0
    raw(f"DELETE FROM {TABLE} WHERE seq = 5")
    code, out, err = verify(capsys, "--head", f"5:{head.hash}")
    assert code == 1
    assert "the head given with --head records entry #5" in err
    # Without any anchor the gap cannot show, and verify says so.
    code, out, _ = verify(capsys)
    assert code == 0
    assert "No anchor file" in out


def test_list_shows_the_newest_entries_oldest_first(capsys):
    make_entries(5)
    assert main(["audit", "list", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["#4", "#5"]
    assert "create  orgs.organisation" in lines[0]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_app_role_cannot_change_audit_rows(capsys):
    make_entries(2)
    role = f"corridor_app_{uuid.uuid4().hex[:8]}"
    # All of it, the role included, is rolled back with the test's transaction.
    assert main(["db", "grant-app-role", role, "--create"]) == 0
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SET ROLE {}").format(sql.Identifier(role)).as_string(cursor.connection)
        )
        try:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            assert cursor.fetchone()[0] == 2
            with transaction.atomic():
                cursor.execute("UPDATE orgs_organisation SET acronym = 'X'")
            for statement in (
                f"UPDATE {TABLE} SET action = 'x'",
                f"DELETE FROM {TABLE}",
                f"TRUNCATE {TABLE}",
            ):
                # "permission denied", not the trigger's message: the privilege stops it first.
                with pytest.raises(Exception, match="permission denied"), transaction.atomic():
                    cursor.execute(statement)
        finally:
            cursor.execute("RESET ROLE")


def test_grant_app_role_refuses_sqlite_or_superusers(capsys):
    code = main(["db", "grant-app-role", "postgres"])
    assert code == 1
    err = capsys.readouterr().err
    if connection.vendor == "postgresql":
        assert "superuser" in err
    else:
        assert "only on PostgreSQL" in err


def test_verify_through_the_entry_point(cli_instance):
    init = cli_instance.run(
        "init", "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    ok = cli_instance.run("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "Audit trail intact" in ok.stdout
    assert (cli_instance.home / "audit-anchor.json").exists()
    listed = cli_instance.run("audit", "list", "--limit", "1")
    assert listed.returncode == 0
    assert listed.stdout.startswith("#")
    if "CORRIDOR_DATABASE_URL" in cli_instance.env:
        return
    with sqlite3.connect(cli_instance.home / "corridor.sqlite3") as db:
        db.execute(f"UPDATE {TABLE} SET action = 'nothing' WHERE seq = 1")
    broken = cli_instance.run("audit", "verify")
    assert broken.returncode == 1
    assert broken.stderr.strip() == (
        "corridor audit: error: audit trail broken: entry #1 was altered"
    )
