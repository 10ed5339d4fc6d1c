"""The organisations API over HTTP: the directory as the caller may see it; org-admin update."""

from __future__ import annotations

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.orgs.models import Visibility
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.signin import signed_in_client

URL = "/api/orgs/organisations/"


def _client(organisation=None, role=OrgRole.VIEWER, **user_fields):
    user = UserFactory(password=None, **user_fields)
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return signed_in_client(user)


@pytest.fixture
def setup(db):
    own = OrganisationFactory(name="Own")
    named = OrganisationFactory(name="Named")
    masked = OrganisationFactory(name="Masked", visibility=Visibility.PSEUDONYMOUS, alias="Group M")
    hidden = OrganisationFactory(name="Hidden", visibility=Visibility.ANONYMOUS)
    return {
        "own": own,
        "named": named,
        "masked": masked,
        "hidden": hidden,
        "viewer": _client(own),
        "org_admin": _client(own, OrgRole.ORG_ADMIN),
        "coordinator": _client(global_role=GlobalRole.COORDINATOR),
        "admin": _client(global_role=GlobalRole.ADMIN),
    }


def _ids(setup, client):
    return {item["id"] for item in setup[client].get(URL).json()["items"]}


def test_directory_by_role(setup):
    pk = {k: str(setup[k].pk) for k in ("own", "named", "masked", "hidden")}
    assert _ids(setup, "viewer") == {pk["own"], pk["named"]}
    assert _ids(setup, "coordinator") == {pk["own"], pk["named"], pk["masked"]}
    assert _ids(setup, "admin") == set(pk.values())
    assert setup["viewer"].get(f"{URL}{pk['hidden']}/").status_code == 404


def test_only_the_org_admin_updates_the_profile(setup):
    url = f"{URL}{setup['own'].pk}/"
    change = {"acronym": "OWN", "id": str(setup["named"].pk), "created_by": None}
    assert setup["viewer"].patch(url, change, content_type="application/json").status_code == 403
    answer = setup["org_admin"].patch(url, change, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["acronym"] == "OWN"
    assert answer.json()["id"] == str(setup["own"].pk)
    other = f"{URL}{setup['named'].pk}/"
    assert (
        setup["org_admin"].patch(other, change, content_type="application/json").status_code == 403
    )
    assert (
        setup["org_admin"].post(URL, {"name": "New"}, content_type="application/json").status_code
        == 405
    )


def test_pseudonym_needs_an_alias(setup):
    url = f"{URL}{setup['own'].pk}/"
    answer = setup["org_admin"].patch(
        url, {"visibility": "pseudonymous"}, content_type="application/json"
    )
    assert answer.status_code == 400
