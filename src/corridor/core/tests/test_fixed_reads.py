"""``row_where`` and ``rows_where`` read what the ORM reads, from statements written once."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import isolate_apps
from django.utils import timezone

from corridor.accounts.models import Membership, OrgRole, User
from corridor.core import fixed_reads
from corridor.core.fixed_reads import row_where, rows_where
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _values(instance: models.Model) -> dict:
    fields = instance._meta.concrete_fields
    return {field.attname: getattr(instance, field.attname) for field in fields}


def test_a_row_is_the_one_the_orm_gives_field_by_field():
    user = UserFactory(language="my", is_staff=True)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())

    read = row_where(User, (("id", "="),), (user.pk,))

    assert read is not None
    assert _values(read) == _values(User.objects.get(pk=user.pk))
    assert read._state.adding is False
    assert read._state.db == "default"


def test_a_missing_row_is_none():
    UserFactory()
    assert row_where(User, (("id", "="),), ("0b8e3c0e-0000-4000-8000-000000000000",)) is None


def test_a_greater_than_condition_leaves_out_what_is_not_after():
    now = timezone.now()
    for key, expires in (("live" * 8, now + dt.timedelta(hours=1)), ("over" * 8, now)):
        Session.objects.create(session_key=key, session_data="x", expire_date=expires)
    live = (("session_key", "="), ("expire_date", ">"))

    assert row_where(Session, live, ("live" * 8, now)).session_data == "x"
    assert row_where(Session, live, ("over" * 8, now)) is None


def test_in_reads_the_rows_of_the_listed_values_and_only_the_asked_fields():
    user = UserFactory()
    editor = MembershipFactory(user=user, role=OrgRole.EDITOR)
    viewer = MembershipFactory(user=user, role=OrgRole.VIEWER)
    MembershipFactory(role=OrgRole.EDITOR, organisation=OrganisationFactory())  # someone else's
    by_role = (("user", "="), ("role", "in"))

    def organisations(roles):
        rows = list(rows_where(Membership, by_role, (user.pk, roles), fields=("organisation",)))
        assert all("role" in row.get_deferred_fields() for row in rows)
        return {row.organisation_id for row in rows}

    assert organisations((OrgRole.EDITOR,)) == {editor.organisation_id}
    assert organisations((OrgRole.EDITOR, OrgRole.VIEWER)) == {
        editor.organisation_id,
        viewer.organisation_id,
    }
    assert organisations(()) == set()
    assert organisations((OrgRole.EDITOR,)) == set(
        Membership.objects.filter(user=user, role=OrgRole.EDITOR).values_list(
            "organisation_id", flat=True
        )
    )


def test_nothing_is_compiled_and_each_statement_is_written_once():
    user = UserFactory()
    row_where(User, (("id", "="),), (user.pk,))
    written = len(fixed_reads._STATEMENTS)
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled")):
        for _ in range(3):
            assert row_where(User, (("id", "="),), (user.pk,)) == user
    assert len(fixed_reads._STATEMENTS) == written


def test_a_read_that_could_find_more_than_one_row_is_refused():
    with pytest.raises(ValueError, match="no unique field"):
        row_where(Membership, (("user", "="),), (UserFactory().pk,))


def test_an_unknown_operator_is_refused():
    with pytest.raises(ValueError, match="is not one of"):
        row_where(User, (("id", "="), ("username", "like")), (UserFactory().pk, "a%"))


@isolate_apps("corridor.core")
def test_a_model_whose_manager_hides_rows_is_refused():
    class Hiding(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(shown=True)

    class Thing(models.Model):
        shown = models.BooleanField()
        objects = Hiding()

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return f"thing {self.pk}"

    with pytest.raises(ValueError, match="hides rows"):
        row_where(Thing, (("id", "="),), (1,))
