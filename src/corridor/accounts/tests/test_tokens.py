"""API tokens over HTTP: scope, refusals, storage, audit, the page, the admin and panic."""

from __future__ import annotations

import hmac

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from corridor.accounts import tokens
from corridor.accounts.models import ApiToken, GlobalRole, Membership, OrgRole
from corridor.accounts.panic import user_panic
from corridor.accounts.services import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.audit.services import audit_verify
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.geo.resolver import invalidate_resolver
from corridor.testing.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client

TOWNSHIP = "MMR005022"
ACTIVITIES = "/api/aid/activities/"


class World:
    """An editor of two organisations, an activity in each, and a viewer of the first."""

    def __init__(self) -> None:
        township(TOWNSHIP)
        self.own = OrganisationFactory(name="Own organisation")
        self.other = OrganisationFactory(name="Other organisation")
        self.editor = UserFactory()
        MembershipFactory(user=self.editor, organisation=self.own, role=OrgRole.EDITOR)
        MembershipFactory(user=self.editor, organisation=self.other, role=OrgRole.EDITOR)
        self.viewer = UserFactory()
        MembershipFactory(user=self.viewer, organisation=self.own, role=OrgRole.VIEWER)
        self.own_activity = ActivityFactory(organisation=self.own, notes="own row")
        self.other_activity = ActivityFactory(organisation=self.other, notes="other row")

    def token(self, scope: str, *, user=None, organisation=None, days: int = 30) -> str:
        return tokens.token_create(
            by=None,
            user=user or self.editor,
            organisation=organisation or self.own,
            scope=scope,
            name=f"{scope} job",
            days=days,
        ).text


@pytest.fixture
def world(db):
    return World()


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def api_client() -> Client:
    # CSRF enforced as a browser would have it: token requests must not need it.
    return Client(enforce_csrf_checks=True)


def new_activity(org) -> dict:
    return {
        "organisation": str(org.pk),
        "sector": "health",
        "modality": "service",
        "admin_unit": TOWNSHIP,
        "reporting_month": "2024-04-01",
        "women": 4,
    }


def test_a_read_token_reads_its_organisation_and_writes_nothing(world):
    text = world.token("read")
    client = api_client()

    listed = client.get(ACTIVITIES, **bearer(text))
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["items"]}
    # The owner edits both organisations; the token sees only its own.
    assert ids == {str(world.own_activity.pk)}
    assert client.get(f"{ACTIVITIES}{world.other_activity.pk}/", **bearer(text)).status_code in (
        403,
        404,
    )

    before = Activity.objects.count()
    posted = client.post(
        ACTIVITIES, new_activity(world.own), content_type="application/json", **bearer(text)
    )
    assert posted.status_code == 403
    assert posted.json() == {"detail": "this API token may only read"}
    own = f"{ACTIVITIES}{world.own_activity.pk}/"
    patched = client.patch(own, {"notes": "x"}, content_type="application/json", **bearer(text))
    assert patched.status_code == 403
    assert client.delete(own, **bearer(text)).status_code == 403
    assert client.put(own, {}, content_type="application/json", **bearer(text)).status_code in (
        403,
        405,
    )
    assert Activity.objects.count() == before
    world.own_activity.refresh_from_db()
    assert world.own_activity.notes == "own row"
    refusal = AuditEntry.objects.get(action="denied", object_type="accounts.apitoken")
    assert refusal.changes["reason"] == "POST with a read token"


def test_a_write_token_writes_in_its_organisation_only(world):
    text = world.token("write")
    client = api_client()  # no CSRF token anywhere: the Bearer header is the credential

    made = client.post(
        ACTIVITIES, new_activity(world.own), content_type="application/json", **bearer(text)
    )
    assert made.status_code == 201, made.content
    assert Activity.objects.get(pk=made.json()["id"]).created_by_id == world.editor.pk

    # The owner edits the other organisation too, but this token is not for it.
    refused = client.post(
        ACTIVITIES, new_activity(world.other), content_type="application/json", **bearer(text)
    )
    assert refused.status_code == 403
    other = f"{ACTIVITIES}{world.other_activity.pk}/"
    changed = client.patch(other, {"notes": "x"}, content_type="application/json", **bearer(text))
    assert changed.status_code in (403, 404)
    assert client.delete(other, **bearer(text)).status_code in (403, 404)
    world.other_activity.refresh_from_db()
    assert world.other_activity.notes == "other row"
    assert Activity.objects.filter(organisation=world.other).count() == 1


def test_the_token_never_does_more_than_its_owner(world):
    # A viewer cannot make a write token; a coordinator who belongs nowhere cannot make any.
    with pytest.raises(NotAllowed):
        world.token("write", user=world.viewer)
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    with pytest.raises(NotAllowed):
        world.token("read", user=coordinator)
    with pytest.raises(NotAllowed):
        tokens.token_create(
            by=world.viewer,
            user=world.editor,
            organisation=world.own,
            scope="read",
            name="someone else's",
        )
    assert AuditEntry.objects.filter(action="denied", actor_id=str(world.viewer.pk)).exists()

    # A write token whose owner is demoted to viewer writes no more.
    text = world.token("write")
    Membership.objects.filter(user=world.editor, organisation=world.own).update(role=OrgRole.VIEWER)
    posted = api_client().post(
        ACTIVITIES, new_activity(world.own), content_type="application/json", **bearer(text)
    )
    assert posted.status_code == 403
    # Removed from the organisation: the token is refused outright.
    Membership.objects.filter(user=world.editor, organisation=world.own).delete()
    assert api_client().get(ACTIVITIES, **bearer(text)).status_code == 403

    # A network admin's token is one organisation's editor, not an admin.
    admin = UserFactory(global_role=GlobalRole.ADMIN, is_superuser=True, is_staff=True)
    admin_text = world.token("write", user=admin)
    rows = api_client().get(ACTIVITIES, **bearer(admin_text)).json()["items"]
    assert {row["id"] for row in rows} == {str(world.own_activity.pk)}


def test_expiry_is_required_and_bounded(world):
    for days in (0, -1, tokens.MAX_DAYS + 1):
        with pytest.raises(InvalidInput):
            world.token("read", days=days)
    with pytest.raises(InvalidInput):
        tokens.token_create(
            by=None, user=world.editor, organisation=world.own, scope="read", name="x" * 101
        )
    with pytest.raises(InvalidInput):
        world.token("admin")
    token = ApiToken.objects.get(prefix=world.token("read", days=tokens.MAX_DAYS)[4:16])
    assert token.expires_at - token.created_at == timezone.timedelta(days=tokens.MAX_DAYS)


def test_expired_revoked_and_panicked_tokens_get_401(world, clock):
    expiring, revoked, panicked = (world.token("read", days=1) for _ in range(3))
    client = api_client()
    for text in (expiring, revoked, panicked):
        assert client.get(ACTIVITIES, **bearer(text)).status_code == 200

    tokens.token_revoke(by=world.editor, token=tokens.token_find(owner=None, text=revoked))
    answer = client.get(ACTIVITIES, **bearer(revoked))
    assert answer.status_code == 401
    assert answer.json() == {"detail": "API token revoked"}
    assert answer["WWW-Authenticate"].startswith("Bearer")

    clock.advance(days=1, seconds=1)
    assert client.get(ACTIVITIES, **bearer(expiring)).json() == {"detail": "API token expired"}

    other_owner = UserFactory()
    MembershipFactory(user=other_owner, organisation=world.own, role=OrgRole.EDITOR)
    seized = world.token("write", user=other_owner)
    assert client.get(ACTIVITIES, **bearer(seized)).status_code == 200
    result = user_panic(by=None, user=other_owner)
    assert result.tokens_revoked == 1
    assert client.get(ACTIVITIES, **bearer(seized)).status_code == 401
    panic = AuditEntry.objects.get(object_id=str(other_owner.pk), changes__panic=True)
    assert panic.changes["api_tokens_revoked"] == 1
    assert AuditEntry.objects.filter(
        object_type="accounts.apitoken", action="permission_change", changes__reason="panic"
    ).exists()
    # Re-enabling the account does not bring the token back.
    other_owner.is_active = True
    other_owner.save(update_fields=["is_active"])
    assert client.get(ACTIVITIES, **bearer(seized)).status_code == 401
    assert audit_verify().ok


def test_a_wrong_secret_is_refused_as_an_unknown_token_in_the_same_time(world, monkeypatch):
    text = world.token("read")
    prefix = text[: len("crd_") + 12]
    compared = []
    original = hmac.compare_digest

    def spy(a, b):
        compared.append((len(a), len(b)))
        return original(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    client = api_client()
    wrong = client.get(ACTIVITIES, **bearer(prefix + "_" + "a" * 64))
    unknown = client.get(ACTIVITIES, **bearer("crd_000000000000_" + "a" * 64))
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "invalid API token"}
    # Both went through one constant-time comparison of two full digests.
    assert compared == [(64, 64), (64, 64)]
    for garbage in ("", "crd_", "crd_short_x", "nonsense", text + "x"):
        assert client.get(ACTIVITIES, **bearer(garbage)).status_code == 401
    # Only the known token's refusal is audited (once); the unknown one names nobody.
    assert AuditEntry.objects.filter(action="denied", object_type="accounts.apitoken").count() == 1


def test_the_secret_is_not_in_the_database(world):
    issued = tokens.token_create(
        by=world.editor, user=world.editor, organisation=world.own, scope="write", name="sync"
    )
    secret = issued.text.split("_", 2)[2]
    assert len(secret) == 64  # 256 bits
    assert api_client().get(ACTIVITIES, **bearer(issued.text)).status_code == 200
    table = ApiToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        stored = repr(cursor.fetchall())
    assert issued.token.prefix in stored  # the search would find it if it were there
    assert secret not in stored
    assert issued.text not in stored
    entries = repr(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert issued.token.prefix in entries
    assert secret not in entries
    # Not even the digest: the trail keeps secrets only as "set" (audit/protected.py).
    assert issued.token.digest not in entries


def test_use_is_recorded_to_the_hour(world, clock):
    text = world.token("read")
    client = api_client()
    for _ in range(3):
        assert client.get(ACTIVITIES, **bearer(text)).status_code == 200
        clock.advance(minutes=10)
    token = ApiToken.objects.get()
    assert token.last_used_at == clock.now.replace(minute=0, second=0, microsecond=0)
    uses = AuditEntry.objects.filter(action="sign_in", object_id=str(token.pk))
    assert uses.count() == 1
    clock.advance(hours=1)
    client.get(ACTIVITIES, **bearer(text))
    assert uses.count() == 2
    assert uses.first().changes["method"] == "api_token"


def test_a_token_opens_neither_pages_nor_the_admin(world):
    admin = UserFactory(global_role=GlobalRole.ADMIN, is_superuser=True, is_staff=True)
    MembershipFactory(user=admin, organisation=world.own, role=OrgRole.EDITOR)
    text = world.token("write", user=admin)
    client = api_client()
    for path in ("/", "/activities/", "/admin/", "/admin/accounts/apitoken/", "/accounts/tokens/"):
        answer = client.get(path, **bearer(text))
        assert answer.status_code == 302, path
        assert answer["Location"].startswith(("/accounts/login/", "/admin/login/")), path


def test_a_session_still_works_and_still_needs_csrf(world):
    browser = signed_in_client(world.editor, enforce_csrf_checks=True)
    assert browser.get(ACTIVITIES).status_code == 200
    posted = browser.post(ACTIVITIES, new_activity(world.own), content_type="application/json")
    assert posted.status_code == 403
    # A bad token sent with a good session is refused: the header, when sent, decides.
    assert browser.get(ACTIVITIES, **bearer("crd_nothing")).status_code == 401


# --- The page under /accounts/ --------------------------------------------------------------


def test_the_page_makes_shows_once_and_revokes(world):
    browser = signed_in_client(world.editor)
    page = browser.get("/accounts/tokens/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    made = browser.post(
        "/accounts/tokens/",
        {"name": "nightly sheet", "organisation": str(world.own.pk), "scope": "write", "days": 7},
    )
    assert made.status_code == 200
    token = ApiToken.objects.get(user=world.editor)
    text = made.context["issued"].text
    assert text in made.content.decode()
    assert "no-store" in made["Cache-Control"]
    again = browser.get("/accounts/tokens/").content.decode()
    assert text not in again
    assert f"crd_{token.prefix}_" in again
    assert api_client().get(ACTIVITIES, **bearer(text)).status_code == 200

    revoked = browser.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert api_client().get(ACTIVITIES, **bearer(text)).status_code == 401


def test_the_page_refuses_what_the_user_may_not_do(world):
    browser = signed_in_client(world.viewer)
    page = browser.get("/accounts/tokens/").content.decode()
    assert str(world.own.pk) in page
    assert str(world.other.pk) not in page  # not theirs: not offered
    refused = browser.post(
        "/accounts/tokens/",
        {"name": "x", "organisation": str(world.own.pk), "scope": "write", "days": 7},
    )
    assert refused.status_code == 200
    assert "You may not make a token with that access there." in refused.content.decode()
    denial = AuditEntry.objects.get(action="denied", object_type="accounts.apitoken")
    assert denial.actor_id == str(world.viewer.pk)
    not_theirs = browser.post(
        "/accounts/tokens/",
        {"name": "x", "organisation": str(world.other.pk), "scope": "read", "days": 7},
    )
    assert not_theirs.status_code == 200
    assert not ApiToken.objects.exists()

    # Someone else's token cannot be revoked from here.
    text = world.token("read")
    theirs = ApiToken.objects.get()
    assert browser.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api_client().get(ACTIVITIES, **bearer(text)).status_code == 200


def test_the_page_needs_the_second_factor_and_csrf(world):
    half = Client()
    half.force_login(world.editor, backend=settings.AUTHENTICATION_BACKENDS[0])
    session = half.session
    now = int(timezone.now().timestamp())
    session[SESSION_SIGNED_IN_AT] = now
    session[SESSION_LAST_SEEN] = now
    session.save()
    half.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    # Password passed, code not yet: /accounts/ pages see them, but not this one.
    assert half.get("/accounts/tokens/").status_code == 302
    made = half.post(
        "/accounts/tokens/",
        {"name": "x", "organisation": str(world.own.pk), "scope": "read", "days": 7},
    )
    assert made.status_code == 302
    assert not ApiToken.objects.exists()

    strict = signed_in_client(world.editor, enforce_csrf_checks=True)
    forged = strict.post(
        "/accounts/tokens/",
        {"name": "x", "organisation": str(world.own.pk), "scope": "read", "days": 7},
    )
    assert forged.status_code == 403
    assert not ApiToken.objects.exists()


# --- The admin ------------------------------------------------------------------------------


def test_admins_list_and_revoke_every_token(world):
    text = world.token("write")
    token = ApiToken.objects.get()
    admin = UserFactory(global_role=GlobalRole.ADMIN, is_superuser=True, is_staff=True)
    browser = signed_in_client(admin)
    listing = browser.get("/admin/accounts/apitoken/").content.decode()
    assert token.prefix in listing
    assert token.digest not in listing
    assert text.split("_", 2)[2] not in listing
    detail = browser.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert detail.status_code == 200
    assert token.prefix in detail.content.decode()
    assert token.digest not in detail.content.decode()
    answer = browser.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [str(token.pk)]},
        follow=True,
    )
    assert "1 API token(s) revoked." in answer.content.decode()
    assert api_client().get(ACTIVITIES, **bearer(text)).status_code == 401
    entry = AuditEntry.objects.get(action="permission_change", object_id=str(token.pk))
    assert entry.actor_id == str(admin.pk)


def test_a_scheduled_job_uploads_and_exports_with_tokens(world):
    invalidate_resolver()
    rows = (
        "#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
        f"health,service,{TOWNSHIP},2024-03,9\r\n"
    )

    def upload(text: str, org: str):
        return api_client().post(
            "/api/exchange/imports",
            {"file": SimpleUploadedFile("4w.csv", rows.encode(), "text/csv"), "org": org},
            **bearer(text),
        )

    write, read = world.token("write"), world.token("read")
    assert upload(read, "Own organisation").status_code == 403
    done = upload(write, "Own organisation")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "applied"
    assert Activity.objects.filter(organisation=world.own).count() == 2
    # The owner edits the other organisation too; this token is not for it.
    refused = upload(write, "Other organisation")
    assert refused.status_code == 403
    assert Activity.objects.filter(organisation=world.other).count() == 1
    invalidate_resolver()

    export = api_client().get("/api/exchange/exports/hxl/activities.csv", **bearer(read))
    assert export.status_code == 200
    content = b"".join(export.streaming_content) if export.streaming else export.content
    assert b"#sector" in content
