"""A small joint statement walked from draft to publication, for the statements tests, the
canary and the CLI tests: named, display-name and anonymous endorsers in three groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from corridor.accounts.models import OrgRole
from corridor.situation.services import source_record
from corridor.statements import services
from corridor.statements.models import EndorserKind, ListedAs, Statement
from corridor.testing.factories import MembershipFactory, OrganisationFactory

BODY = (
    "We, the undersigned, call for a **humanitarian corridor**.[^1]\n\n"
    "## Our demands\n\n"
    "1. Direct funding to local groups.[^2]\n"
    "2. An end to airstrikes on civilians."
)
PUBLISHED_ON = dt.date(2026, 2, 1)


@dataclass
class Endorsed:
    statement: Statement
    owner_user: Any
    owner_org: Any
    anonymous_names: tuple[str, ...]


# (secret's kind, name, listed as, display name, group)
ENDORSERS = [
    (EndorserKind.ORGANISATION, "Sakura Relief Japan", ListedAs.NAME, "", "Japan"),
    (EndorserKind.ORGANISATION, "Fjord Solidarity", ListedAs.NAME, "", "Norway"),
    (EndorserKind.ORGANISATION, "Border Clinic Network", ListedAs.DISPLAY_NAME,
     "A health network on the border", "International"),
    (EndorserKind.INDIVIDUAL, "Aiko Tanaka", ListedAs.NAME, "", "Japan"),
    (EndorserKind.ORGANISATION, "Hidden Hands Anonz4k8", ListedAs.ANONYMOUS, "", "Japan"),
    (EndorserKind.ORGANISATION, "Quiet Rivers Anonx2m9", ListedAs.ANONYMOUS, "", "Norway"),
]  # fmt: skip


def endorsed_statement(*, publish: bool = True) -> Endorsed:
    org = OrganisationFactory(name="Statement Owner Network")
    user = MembershipFactory(organisation=org, role=OrgRole.EDITOR).user
    ocha = source_record(
        by=user, title="Myanmar humanitarian update", publisher="OCHA",
        published_on=dt.date(2026, 1, 10), url="https://example.org/ocha-update",
    )  # fmt: skip
    aapp = source_record(by=user, title="Daily briefing", publisher="AAPP")
    statement = services.statement_create_draft(
        by=user,
        title="Joint statement on the fifth anniversary",
        body=BODY,
        footnotes=[(ocha, "p. 3"), aapp],
        group_order="Japan, Norway, International",
    )
    for kind, name, listed_as, display, group in ENDORSERS:
        _invitation, secret = services.invitation_create(
            by=user, statement=statement, invitee=name, kind=kind, group=group
        )
        services.endorsement_accept(
            secret=secret, name=name, listed_as=listed_as, display_name=display, group=group
        )
    if publish:
        services.statement_submit(by=user, statement=statement)
        services.statement_publish(by=user, statement=statement, published_on=PUBLISHED_ON)
    statement.refresh_from_db()
    anonymous = tuple(e[1] for e in ENDORSERS if e[2] == ListedAs.ANONYMOUS)
    return Endorsed(statement, user, org, anonymous)
