"""The gate for a joint statement's endorser list: nobody anonymous can be picked out."""

from __future__ import annotations

import pytest

from corridor.disclosure import DisclosureError, Endorser, public_endorsers
from corridor.disclosure.endorsers import endorsers_of_snapshot

ORG = "organisation"
PERSON = "individual"


def _list(*rows: tuple[str, str | None, str]) -> list[Endorser]:
    return [Endorser(*row) for row in rows]


def test_groups_in_the_statements_order_names_sorted_anonymous_only_counted():
    shown = public_endorsers(
        _list(
            ("International", "Zeta Aid", ORG), ("Japan", "beta Relief", ORG),
            ("Japan", "Alpha Care", ORG), ("Norway", None, ORG), ("Japan", None, ORG),
            ("Burma", "Ko Ko", PERSON),
        ),
        order=["Japan", "Norway", "International"],
    )  # fmt: skip
    assert shown.groups == (
        ("Japan", ("Alpha Care", "beta Relief")),
        ("International", ("Zeta Aid",)),
        ("Burma", ("Ko Ko",)),  # not in the order: after, alphabetically
    )
    assert shown.anonymous == (("organisation", 2),)


@pytest.mark.parametrize("kind", [ORG, PERSON])
def test_one_anonymous_endorser_of_a_kind_is_refused(kind):
    with pytest.raises(DisclosureError, match=f"only one {kind} has asked for anonymity"):
        public_endorsers(_list(("Japan", "Alpha Care", ORG), ("Japan", None, kind)))


def test_a_named_endorser_turning_anonymous_between_versions_is_refused():
    before = public_endorsers(
        _list(("Japan", "Alpha Care", ORG), ("Japan", None, ORG), ("Norway", None, ORG))
    ).snapshot()
    with pytest.raises(DisclosureError, match="went up by 1 while 1 named"):
        public_endorsers(
            _list(("Japan", None, ORG), ("Norway", None, ORG), ("Japan", None, ORG)),
            previous=before,
        )
    three = public_endorsers(
        _list(("Japan", "Alpha Care", ORG), *[("Japan", None, ORG)] * 3)
    ).snapshot()
    with pytest.raises(DisclosureError, match="went down by 1 while 1 named"):
        public_endorsers(
            _list(("Japan", "Alpha Care", ORG), ("Japan", "New", ORG), *[("Japan", None, ORG)] * 2),
            previous=three,
        )


def test_changes_that_point_at_nobody_pass():
    before = public_endorsers(
        _list(("Japan", "Alpha Care", ORG), *[("Japan", None, ORG)] * 3)
    ).snapshot()
    # An anonymous endorser withdrew, nothing else changed; a named one joined, anonymous same.
    fewer = public_endorsers(_list(("Japan", "Alpha Care", ORG), *[("Japan", None, ORG)] * 2),
                             previous=before)  # fmt: skip
    assert fewer.anonymous == (("organisation", 2),)
    more = public_endorsers(
        _list(("Japan", "Alpha Care", ORG), ("Japan", "Beta", ORG), *[("Japan", None, ORG)] * 3),
        previous=before,
    )
    assert more.groups == (("Japan", ("Alpha Care", "Beta")),)


def test_a_snapshot_gives_back_the_same_list():
    shown = public_endorsers(
        _list(("Japan", "Alpha Care", ORG), ("Norway", "Ola", PERSON), *[("Japan", None, ORG)] * 2),
        order=["Norway", "Japan"],
    )
    frozen = shown.snapshot()
    again = public_endorsers(endorsers_of_snapshot(frozen), order=[g for g, _ in frozen["groups"]])
    assert again == shown
    assert "None" not in str(frozen)
