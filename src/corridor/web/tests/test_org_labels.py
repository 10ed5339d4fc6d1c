"""One naming rule for organisations (orgs.models.public_label, decision 0110): the disclosure
gate, the names a person is shown, the township page and the activity list all follow it."""

import pytest
from django.urls import reverse

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.disclosure.records import public_org_label
from corridor.orgs.models import ANONYMOUS_LABEL, Visibility, public_label
from corridor.orgs.queries import OrganisationNames
from corridor.testing import factories as f
from corridor.testing.signin import sign_in
from corridor.web.queries.places import township_summary


@pytest.fixture
def three(gazetteer):
    orgs = [
        f.OrganisationFactory(name="Open Hands", visibility=Visibility.PUBLIC),
        f.OrganisationFactory(
            name="Quiet Hands", alias="Partner Q", visibility=Visibility.PSEUDONYMOUS
        ),
        f.anonymous_organisation("Hidden Hands"),
    ]
    for org in orgs:
        f.ActivityFactory(admin_unit=gazetteer, organisation=org)
    return orgs


def test_the_gate_and_the_model_give_the_one_rule(three):
    anonymous = three[2]
    for org in three:
        expected = public_label(org.visibility, org.name, org.alias)
        assert public_org_label(org) == org.public_label == expected
    assert [public_org_label(o) for o in three] == ["Open Hands", "Partner Q", None]
    assert anonymous.name.startswith(ANONYMOUS_LABEL)


def test_who_may_not_see_is_shown_the_public_label(three):
    outsider = f.UserFactory()
    names = OrganisationNames(outsider)
    assert [names.label(o) for o in three] == ["Open Hands", "Partner Q", ANONYMOUS_LABEL]


def test_the_township_page_names_partners_by_the_rule(three, gazetteer, coordinator):
    summary = township_summary(coordinator, gazetteer, None)
    shown = {p.organisation_id: p.label for p in summary.present}
    assert shown == {three[0].pk: "Open Hands", three[1].pk: "Partner Q"}
    # A member of the anonymous organisation sees it present under its neutral name.
    member = f.UserFactory()
    f.MembershipFactory(user=member, organisation=three[2], role=OrgRole.VIEWER)
    summary = township_summary(member, gazetteer, None)
    shown = {p.organisation_id: p.label for p in summary.present}
    assert shown[three[2].pk] == three[2].name
    assert shown == {o.pk: o.public_label or o.name for o in three if o.pk in shown}


def test_the_activity_list_names_organisations_by_the_rule(three, client):
    anonymous = three[2]
    sign_in(client, f.UserFactory(global_role=GlobalRole.ADMIN))  # sees every row
    page = client.get(reverse("web:activities")).content.decode()
    assert "Open Hands" in page
    assert "Partner Q" in page
    assert "Quiet Hands" not in page
    assert anonymous.name not in page
    assert "(not named)" in page
