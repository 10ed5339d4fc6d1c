"""Every create, update and delete writes a hash-chained audit entry in the same transaction."""

import pytest
from django.db import connection, transaction

from corridor.audit.models import AuditEntry
from corridor.audit.services import (
    Action,
    audit_record,
    audit_verify,
    audited_create,
    audited_delete,
    audited_update,
)
from corridor.orgs.models import Organisation
from corridor.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_org(user):
    return audited_create(
        Organisation(name="Audit test group", kind="local_cso", base_country="MM"), by=user
    )


def test_create_update_delete_are_audited_with_author():
    user = UserFactory()
    org = make_org(user)
    org_id = str(org.pk)
    assert org.created_by == user
    audited_update(org, by=user, acronym="ATG")
    audited_delete(org, by=user)
    entries = list(AuditEntry.objects.filter(object_id=org_id))
    assert [e.action for e in entries] == [Action.CREATE, Action.UPDATE, Action.DELETE]
    assert entries[1].changes == {"acronym": ["", "ATG"]}
    assert entries[2].changes["name"] == "Audit test group"
    assert {e.actor_label for e in entries} == {user.username}
    assert audit_verify().ok


def test_an_update_that_changes_nothing_writes_nothing():
    user = UserFactory()
    org = make_org(user)
    before = AuditEntry.objects.count()
    audited_update(org, by=user, name=org.name)
    assert AuditEntry.objects.count() == before


def test_failed_change_leaves_no_entry():
    user = UserFactory()
    before = AuditEntry.objects.count()
    with pytest.raises(Exception, match="kind"):
        audited_create(Organisation(name="Bad", kind="militia", base_country="MM"), by=user)
    assert AuditEntry.objects.count() == before


def test_entries_are_append_only_in_the_model():
    user = UserFactory()
    make_org(user)
    entry = AuditEntry.objects.last()
    entry.action = "nothing happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        audit_record(by=None, action=Action.EXPORT, object_type="x")


def test_verify_detects_an_edited_entry():
    user = UserFactory()
    for _ in range(3):
        make_org(user)
    assert audit_verify() == audit_verify().__class__(True, AuditEntry.objects.count())
    second = AuditEntry.objects.order_by("seq")[1]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(
            f"UPDATE {table} SET actor_label = %s WHERE seq = %s",
            ["someone else", second.seq],
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_entry_append_only")
    result = audit_verify()
    assert not result.ok
    assert result.problem == f"entry #{second.seq} was altered"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_update_and_delete_of_audit_rows():
    make_org(UserFactory())
    table = AuditEntry._meta.db_table
    for sql in (f"UPDATE {table} SET action = 'x'", f"DELETE FROM {table}"):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
