"""The statement pages over HTTP: who sees endorsers' names, what a refusal says, what is public."""

from __future__ import annotations

import pytest

from corridor.accounts.models import OrgRole
from corridor.statements import services
from corridor.testing.factories import MembershipFactory
from corridor.testing.signin import signed_in_client
from corridor.testing.statements import endorsed_statement

pytestmark = pytest.mark.django_db


def test_owners_see_every_name_members_and_others_none():
    world = endorsed_statement()
    url = f"/statements/{world.statement.pk}/"
    owner_page = signed_in_client(world.owner_user).get(url).content.decode()
    for name in world.anonymous_names:
        assert name in owner_page
    viewer = MembershipFactory(organisation=world.owner_org, role=OrgRole.VIEWER).user
    stranger = MembershipFactory(role=OrgRole.EDITOR).user
    for user in (viewer, stranger):
        answer = signed_in_client(user).get(url)
        assert answer.status_code == 200  # a published statement: network reading
        assert "Joint statement on the fifth anniversary" in answer.content.decode()
        for name in world.anonymous_names:
            assert name not in answer.content.decode()
        # And they cannot act on it.
        refused = signed_in_client(user).post(url, {"what": "correct", "note": "x"})
        assert refused.status_code == 403


def test_a_refused_publication_says_why_and_a_draft_has_no_public_page(client):
    world = endorsed_statement(publish=False)
    quiet = next(e for e in world.statement.endorsements.all() if e.listed_as == "anonymous")
    services.endorsement_withdraw(by=world.owner_user, endorsement=quiet)
    owner = signed_in_client(world.owner_user)
    url = f"/statements/{world.statement.pk}/"
    owner.post(url, {"what": "submit"})
    answer = owner.post(url, {"what": "publish"}, follow=True)
    assert "only one organisation has asked for anonymity" in answer.content.decode()
    assert client.get(f"/s/{world.statement.pk}/").status_code == 404
    assert client.get(f"/s/{world.statement.pk}/statement.md").status_code == 404


def test_the_public_page_and_exports_answer_without_signing_in(client):
    world = endorsed_statement()
    page = client.get(f"/s/{world.statement.pk}/")
    assert page.status_code == 200
    assert "2 organisations have requested anonymity." in page.content.decode()
    html = client.get(f"/s/{world.statement.pk}/statement.html")
    assert html["Content-Disposition"] == 'attachment; filename="statement.html"'
    text = client.get(f"/s/{world.statement.pk}/statement.txt")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    for answer in (page, html, text):
        for name in world.anonymous_names:
            assert name not in answer.content.decode()
