"""Aliases and the review queue: a person's decision teaches the resolver."""

import pytest

from corridor.accounts.models import GlobalRole
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.geo.models import PlaceAlias, ReviewStatus
from corridor.geo.resolver import get_resolver
from corridor.geo.services import (
    place_alias_add,
    place_review_add,
    place_review_reject,
    place_review_resolve,
)
from corridor.testing.factories import UserFactory


def test_review_decision_becomes_an_alias(units):
    first = get_resolver().resolve("Hlaingthaya", level=3)
    assert first.status == "ambiguous"
    review = place_review_add(
        by=None, query="Hlaingthaya", context="report.csv row 4", level=3, resolution=first
    )
    assert {c["pcode"] for c in review.candidates} >= {"MMR013046", "MMR013047"}
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    place_review_resolve(by=coordinator, review_id=review.id, pcode="mmr013046")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RESOLVED
    assert review.chosen_id == "MMR013046"
    assert review.decided_by == coordinator
    after = get_resolver().resolve("Hlaingthaya", level=3)
    assert (after.status, after.pcode, after.method) == ("matched", "MMR013046", "alias")
    alias = PlaceAlias.objects.get(alias="Hlaingthaya")
    assert alias.kind == "review"
    assert "report.csv row 4" in alias.source
    actions = set(AuditEntry.objects.values_list("object_type", "action"))
    assert ("geo.placealias", "create") in actions
    assert ("geo.placereview", "update") in actions


def test_same_open_name_is_queued_once(units):
    one = place_review_add(by=None, query="Qwzxv", context="a")
    two = place_review_add(by=None, query=" Qwzxv ", context="b")
    assert one.pk == two.pk


def test_decided_review_cannot_be_decided_again(units):
    review = place_review_add(by=None, query="Nowhere")
    place_review_reject(by=None, review_id=review.id)
    with pytest.raises(InvalidInput, match="already rejected"):
        place_review_resolve(by=None, review_id=review.id, pcode="MMR005027")
    assert not PlaceAlias.objects.exists()


def test_review_level_must_match_the_chosen_unit(units):
    review = place_review_add(by=None, query="Kalayy", level=3)
    with pytest.raises(InvalidInput, match="level 2"):
        place_review_resolve(by=None, review_id=review.id, pcode="MMR005D005")


def test_only_coordinators_change_aliases(units):
    viewer = UserFactory()
    with pytest.raises(NotAllowed):
        place_alias_add(by=viewer, alias="Kalaymyo Town", pcode="MMR005027")
    review = place_review_add(by=viewer, query="Kalaymyo Town")
    with pytest.raises(NotAllowed):
        place_review_resolve(by=viewer, review_id=review.id, pcode="MMR005027")


def test_alias_add_checks_its_input(units):
    with pytest.raises(InvalidInput, match="unknown p-code"):
        place_alias_add(by=None, alias="Somewhere", pcode="MMR999999")
    with pytest.raises(InvalidInput, match="letter"):
        place_alias_add(by=None, alias=" - ", pcode="MMR005027")
    with pytest.raises(InvalidInput, match="kind"):
        place_alias_add(by=None, alias="Kalei", pcode="MMR005027", kind="guess")
    added = place_alias_add(by=None, alias="Kalei", pcode="MMR005027")
    assert place_alias_add(by=None, alias="Kalei", pcode="MMR005027").pk == added.pk
    assert get_resolver().resolve("kalei").method == "alias"
