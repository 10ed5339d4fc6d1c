"""Who is asking — session, user, second-factor device, memberships — is read on every request
by fixed statements (decision 0388): nothing is compiled for a kept gap API answer, and the
rules of those reads are Django's and django-otp's as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from corridor.accounts.models import GlobalRole
from corridor.accounts.queries import device_by_persistent_id
from corridor.aid.models import DataVersion
from corridor.gaps import api as gaps_api
from corridor.testing import factories as f
from corridor.testing.signin import sign_in, totp_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(monkeypatch):
    """The SQL statements Django compiles from querysets, noted as they are compiled."""
    noted: list[str] = []
    as_sql = SQLCompiler.as_sql

    def noting(self, *args, **kwargs):
        sql, params = as_sql(self, *args, **kwargs)
        noted.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", noting)
    return noted


@pytest.fixture
def month_of_reach():
    DataVersion.objects.get_or_create(id=1)  # a flush by an earlier test may have removed it
    place = f.township("MMR005022")
    f.DisplacementFigureFactory(admin_unit=place, as_of=dt.date(2024, 3, 5), idps=5000)
    organisations = [f.OrganisationFactory() for _ in range(3)]
    for organisation in organisations:
        f.ActivityFactory(admin_unit=place, organisation=organisation)
    return organisations


@pytest.mark.parametrize("role", ["administrator", "coordinator", "member"])
def test_a_kept_gap_answer_compiles_no_sql(role, month_of_reach, compiled):
    user = {
        "administrator": lambda: f.UserFactory(global_role=GlobalRole.ADMIN),
        "coordinator": lambda: f.UserFactory(global_role=GlobalRole.COORDINATOR),
        "member": lambda: f.MembershipFactory(organisation=month_of_reach[0]).user,
    }[role]()
    client = sign_in(Client(), user)
    gaps_api.ANSWERS.answers.clear()
    first = client.get("/api/gaps/", {"month": "2024-03"})
    assert first.status_code == 200
    compiled.clear()

    kept = client.get("/api/gaps/", {"month": "2024-03"})

    assert kept.status_code == 200
    assert kept.content == first.content
    assert compiled == []


def test_the_session_user_and_device_are_the_ones_django_would_read(month_of_reach):
    user = f.UserFactory(global_role=GlobalRole.ADMIN)
    client = sign_in(Client(), user)
    device = totp_device(user)

    assert device_by_persistent_id(device.persistent_id) == device
    assert client.get("/api/gaps/", {"month": "2024-03"}).status_code == 200
    assert client.session["_auth_user_backend"] == settings.AUTHENTICATION_BACKENDS[0]


def test_an_expired_session_is_not_read(month_of_reach):
    client = sign_in(Client(), f.UserFactory(global_role=GlobalRole.ADMIN))
    Session.objects.update(expire_date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert client.get("/api/gaps/", {"month": "2024-03"}).status_code == 401


def test_another_persons_or_an_unconfirmed_device_passes_no_second_factor(month_of_reach):
    user, other = (f.UserFactory(global_role=GlobalRole.ADMIN) for _ in range(2))
    client = sign_in(Client(), user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(other).persistent_id
    session.save()
    assert client.get("/api/gaps/", {"month": "2024-03"}).status_code == 401

    client = sign_in(Client(), user)
    totp_device(user).__class__.objects.filter(user=user).update(confirmed=False)
    assert client.get("/api/gaps/", {"month": "2024-03"}).status_code == 401


@pytest.mark.parametrize(
    "persistent_id",
    [
        "",
        "nonsense",
        "otp_totp.totpdevice/",
        "otp_totp.totpdevice/x",
        "nosuch.model/1",
        "accounts.user/1",
        "otp_totp.totpdevice/999999",
        "otp_totp/1",
    ],
)
def test_a_persistent_id_that_names_no_device_finds_none(persistent_id):
    f.UserFactory()
    assert device_by_persistent_id(persistent_id) is None


def test_a_session_signed_in_through_the_old_backend_path_is_signed_out(month_of_reach):
    """Sessions from before decision 0388 name django's ModelBackend: after the upgrade their
    people sign in once more (at most 12 hours of sessions)."""
    client = Client()
    user = f.UserFactory(global_role=GlobalRole.ADMIN)
    sign_in(client, user)
    session = client.session
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert client.get("/api/gaps/", {"month": "2024-03"}).status_code == 401
