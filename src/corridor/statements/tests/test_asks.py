"""A statement's asks and their responses: who may write them, the audit trail, and the public
trackers (/s/<id>/asks/ and /asks/) over HTTP without signing in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from corridor.accounts.models import OrgRole
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.situation.models import Source
from corridor.statements import services
from corridor.statements.queries import asks_visible_to, response_history
from corridor.testing.factories import MembershipFactory
from corridor.testing.signin import signed_in_client
from corridor.testing.statements import endorsed_statement

pytestmark = pytest.mark.django_db


def _asks(world):
    """Three asks of the published statement; responses on 10 March and 2 June 2026 to the
    first, 20 April to the second, none to the third."""
    by, statement = world.owner_user, world.statement
    japan = services.ask_add(
        by=by, statement=statement, text="Sanction the jet-fuel suppliers.",
        target="Government of Japan", target_kind="government",
    )  # fmt: skip
    asean = services.ask_add(
        by=by, statement=statement, text="Keep the junta out of summits.", target="ASEAN",
        target_kind="bloc",
    )  # fmt: skip
    telecom = services.ask_add(
        by=by, statement=statement, text="Leave the joint venture.", target="Telecom Holdings",
        target_kind="company",
    )  # fmt: skip
    source = Source.objects.get(publisher="OCHA")
    services.response_add(
        by=by, ask=japan, on=dt.date(2026, 3, 10), status="acknowledged",
        summary="The ministry is studying it.",
    )  # fmt: skip
    services.response_add(
        by=by, ask=japan, on=dt.date(2026, 6, 2), status="partial",
        summary="Two suppliers sanctioned.", source=source,
    )  # fmt: skip
    services.response_add(
        by=by, ask=asean, on=dt.date(2026, 4, 20), status="refused",
        summary="A junta envoy was invited.", url="https://example.org/summit",
    )  # fmt: skip
    return japan, asean, telecom


def _text(html: str) -> str:
    """The page's words, one space apart (no space before a colon a tag left behind)."""
    return re.sub(r" ([:.,])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", html).split()))


def test_only_the_owners_write_asks_and_responses_and_each_write_is_audited():
    world = endorsed_statement()
    japan, _asean, _telecom = _asks(world)
    viewer = MembershipFactory(organisation=world.owner_org, role=OrgRole.VIEWER).user
    stranger = MembershipFactory(role=OrgRole.EDITOR).user
    for user in (viewer, stranger):
        with pytest.raises(NotAllowed):
            services.ask_add(
                by=user, statement=world.statement, text="X", target="Y", target_kind="other"
            )
        with pytest.raises(NotAllowed):
            services.response_add(
                by=user, ask=japan, on=dt.date(2026, 7, 1), status="met", summary="Z"
            )
        with pytest.raises(NotAllowed):
            services.ask_update(by=user, ask=japan, text="Changed")
    services.ask_update(by=world.owner_user, ask=japan, target="Japan (MOFA)")
    japan.refresh_from_db()
    assert (japan.target, japan.text) == ("Japan (MOFA)", "Sanction the jet-fuel suppliers.")
    owner_id = str(world.owner_user.pk)
    made = AuditEntry.objects.filter(actor_id=owner_id, action="create")
    assert made.filter(object_type="statements.ask").count() == 3
    assert made.filter(object_type="statements.askresponse").count() == 3
    update = AuditEntry.objects.get(object_type="statements.ask", action="update")
    assert update.object_id == str(japan.pk)
    assert "Japan (MOFA)" in str(update.changes)


def test_an_ask_inserted_at_a_position_moves_the_later_ones_down():
    world = endorsed_statement()
    _asks(world)
    services.ask_add(
        by=world.owner_user, statement=world.statement, text="First.", target="UN Security Council",
        target_kind="un_body", position=1,
    )  # fmt: skip
    order = list(world.statement.asks.values_list("position", "target"))
    assert order == [
        (1, "UN Security Council"), (2, "Government of Japan"), (3, "ASEAN"),
        (4, "Telecom Holdings"),
    ]  # fmt: skip
    with pytest.raises(InvalidInput, match="position 9: use a number from 1 to 5"):
        services.ask_add(
            by=None, statement=world.statement, text="T", target="X", target_kind="other",
            position=9,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"status": "won"}, "status 'won': use one of"),
        ({"summary": "  "}, "say what happened"),
        ({"url": "ftp://x"}, "give a web address starting https://"),
        ({"on": dt.date(2999, 1, 1)}, "2999-01-01 is in the future"),
    ],
)
def test_a_bad_response_is_refused_with_what_is_wrong(values, message):
    world = endorsed_statement()
    japan, _asean, _telecom = _asks(world)
    given = {"on": dt.date(2026, 7, 1), "status": "met", "summary": "Done.", **values}
    with pytest.raises(InvalidInput, match=message):
        services.response_add(by=world.owner_user, ask=japan, **given)


def test_a_bad_ask_is_refused_with_what_is_wrong():
    world = endorsed_statement()
    with pytest.raises(InvalidInput, match="target kind 'church'"):
        services.ask_add(
            by=world.owner_user, statement=world.statement, text="T", target="X",
            target_kind="church",
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="say who is asked"):
        services.ask_add(
            by=world.owner_user, statement=world.statement, text="T", target=" ",
            target_kind="other",
        )  # fmt: skip


def test_a_drafts_asks_are_read_by_its_organisation_only():
    world = endorsed_statement(publish=False)
    services.ask_add(
        by=world.owner_user, statement=world.statement, text="T", target="X", target_kind="other"
    )
    viewer = MembershipFactory(organisation=world.owner_org, role=OrgRole.VIEWER).user
    stranger = MembershipFactory(role=OrgRole.EDITOR).user
    assert asks_visible_to(viewer).count() == 1
    assert asks_visible_to(stranger).count() == 0


def test_the_public_tracker_lists_each_ask_with_its_latest_status_and_history(client):
    world = endorsed_statement()
    _asks(world)
    answer = client.get(f"/s/{world.statement.pk}/asks/")
    assert answer.status_code == 200
    text = _text(answer.content.decode())
    assert "Asks: Joint statement on the fifth anniversary" in text
    expected = [
        "Government of Japan (Government): Sanction the jet-fuel suppliers. Latest: Partly met "
        "2026-03-10 Acknowledged: The ministry is studying it. "
        "2026-06-02 Partly met: Two suppliers sanctioned. Evidence: OCHA, Myanmar humanitarian "
        "update, 2026-01-10 link",
        "ASEAN (Bloc of states): Keep the junta out of summits. Latest: Refused "
        "2026-04-20 Refused: A junta envoy was invited. link",
        "Telecom Holdings (Company): Leave the joint venture. Latest: No response",
    ]
    for line in expected:
        assert line in text
    assert text.index(expected[0]) < text.index(expected[1]) < text.index(expected[2])
    html = answer.content.decode()
    assert 'href="https://example.org/summit"' in html
    assert 'href="https://example.org/ocha-update"' in html
    # The anonymous endorsers are nowhere on it.
    for name in world.anonymous_names:
        assert name not in html


def test_what_moved_since_a_date_network_wide(client):
    world = endorsed_statement()
    _asks(world)
    everything = _text(client.get("/asks/").content.decode())
    assert "Statements by: Statement Owner Network" in everything
    for target in ("Government of Japan", "ASEAN", "Telecom Holdings"):
        assert target in everything
    moved = client.get("/asks/", {"since": "2026-04-01"})
    assert moved.status_code == 200
    text = _text(moved.content.decode())
    assert "Asks with a response on or after 2026-04-01." in text
    assert "Government of Japan" in text
    assert "ASEAN" in text
    assert "Telecom Holdings" not in text  # no response at all
    assert moved.content.decode().count('<li class="new">') == 2
    assert "Nothing moved since that date." in _text(
        client.get("/asks/", {"since": "2026-06-03"}).content.decode()
    )
    later = _text(client.get("/asks/", {"since": "2026-05-01"}).content.decode())
    assert "Government of Japan" in later
    assert "ASEAN" not in later
    bad = client.get("/asks/", {"since": "June"})
    assert bad.status_code == 400
    assert "since='June': give a date as YYYY-MM-DD" in bad.content.decode().replace("&#x27;", "'")


def test_a_drafts_asks_have_no_public_page_and_are_not_tracked(client):
    world = endorsed_statement(publish=False)
    services.ask_add(
        by=world.owner_user, statement=world.statement, text="Secret ask.", target="X",
        target_kind="other",
    )  # fmt: skip
    assert client.get(f"/s/{world.statement.pk}/asks/").status_code == 404
    page = client.get("/asks/")
    assert page.status_code == 200
    assert "Secret ask." not in page.content.decode()
    assert "No asks yet." in page.content.decode()


def test_owners_add_asks_and_responses_on_the_statement_page():
    world = endorsed_statement()
    url = f"/statements/{world.statement.pk}/"
    owner = signed_in_client(world.owner_user)
    owner.post(url, {"what": "ask", "text": "Stop the airstrikes.", "target": "UN Security "
                     "Council", "target_kind": "un_body"})  # fmt: skip
    ask = world.statement.asks.get()
    owner.post(url, {"what": "response", "ask": str(ask.pk), "on": "2026-05-05",
                     "status": "acknowledged",
                     "summary": "Discussed in closed session."})  # fmt: skip
    response = ask.responses.get()
    assert (response.on, response.status) == (dt.date(2026, 5, 5), "acknowledged")
    page = owner.get(url).content.decode()
    assert "Discussed in closed session." in page
    refused = owner.post(url, {"what": "response", "ask": str(ask.pk), "on": "5 May",
                               "status": "met", "summary": "x"}, follow=True)  # fmt: skip
    assert "Give the date of the response as YYYY-MM-DD." in refused.content.decode()
    assert ask.responses.count() == 1
    stranger = signed_in_client(MembershipFactory(role=OrgRole.EDITOR).user)
    answer = stranger.post(url, {"what": "ask", "text": "T", "target": "X", "target_kind": "other"})
    assert answer.status_code == 403
    assert world.statement.asks.count() == 1


def test_a_response_is_corrected_by_the_owners_with_its_earlier_wording_kept():
    world = endorsed_statement()
    japan, _asean, _telecom = _asks(world)
    response = japan.responses.get(on=dt.date(2026, 6, 2))
    viewer = MembershipFactory(organisation=world.owner_org, role=OrgRole.VIEWER).user
    stranger = MembershipFactory(role=OrgRole.EDITOR).user
    for user in (viewer, stranger):
        with pytest.raises(NotAllowed):
            services.response_update(by=user, response=response, summary="Rewritten.")
    with pytest.raises(InvalidInput, match="give a web address starting https://"):
        services.response_update(by=world.owner_user, response=response, url="example.org")
    with pytest.raises(InvalidInput, match="is in the future"):
        services.response_update(by=world.owner_user, response=response, on=dt.date(2999, 1, 1))
    services.response_update(
        by=world.owner_user, response=response, on=dt.date(2026, 6, 3),
        summary="Three suppliers sanctioned.", url="https://example.org/notice",
    )  # fmt: skip
    response.refresh_from_db()
    assert (response.on, response.summary, response.status, response.source.publisher) == (
        dt.date(2026, 6, 3), "Three suppliers sanctioned.", "partial", "OCHA",
    )  # fmt: skip
    [entry] = AuditEntry.objects.filter(
        object_type="statements.askresponse", object_id=str(response.pk), action="update"
    )
    assert entry.changes["summary"] == ["Two suppliers sanctioned.", "Three suppliers sanctioned."]
    assert entry.actor_id == str(world.owner_user.pk)
    [correction] = response_history(world.owner_user, response)
    assert sorted(correction.changes) == [
        ("Date", "2026-06-02", "2026-06-03"),
        ("Evidence link", "—", "https://example.org/notice"),
        ("What happened", "Two suppliers sanctioned.", "Three suppliers sanctioned."),
    ]
    for user in (viewer, stranger):
        with pytest.raises(NotAllowed):
            response_history(user, response)
    # The public tracker shows the corrected wording only.
    page = _text(Client().get(f"/s/{world.statement.pk}/asks/").content.decode())
    assert "2026-06-03 Partly met: Three suppliers sanctioned." in page
    assert "Two suppliers" not in page
