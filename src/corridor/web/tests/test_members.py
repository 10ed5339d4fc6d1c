"""An organisation's people (/organisations/<id>/members/ and /join/<secret>/): organisation
admins invite, change roles and remove members; an invitation link works once (decision 0190)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corridor.accounts.models import GlobalRole, Membership, OrgRole, User
from corridor.audit.models import AuditEntry
from corridor.orgs.models import Invitation
from corridor.testing import factories as f
from corridor.testing.signin import sign_in, signed_in_client

PASSWORD = "a long enough passphrase for tests 7"


@pytest.fixture
def org_world(db):
    org = f.OrganisationFactory(name="Helping Hands")
    admin = f.UserFactory(username="hh-admin")
    f.MembershipFactory(user=admin, organisation=org, role=OrgRole.ORG_ADMIN)
    editor = f.UserFactory(username="hh-editor")
    f.MembershipFactory(user=editor, organisation=org, role=OrgRole.EDITOR)
    return {"org": org, "admin": admin, "editor": editor}


def _members_url(org) -> str:
    return reverse("web:members", args=[org.pk])


def _invite(client, org, role=OrgRole.VIEWER) -> str:
    response = client.post(_members_url(org), {"do": "invite", "role": role}, follow=True)
    assert response.redirect_chain == [(_members_url(org), 302)]
    found = re.search(r'value="(http[^"]+/join/[^"]+/)"', response.content.decode())
    assert found, "the page shows the new invitation link"
    return found.group(1)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_an_org_admin_invites_and_the_new_person_joins(org_world, client):
    sign_in(client, org_world["admin"])
    link = _invite(client, org_world["org"], OrgRole.EDITOR)
    stranger = Client()
    page = stranger.get(_path(link))
    assert page.status_code == 200
    assert "Helping Hands" in page.content.decode()
    answer = stranger.post(
        _path(link), {"username": "new-field-worker", "password": PASSWORD, "again": PASSWORD}
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("accounts:login")
    user = User.objects.get(username="new-field-worker")
    assert Membership.objects.get(user=user).role == OrgRole.EDITOR
    assert user.check_password(PASSWORD)
    # The link worked once.
    again = Client().get(_path(link))
    assert again.status_code == 404
    assert "does not work" in again.content.decode()
    # The new member shows on the page.
    assert "new-field-worker" in client.get(_members_url(org_world["org"])).content.decode()
    # The trail says who joined by whose invitation, and never holds the secret.
    secret = _path(link).rstrip("/").rsplit("/", 1)[1]
    entries = AuditEntry.objects.filter(action="permission_change", object_id=str(user.pk))
    assert entries.count() == 1
    assert not AuditEntry.objects.filter(changes__icontains=secret).exists()


def test_a_signed_in_person_joins_with_their_account(org_world, client):
    sign_in(client, org_world["admin"])
    link = _invite(client, org_world["org"])
    other = f.UserFactory(username="already-here")
    theirs = signed_in_client(other)
    page = theirs.get(_path(link))
    assert "Join as already-here" in page.content.decode()
    assert theirs.post(_path(link)).status_code == 302
    assert Membership.objects.get(user=other, organisation=org_world["org"]).role == OrgRole.VIEWER


def test_a_second_join_by_a_member_is_refused_and_the_link_stays_open(org_world, client):
    sign_in(client, org_world["admin"])
    link = _invite(client, org_world["org"])
    theirs = signed_in_client(org_world["editor"])
    answer = theirs.post(_path(link), follow=True)
    assert "already a member" in answer.content.decode()
    assert Invitation.objects.get().used_at is None
    assert Membership.objects.get(user=org_world["editor"]).role == OrgRole.EDITOR


def test_a_weak_password_or_a_typo_keeps_the_link_open(org_world, client):
    sign_in(client, org_world["admin"])
    path = _path(_invite(client, org_world["org"]))
    stranger = Client()
    typo = stranger.post(path, {"username": "x1", "password": PASSWORD, "again": PASSWORD + "!"})
    assert "The two passwords differ" in typo.content.decode()
    weak = stranger.post(path, {"username": "x1", "password": "123", "again": "123"})
    assert "password refused" in weak.content.decode()
    assert not User.objects.filter(username="x1").exists()
    assert Invitation.objects.get().used_at is None


def test_the_link_is_shown_once(org_world, client):
    sign_in(client, org_world["admin"])
    link = _invite(client, org_world["org"])
    assert link not in client.get(_members_url(org_world["org"])).content.decode()
    assert Invitation.objects.count() == 1


def test_expired_and_revoked_links_do_not_work(org_world, client):
    sign_in(client, org_world["admin"])
    expired = _path(_invite(client, org_world["org"]))
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert Client().get(expired).status_code == 404
    revoked = _path(_invite(client, org_world["org"]))
    invitation = Invitation.objects.get(expires_at__gt=timezone.now())
    page = client.get(_members_url(org_world["org"])).content.decode()
    assert "Invitations not used yet" in page
    client.post(_members_url(org_world["org"]), {"do": "revoke", "invitation": invitation.pk})
    assert Client().get(revoked).status_code == 404
    assert Client().get("/join/not-a-real-secret/").status_code == 404


def test_an_anonymous_organisation_is_not_named_to_the_link_holder(db, client):
    org = f.anonymous_organisation("Secret Border Relief", acronym="SBR")
    admin = f.UserFactory()
    f.MembershipFactory(user=admin, organisation=org, role=OrgRole.ORG_ADMIN)
    sign_in(client, admin)
    html = Client().get(_path(_invite(client, org))).content.decode()
    assert "Secret Border Relief" not in html
    assert "SBR" not in html
    assert "Anonymous organisation" not in html  # not even its neutral label
    assert "an organisation on Corridor" in html


def test_an_org_admin_changes_a_role_and_removes_a_member(org_world, client):
    sign_in(client, org_world["admin"])
    editor = Membership.objects.get(user=org_world["editor"])
    url = _members_url(org_world["org"])
    client.post(url, {"do": "role", "membership": editor.pk, "role": OrgRole.VIEWER})
    editor.refresh_from_db()
    assert editor.role == OrgRole.VIEWER
    client.post(url, {"do": "remove", "membership": editor.pk})
    assert not Membership.objects.filter(pk=editor.pk).exists()
    assert User.objects.filter(pk=org_world["editor"].pk).exists()  # the account stays
    changes = AuditEntry.objects.filter(
        action="permission_change", object_id=str(org_world["editor"].pk)
    )
    assert changes.count() == 2


def test_a_missing_or_malformed_id_is_answered_as_a_record_that_is_gone(org_world, client):
    """A form posted back with an id that is not one (an old page, a script) gets the page's
    message, not a server error, and changes nothing."""
    sign_in(client, org_world["admin"])
    url = _members_url(org_world["org"])
    for posted in ({}, {"membership": ""}, {"membership": "not-an-id"}):
        answer = client.post(url, {"do": "remove", **posted}, follow=True)
        assert answer.status_code == 200
        assert "That person is no longer a member." in answer.content.decode()
    for posted in ({}, {"invitation": "1234"}):
        answer = client.post(url, {"do": "revoke", **posted}, follow=True)
        assert answer.status_code == 200
        assert "That invitation no longer works." in answer.content.decode()
    assert Membership.objects.filter(organisation=org_world["org"]).count() == 2


def test_the_last_org_admin_cannot_leave_the_organisation_without_one(org_world, client):
    sign_in(client, org_world["admin"])
    own = Membership.objects.get(user=org_world["admin"])
    url = _members_url(org_world["org"])
    answer = client.post(url, {"do": "role", "membership": own.pk, "role": "viewer"}, follow=True)
    assert "last organisation admin" in answer.content.decode()
    answer = client.post(url, {"do": "remove", "membership": own.pk}, follow=True)
    assert "last organisation admin" in answer.content.decode()
    own.refresh_from_db()
    assert own.role == OrgRole.ORG_ADMIN
    # With a second organisation admin, stepping down is fine.
    editor = Membership.objects.get(user=org_world["editor"])
    client.post(url, {"do": "role", "membership": editor.pk, "role": OrgRole.ORG_ADMIN})
    client.post(url, {"do": "role", "membership": own.pk, "role": OrgRole.EDITOR})
    own.refresh_from_db()
    assert own.role == OrgRole.EDITOR


def test_who_may_open_the_members_page(org_world, client):
    url = _members_url(org_world["org"])
    # An editor of the organisation sees it exists but may not manage its people.
    assert signed_in_client(org_world["editor"]).get(url).status_code == 403
    assert signed_in_client(org_world["editor"]).post(url, {"do": "invite"}).status_code == 403
    coordinator = f.UserFactory(global_role=GlobalRole.COORDINATOR)
    assert signed_in_client(coordinator).get(url).status_code == 403
    network_admin = f.UserFactory(global_role=GlobalRole.ADMIN)
    assert signed_in_client(network_admin).get(url).status_code == 200
    # The admin of another organisation cannot touch this one's memberships by id either.
    other = f.OrganisationFactory(name="Other Group")
    other_admin = f.UserFactory()
    f.MembershipFactory(user=other_admin, organisation=other, role=OrgRole.ORG_ADMIN)
    theirs = signed_in_client(other_admin)
    editor = Membership.objects.get(user=org_world["editor"])
    theirs.post(_members_url(other), {"do": "remove", "membership": editor.pk})
    assert Membership.objects.filter(pk=editor.pk).exists()
    assert Client().get(url).status_code == 302  # sign in first


def test_an_anonymous_organisation_s_members_page_is_not_found_for_outsiders(db):
    org = f.anonymous_organisation("Hidden Aid")
    outsider_admin = f.UserFactory()
    f.MembershipFactory(
        user=outsider_admin, organisation=f.OrganisationFactory(), role=OrgRole.ORG_ADMIN
    )
    assert signed_in_client(outsider_admin).get(_members_url(org)).status_code == 404


def test_the_organisation_page_links_to_members_only_for_its_admins(org_world):
    page = reverse("web:organisation", args=[org_world["org"].pk])
    link = _members_url(org_world["org"])
    assert link in signed_in_client(org_world["admin"]).get(page).content.decode()
    assert link not in signed_in_client(org_world["editor"]).get(page).content.decode()
