"""The ledger's scoped reads hold exactly the rows the access policy lets each person view."""

from __future__ import annotations

import pytest

from corridor.accounts import policy
from corridor.accounts.models import GlobalRole, OrgRole
from corridor.funds.models import ExchangeRate, Grant, Spending, Transfer
from corridor.funds.queries import (
    grants_visible_to,
    rates_visible_to,
    spending_visible_to,
    transfers_visible_to,
)
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.ledger import walk

QUERIES = [
    (Grant, grants_visible_to),
    (Transfer, transfers_visible_to),
    (Spending, spending_visible_to),
    (ExchangeRate, rates_visible_to),
]


@pytest.mark.parametrize(("model", "query"), QUERIES)
def test_scoped_reads_agree_with_the_policy(db, model, query):
    w = walk()
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role=OrgRole.VIEWER)
    people = [
        *w.editors.values(),
        outsider,
        UserFactory(global_role=GlobalRole.COORDINATOR),
        UserFactory(global_role=GlobalRole.ADMIN),
        UserFactory(),  # a member of nothing
    ]
    for person in people:
        allowed = {row.pk for row in model.objects.all() if policy.can(person, policy.VIEW, row)}
        assert set(query(person).values_list("pk", flat=True)) == allowed, person
    # The intermediary at the border sees the grant it passed on; the outsider sees none.
    assert w.grant in grants_visible_to(w.editors["second"])
    assert not grants_visible_to(outsider).exists()
