"""Statements' workflow, invitations, endorsements and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from corridor.accounts import policy
from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.disclosure import DisclosureError
from corridor.statements import services
from corridor.statements.models import Endorsement, Invitation, Statement, Status
from corridor.statements.publication import public_statement
from corridor.statements.queries import endorsements_for_owners, statements_visible_to
from corridor.testing.factories import MembershipFactory, UserFactory
from corridor.testing.statements import endorsed_statement

pytestmark = pytest.mark.django_db


def _endorse(statement, by, name, listed_as="name", group="Japan", **extra):
    _invitation, secret = services.invitation_create(by=by, statement=statement, invitee=name)
    return services.endorsement_accept(
        secret=secret, name=name, listed_as=listed_as, group=group, **extra
    )


def test_a_published_version_is_frozen_and_a_correction_is_a_new_version_with_its_note():
    world = endorsed_statement()
    statement, by = world.statement, world.owner_user
    assert statement.status == Status.PUBLISHED
    with pytest.raises(InvalidInput, match="version 1 is published and frozen"):
        services.statement_text_set(by=by, statement=statement, language="en", title="X", body="Y")
    version = services.statement_correct(by=by, statement=statement, note="Footnote 2 dated")
    assert (version.number, statement.status) == (2, Status.DRAFT)
    services.statement_text_set(
        by=by, statement=statement, language="my", title="ပူးတွဲထုတ်ပြန်ချက်", body="တောင်းဆိုသည်။[^1]"
    )
    # The public page still shows version 1 until version 2 is published.
    assert public_statement(statement).version == 1
    services.statement_submit(by=by, statement=statement)
    services.statement_publish(by=by, statement=statement, published_on=dt.date(2026, 2, 3))
    document = public_statement(statement, language="my")
    assert (document.version, document.title, document.languages) == (
        2, "ပူးတွဲထုတ်ပြန်ချက်", ("en", "my")
    )  # fmt: skip
    assert [(c.number, c.note) for c in document.corrections] == [(2, "Footnote 2 dated")]
    assert statement.versions.get(number=1).texts.get().title.startswith("Joint statement")


def test_a_footnote_mark_without_its_footnote_is_refused():
    world = endorsed_statement(publish=False)
    with pytest.raises(InvalidInput, match=r"refers to footnote\(s\) 7"):
        services.statement_text_set(
            by=world.owner_user, statement=world.statement, language="en", title="T", body="A.[^7]"
        )


def test_the_workflow_goes_draft_review_published():
    world = endorsed_statement(publish=False)
    with pytest.raises(InvalidInput, match="only a statement in review is published"):
        services.statement_publish(by=world.owner_user, statement=world.statement)
    services.statement_submit(by=world.owner_user, statement=world.statement)
    with pytest.raises(InvalidInput, match="only a draft goes to review"):
        services.statement_submit(by=world.owner_user, statement=world.statement)


def test_an_invitation_works_once_and_not_after_it_expires():
    world = endorsed_statement(publish=False)
    _invitation, secret = services.invitation_create(
        by=world.owner_user, statement=world.statement, invitee="Late Ally"
    )
    services.endorsement_accept(secret=secret, name="Late Ally", listed_as="name", group="Japan")
    with pytest.raises(InvalidInput, match="has already been used"):
        services.endorsement_accept(secret=secret, name="Other", listed_as="name", group="Japan")
    invitation, secret = services.invitation_create(
        by=world.owner_user, statement=world.statement, invitee="Slow Ally"
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(InvalidInput, match="has expired"):
        services.endorsement_accept(secret=secret, name="Slow Ally", listed_as="name", group="J")


def test_the_same_name_endorses_once_however_it_is_written():
    world = endorsed_statement(publish=False)
    with pytest.raises(InvalidInput, match="already endorsed"):
        _endorse(world.statement, world.owner_user, "  fjord   SOLIDARITY ")
    # Once withdrawn, the same name may endorse again (a new decision, recorded anew).
    fjord = next(e for e in world.statement.endorsements.all() if e.name == "Fjord Solidarity")
    services.endorsement_withdraw(by=world.owner_user, endorsement=fjord, reason="asked")
    _endorse(world.statement, world.owner_user, "Fjord Solidarity")
    assert world.statement.endorsements.count() == 7


def test_names_are_stored_encrypted_and_audited_only_as_keyed_hashes():
    world = endorsed_statement()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM statements_endorsement")
        stored = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT invitee FROM statements_invitation")
        stored += " ".join(row[0] for row in cursor.fetchall())
    trail = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    for name in world.anonymous_names:
        assert name not in stored
        assert name not in trail
    assert "c1:" in stored


def test_publishing_is_refused_while_one_anonymous_endorser_would_stand_alone():
    world = endorsed_statement(publish=False)
    quiet = [e for e in world.statement.endorsements.all() if e.listed_as == "anonymous"]
    services.endorsement_withdraw(by=world.owner_user, endorsement=quiet[0])
    services.statement_submit(by=world.owner_user, statement=world.statement)
    with pytest.raises(DisclosureError, match="only one organisation has asked for anonymity"):
        services.statement_publish(by=world.owner_user, statement=world.statement)
    assert not world.statement.versions.filter(published_at__isnull=False).exists()


def test_a_named_endorser_turning_anonymous_in_a_correction_is_refused():
    world = endorsed_statement()
    by, statement = world.owner_user, world.statement
    fjord = next(e for e in statement.endorsements.all() if e.name == "Fjord Solidarity")
    services.endorsement_withdraw(by=by, endorsement=fjord, reason="asks to be anonymous")
    _endorse(statement, by, "Fjord Solidarity", listed_as="anonymous", group="Norway")
    services.statement_correct(by=by, statement=statement, note="Endorsers updated")
    services.statement_submit(by=by, statement=statement)
    with pytest.raises(DisclosureError, match="went up by 1 while 1 named"):
        services.statement_publish(by=by, statement=statement)


def test_only_the_owners_see_who_endorsed_and_others_see_published_statements_only():
    world = endorsed_statement()
    draft = services.statement_create_draft(
        by=world.owner_user, title="Not yet", body="Draft text."
    )
    viewer = MembershipFactory(organisation=world.owner_org, role=OrgRole.VIEWER).user
    stranger = MembershipFactory(role=OrgRole.EDITOR).user
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    assert endorsements_for_owners(world.owner_user, world.statement)
    for user in (viewer, stranger, coordinator):
        with pytest.raises(NotAllowed):
            endorsements_for_owners(user, world.statement)
        with pytest.raises(NotAllowed):
            services.invitation_create(by=user, statement=world.statement, invitee="X")
    with pytest.raises(NotAllowed):
        services.endorsement_withdraw(by=stranger, endorsement=world.statement.endorsements.first())
    for user in (world.owner_user, viewer, stranger, coordinator, UserFactory()):
        visible = set(statements_visible_to(user))
        allowed = {s for s in Statement.objects.all() if policy.can(user, policy.VIEW, s)}
        assert visible == allowed
    assert set(statements_visible_to(stranger)) == {world.statement}
    assert draft in set(statements_visible_to(viewer))


def test_the_seam_for_briefs_makes_a_draft_from_markdown_and_sources():
    world = endorsed_statement(publish=False)
    source = world.statement.versions.get().footnotes.first().source
    draft = services.statement_create_draft(
        by=world.owner_user, title="Situation brief", body="IDPs rose.[^1]", footnotes=[source]
    )
    version = draft.versions.get()
    assert (draft.status, draft.owner, version.footnotes.get().source) == (
        Status.DRAFT, world.owner_org, source
    )  # fmt: skip
    assert Endorsement.objects.filter(statement=draft).count() == 0


def test_footnotes_are_replaced_in_order_and_the_removed_ones_audited():
    world = endorsed_statement(publish=False)
    version = world.statement.versions.get()
    ocha, aapp = (f.source for f in version.footnotes.order_by("number"))
    services.statement_footnotes_set(
        by=world.owner_user, statement=world.statement, footnotes=[aapp, (ocha, "table 2")]
    )
    rows = [(f.number, f.source, f.detail) for f in version.footnotes.order_by("number")]
    assert rows == [(1, aapp, ""), (2, ocha, "table 2")]
    deleted = AuditEntry.objects.filter(action="delete", object_type="statements.footnote")
    assert deleted.count() == 2
    with pytest.raises(InvalidInput, match=r"refers to footnote\(s\) 2"):
        services.statement_footnotes_set(
            by=world.owner_user, statement=world.statement, footnotes=[aapp]
        )
    assert version.footnotes.count() == 2  # refused as a whole
