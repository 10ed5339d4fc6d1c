"""How a person may refer to organisations and how they are named back (decision 0110)."""

from __future__ import annotations

import uuid

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.core.errors import InvalidInput
from corridor.orgs.models import ANONYMOUS_LABEL, Organisation, Visibility
from corridor.orgs.queries import (
    OrganisationNames,
    organisation_find_visible,
    organisations_visible_to,
)
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    anonymous_organisation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    own = OrganisationFactory(name="Own Network", acronym="OWN")
    named = OrganisationFactory(name="Named Relief", acronym="NR")
    masked = OrganisationFactory(
        name="Masked Real Name",
        acronym="MRN",
        visibility=Visibility.PSEUDONYMOUS,
        alias="Blue Lotus",
    )
    hidden = anonymous_organisation("Hidden Real Name", acronym="HRN")
    editor = MembershipFactory(organisation=own, role=OrgRole.EDITOR).user
    return {
        "own": own,
        "named": named,
        "masked": masked,
        "hidden": hidden,
        "editor": editor,
        "masked member": MembershipFactory(organisation=masked, role=OrgRole.VIEWER).user,
        "hidden member": MembershipFactory(organisation=hidden, role=OrgRole.VIEWER).user,
        "coordinator": UserFactory(global_role=GlobalRole.COORDINATOR),
        "admin": UserFactory(global_role=GlobalRole.ADMIN),
        "operator": None,
    }


def test_an_editor_elsewhere_names_a_pseudonym_by_alias_only_and_an_anonymous_one_not_at_all(
    world,
):
    names = OrganisationNames(world["editor"])
    masked, hidden = world["masked"], world["hidden"]
    assert names.keys(masked) == ("Blue Lotus",)
    assert names.label(masked) == "Blue Lotus"
    assert names.keys(hidden) == ()
    assert names.label(hidden) == ANONYMOUS_LABEL
    assert names.keys(world["named"]) == (str(world["named"].pk), "Named Relief", "NR")


@pytest.mark.parametrize("who", ["masked member", "coordinator", "admin", "operator"])
def test_who_may_see_a_pseudonymous_organisation_names_it_every_way(world, who):
    masked = world["masked"]
    names = OrganisationNames(world[who])
    assert set(names.keys(masked)) == {str(masked.pk), "Masked Real Name", "MRN", "Blue Lotus"}
    assert names.label(masked) == "Masked Real Name"


def test_the_rule_agrees_with_the_directory(world):
    """Every organisation whose id a person may use is one the directory shows them."""
    for who in ("editor", "masked member", "hidden member", "coordinator", "admin"):
        names = OrganisationNames(world[who])
        by_id = {str(o.pk) for o in Organisation.objects.all() if str(o.pk) in names.keys(o)}
        visible = {
            str(pk) for pk in organisations_visible_to(world[who]).values_list("pk", flat=True)
        }
        assert by_id == visible, who


def test_an_anonymous_real_name_is_no_key_for_anyone(world):
    hidden = world["hidden"]
    assert hidden.protected_name.startswith("Hidden Real Name")
    for who in world:
        if who in ("own", "named", "masked", "hidden"):
            continue
        keys = " ".join(OrganisationNames(world[who]).keys(hidden))
        assert "Hidden Real Name" not in keys, who
        assert "HRN" not in keys, who


def _refusal(user, text):
    with pytest.raises(InvalidInput) as refused:
        organisation_find_visible(user, text)
    return str(refused.value)


@pytest.mark.parametrize(
    "text",
    [
        "Masked Real Name",
        "mrn",
        "{masked}",
        "{hidden}",
        "Hidden Real Name",
        "HRN",
        ANONYMOUS_LABEL + " {hidden8}",
    ],
)
def test_hidden_answers_exactly_as_missing(world, text):
    text = text.format(
        masked=world["masked"].pk, hidden=world["hidden"].pk, hidden8=str(world["hidden"].pk)[:8]
    )
    missing = str(uuid.uuid4())
    expected = _refusal(world["editor"], missing).replace(missing, text)
    assert _refusal(world["editor"], text) == expected == f"no organisation {text!r}"


def test_find_by_every_name_one_may_use(world):
    editor, masked, named = world["editor"], world["masked"], world["named"]
    assert organisation_find_visible(editor, " blue lotus ") == masked
    assert organisation_find_visible(editor, "nr") == named
    assert organisation_find_visible(editor, str(named.pk)) == named
    for text in ("Masked Real Name", "MRN", str(masked.pk), "Blue Lotus"):
        assert organisation_find_visible(None, text) == masked
        assert organisation_find_visible(world["masked member"], text) == masked
    hidden = world["hidden"]
    assert organisation_find_visible(world["hidden member"], str(hidden.pk)) == hidden
    assert organisation_find_visible(None, str(hidden.pk)) == hidden


def test_a_name_two_organisations_answer_to_is_ambiguous(world):
    OrganisationFactory(name="Twin", acronym="TW1")
    OrganisationFactory(name="Other", acronym="Twin")
    assert _refusal(world["editor"], "twin") == "'twin' names several organisations"
