"""`corridor audit verify|list` and `corridor db grant-app-role`, as an administrator runs them."""

import json
import sqlite3
import uuid

import psycopg
import pytest
from django.db import connection, transaction
from psycopg import sql

from corridor.audit.models import AuditEntry
from corridor.audit.services import audited_create
from corridor.cli.main import main
from corridor.orgs.models import Organisation
from corridor.testing.factories import UserFactory

TABLE = AuditEntry._meta.db_table
PASSWORD = "a long admin passphrase 7"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_anchor(tmp_path, settings):
    settings.AUDIT_ANCHOR = tmp_path / "audit-anchor.json"


@pytest.fixture
def make_entries(django_capture_on_commit_callbacks):
    """Entries committed as a running instance commits them, so the anchor follows."""

    def make(n):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(n):
                audited_create(
                    Organisation(name=f"Org {i}", kind="local_cso", base_country="MM"), by=None
                )

    return make


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


def test_intact_trail_verifies_and_shows_its_head(capsys, make_entries):
    make_entries(3)
    code, out, _ = verify(capsys)
    assert code == 0
    assert "Audit trail intact: 3 entries." in out
    head = AuditEntry.objects.get(seq=3)
    assert f"Head: 3:{head.hash}" in out


def test_edited_entry_is_named(capsys, make_entries):
    make_entries(4)
    raw(f"UPDATE {TABLE} SET actor_label = %s WHERE seq = 2", ["someone else"])
    code, _, err = verify(capsys)
    assert code == 1
    assert "audit trail broken: entry #2 was altered" in err


def test_removed_entry_is_named(capsys, make_entries):
    make_entries(4)
    raw(f"DELETE FROM {TABLE} WHERE seq = 3")
    code, _, err = verify(capsys)
    assert code == 1
    assert "entry #3 is missing" in err


def test_reordered_entries_are_named(capsys, make_entries):
    make_entries(4)
    # Swap entries 2 and 3 (through a free number, as the key is unique).
    raw(f"UPDATE {TABLE} SET seq = 99 WHERE seq = 2")
    raw(f"UPDATE {TABLE} SET seq = 2 WHERE seq = 3")
    raw(f"UPDATE {TABLE} SET seq = 3 WHERE seq = 99")
    code, _, err = verify(capsys)
    assert code == 1
    assert "entry #2 does not follow #1" in err


def test_cut_off_end_is_caught_by_the_anchor(capsys, make_entries):
    make_entries(5)
    assert verify(capsys)[0] == 0
    raw(f"DELETE FROM {TABLE} WHERE seq > 3")
    code, _, err = verify(capsys)
    assert code == 1
    assert "ends at entry #3 but the anchor file records entry #5" in err


def test_cut_off_end_is_caught_by_a_head_kept_elsewhere(capsys, make_entries):
    make_entries(5)
    head = AuditEntry.objects.get(seq=5)
    assert verify(capsys, "--head", f"5:{head.hash}")[0] == 0
    raw(f"DELETE FROM {TABLE} WHERE seq = 5")
    code, _, err = verify(capsys, "--head", f"5:{head.hash}")
    assert code == 1
    assert "the head given with --head records entry #5" in err


def test_list_shows_the_newest_entries_oldest_first(capsys, make_entries):
    make_entries(5)
    assert main(["audit", "list", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["#4", "#5"]
    assert "create  orgs.organisation" in lines[0]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_app_role_cannot_change_audit_rows(capsys, make_entries):
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
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
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


# --- Every break of the anchor makes verify fail, with one line saying which (issue 10) --------


def test_a_new_instance_with_nothing_written_verifies(capsys):
    code, out, _ = verify(capsys)
    assert code == 0
    assert "Audit trail empty: a new instance" in out


def test_cut_tail_and_deleted_anchor_fail_as_a_missing_anchor(capsys, make_entries, settings):
    make_entries(4)
    raw(f"DELETE FROM {TABLE} WHERE seq > 2")
    settings.AUDIT_ANCHOR.unlink()
    code, _, err = verify(capsys)
    assert code == 1
    assert f"the anchor file {settings.AUDIT_ANCHOR} is missing" in err
    assert len(err.strip().splitlines()) == 1


def test_a_later_write_does_not_quietly_recreate_a_deleted_anchor(capsys, make_entries, settings):
    make_entries(4)
    raw(f"DELETE FROM {TABLE} WHERE seq > 2")
    settings.AUDIT_ANCHOR.unlink()
    make_entries(1)
    assert not settings.AUDIT_ANCHOR.exists()
    assert "is missing" in verify(capsys)[2]


def test_every_entry_deleted_fails_against_the_anchor(capsys, make_entries):
    make_entries(3)
    raw(f"DELETE FROM {TABLE}")
    code, _, err = verify(capsys)
    assert code == 1
    assert "the trail is empty but the anchor file records entry #3: every entry was removed" in err


def test_every_entry_and_the_anchor_deleted_fail_when_accounts_remain(
    capsys, make_entries, settings
):
    UserFactory()
    make_entries(2)
    raw(f"DELETE FROM {TABLE}")
    settings.AUDIT_ANCHOR.unlink()
    code, _, err = verify(capsys)
    assert code == 1
    assert "the trail is empty and the anchor file" in err
    assert "holds 1 user account(s)" in err


def test_a_trail_started_again_does_not_take_over_the_anchor(capsys, make_entries, settings):
    make_entries(3)
    raw(f"DELETE FROM {TABLE}")
    make_entries(4)  # a new trail, longer than the old one
    code, _, err = verify(capsys)
    assert code == 1
    assert "belongs to another trail" in err


def test_an_anchor_for_another_database_path_fails_until_re_anchored(
    capsys, make_entries, settings, django_capture_on_commit_callbacks
):
    make_entries(3)
    anchor = json.loads(settings.AUDIT_ANCHOR.read_text())
    settings.AUDIT_ANCHOR.write_text(json.dumps({**anchor, "database": "sqlite:/old/place.db"}))
    code, _, err = verify(capsys)
    assert code == 1
    assert "written for database sqlite:/old/place.db, this is" in err
    assert "the instance folder moved" in err
    # Later writes carry on along the same trail, but do not hide the move.
    make_entries(1)
    assert json.loads(settings.AUDIT_ANCHOR.read_text())["seq"] == 4
    assert verify(capsys)[0] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["audit", "anchor"]) == 0
    assert "It replaces an anchor that said" in capsys.readouterr().out
    code, out, _ = verify(capsys)
    assert code == 0, out
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type) == ("anchor", "audit.anchor")
    assert entry.changes["previous"]["database"] == "sqlite:/old/place.db"


def test_re_anchoring_refuses_a_broken_chain(capsys, make_entries):
    make_entries(3)
    raw(f"UPDATE {TABLE} SET actor_label = %s WHERE seq = 2", ["someone else"])
    assert main(["audit", "anchor"]) == 1
    assert "entry #2 was altered" in capsys.readouterr().err


def _instance_sql(instance, *statements):
    """Change an instance's database behind its back, as someone with database access."""
    url = instance.env.get("CORRIDOR_DATABASE_URL")
    if not url:
        with sqlite3.connect(instance.home / "corridor.sqlite3") as db:
            for statement in statements:
                db.execute(statement)
        return
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_entry_append_only")
        for statement in statements:
            db.execute(statement)
        db.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_entry_append_only")


def _init(instance):
    init = instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    )
    assert init.returncode == 0, init.stderr


def _broken(instance, expected):
    result = instance.run("audit", "verify")
    assert result.returncode == 1, result.stdout
    line = result.stderr.strip()
    assert line.startswith("corridor audit: error: audit trail broken: "), line
    assert expected in line
    assert "\n" not in line


def test_verify_fails_for_a_cut_tail_a_missing_anchor_and_an_emptied_trail(cli_instance):
    _init(cli_instance)
    assert cli_instance.run("audit", "verify").returncode == 0
    anchor_file = cli_instance.home / "audit-anchor.json"
    last = json.loads(anchor_file.read_text())["seq"]
    saved = anchor_file.read_text()
    # The tail cut and the anchor deleted: the finding's case.
    _instance_sql(cli_instance, f"DELETE FROM {TABLE} WHERE seq = {last}")
    anchor_file.unlink()
    _broken(cli_instance, "is missing")
    # The tail cut, the anchor still there.
    anchor_file.write_text(saved)
    _broken(cli_instance, f"the trail ends at entry #{last - 1} but the anchor file records")
    # Every entry deleted.
    _instance_sql(cli_instance, f"DELETE FROM {TABLE}")
    _broken(cli_instance, "the trail is empty but the anchor file records")
    # Every entry and the anchor deleted: the administrator's account remains.
    anchor_file.unlink()
    _broken(cli_instance, "holds 1 user account(s)")


def test_verify_fails_for_a_moved_instance_until_re_anchored(cli_instance, tmp_path):
    _init(cli_instance)
    if "CORRIDOR_DATABASE_URL" in cli_instance.env:
        # The PostgreSQL lane: the same database reached under another name.
        url = cli_instance.env["CORRIDOR_DATABASE_URL"]
        cli_instance.env["CORRIDOR_DATABASE_URL"] = url.replace("127.0.0.1", "localhost")
        assert cli_instance.env["CORRIDOR_DATABASE_URL"] != url, "test needs a 127.0.0.1 URL"
    else:
        moved = tmp_path / "moved"
        cli_instance.home.rename(moved)
        cli_instance.home = moved
        cli_instance.env["CORRIDOR_HOME"] = str(moved)
    _broken(cli_instance, "the instance folder moved or the database was renamed")
    anchored = cli_instance.run("audit", "anchor")
    assert anchored.returncode == 0, anchored.stderr
    ok = cli_instance.run("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "anchor  audit.anchor" in cli_instance.run("audit", "list", "--limit", "1").stdout


def test_a_brand_new_instance_verifies_through_the_entry_point(cli_instance):
    migrated = cli_instance.run("manage", "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    ok = cli_instance.run("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "Audit trail empty" in ok.stdout
