"""The organisation directory (/organisations/): each organisation named the way the viewer may
see it (OrganisationNames, decision 0110); anonymous ones they may not see only counted."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.orgs.models import Visibility
from corridor.testing import factories as f
from corridor.testing.signin import sign_in

URL = reverse("web:organisations")


@pytest.fixture
def world(db):
    own = f.anonymous_organisation("Own Secret Relief", acronym="OSR")
    public = f.OrganisationFactory(name="Open Hands", acronym="OH", visibility=Visibility.PUBLIC)
    pseudo = f.OrganisationFactory(
        name="Quiet Hands Trust", alias="Partner Q", visibility=Visibility.PSEUDONYMOUS
    )
    hidden = [f.anonymous_organisation(f"Hidden Group {n}") for n in range(3)]
    editor = f.UserFactory()
    f.MembershipFactory(user=editor, organisation=own, role=OrgRole.EDITOR)
    f.MembershipFactory(user=f.UserFactory(), organisation=public, role=OrgRole.VIEWER)
    return {"own": own, "public": public, "pseudo": pseudo, "hidden": hidden, "editor": editor}


def _page(client, user) -> str:
    sign_in(client, user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


@override_settings(DISCLOSURE_K=3)
def test_an_editor_sees_names_aliases_and_a_count(world, client):
    html = _page(client, world["editor"])
    public, pseudo, own = world["public"], world["pseudo"], world["own"]
    assert "Open Hands" in html
    assert ">OH<" in html
    assert reverse("web:organisation", args=[public.pk]) in html  # public: they may open it
    assert "Partner Q" in html
    assert "Quiet Hands" not in html  # a pseudonymous organisation's real name, nowhere
    assert reverse("web:organisation", args=[pseudo.pk]) not in html
    # Their own anonymous organisation is listed by its name (the neutral label: its real
    # name stays encrypted) and linked; the three others are only counted.
    assert own.name in html
    assert reverse("web:organisation", args=[own.pk]) in html
    assert "3 organisations not named." in html
    for org in world["hidden"]:
        assert org.name not in html
        assert str(org.pk) not in html
    assert "Hidden Group" not in html
    assert "Own Secret" not in html


@override_settings(DISCLOSURE_K=3)
def test_a_count_below_k_is_not_shown(world, client):
    world["hidden"][0].delete()
    html = _page(client, world["editor"])
    assert "not named" not in html
    assert "Partner Q" in html
    assert "Open Hands" in html


@override_settings(DISCLOSURE_K=3)
def test_a_coordinator_sees_a_pseudonymous_organisation_by_name(world, client):
    html = _page(client, f.UserFactory(global_role=GlobalRole.COORDINATOR))
    pseudo = world["pseudo"]
    assert "Quiet Hands Trust" in html
    assert reverse("web:organisation", args=[pseudo.pk]) in html
    # Anonymous ones (the editor's too) stay a count for a coordinator.
    assert "4 organisations not named." in html
    assert reverse("web:organisation", args=[world["own"].pk]) not in html


def test_the_directory_is_in_the_menu(world, client):
    html = _page(client, world["editor"])
    assert f'href="{URL}"' in html


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@override_settings(DISCLOSURE_K=3)
def test_the_directory_reads_in_burmese(world, client):
    sign_in(client, world["editor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "my"
    html = client.get(URL).content.decode()
    assert "အဖွဲ့အစည်းများ" in html  # Organisations
    assert "အမည်မဖော်ပြသော အဖွဲ့အစည်း 3 ခု။" in html  # 3 organisations not named.
    assert "Partner Q" in html


@override_settings(DISCLOSURE_K=3)
def test_without_a_membership_public_names_are_listed_but_not_opened(world, client):
    html = _page(client, f.UserFactory())
    assert "Open Hands" in html
    assert reverse("web:organisation", args=[world["public"].pk]) not in html
    assert "Partner Q" in html
    assert "4 organisations not named." in html
