"""The statements JSON API over HTTP: the public statement and trackers without signing in, the
owners' list and endorser view with a session or a token, and the canary: an anonymous
endorser's name is in no public answer and no error answer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from corridor.accounts import tokens
from corridor.accounts.models import OrgRole
from corridor.statements import services
from corridor.testing.factories import MembershipFactory
from corridor.testing.signin import signed_in_client
from corridor.testing.statements import endorsed_statement

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-00000000beef"


def _with_asks(world):
    by = world.owner_user
    japan = services.ask_add(
        by=by, statement=world.statement, text="Sanction the jet-fuel suppliers.",
        target="Government of Japan", target_kind="government",
    )  # fmt: skip
    services.ask_add(
        by=by, statement=world.statement, text="Leave the joint venture.",
        target="Telecom Holdings", target_kind="company",
    )  # fmt: skip
    services.response_add(
        by=by, ask=japan, on=dt.date(2026, 3, 10), status="acknowledged",
        summary="The ministry is studying it.",
    )  # fmt: skip
    services.response_add(
        by=by, ask=japan, on=dt.date(2026, 6, 2), status="partial",
        summary="Two suppliers sanctioned.", url="https://example.org/sanctions",
    )  # fmt: skip
    return world


def test_a_published_statement_as_its_public_page_shows_it_without_signing_in():
    world = _with_asks(endorsed_statement())
    pk = world.statement.pk
    answer = Client().get(f"/api/statements/public/{pk}/")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["title"] == "Joint statement on the fifth anniversary"
    assert (data["version"], data["published_on"]) == (1, "2026-02-01")
    assert data["endorsers"] == [
        {
            "group": "Japan",
            "endorsers": [
                {"number": 1, "label": "Aiko Tanaka (in a personal capacity)"},
                {"number": 2, "label": "Sakura Relief Japan"},
            ],
        },
        {"group": "Norway", "endorsers": [{"number": 3, "label": "Fjord Solidarity"}]},
        {
            "group": "International",
            "endorsers": [{"number": 4, "label": "A health network on the border"}],
        },
    ]
    assert data["anonymous"] == {
        "organisations": 2,
        "individuals": 0,
        "line": "2 organisations have requested anonymity.",
    }
    assert data["footnotes"] == [
        {
            "number": 1,
            "text": "OCHA, Myanmar humanitarian update, 10 January 2026, p. 3. "
            "https://example.org/ocha-update",
        },
        {"number": 2, "text": "AAPP, Daily briefing."},
    ]
    assert data["body"].startswith("We, the undersigned, call for a **humanitarian corridor**.[^1]")
    assert [(a["position"], a["target"], a["status"]) for a in data["asks"]] == [
        (1, "Government of Japan", "partial"),
        (2, "Telecom Holdings", "no_response"),
    ]
    assert [
        (r["on"], r["status"], r["summary"], r["url"]) for r in data["asks"][0]["responses"]
    ] == [
        ("2026-03-10", "acknowledged", "The ministry is studying it.", ""),
        ("2026-06-02", "partial", "Two suppliers sanctioned.", "https://example.org/sanctions"),
    ]
    assert (data["page_url"], data["asks_url"]) == (f"/s/{pk}/", f"/s/{pk}/asks/")
    # The same numbering and count as the page itself.
    page = Client().get(f"/s/{pk}/").content.decode()
    assert '<li value="4">A health network on the border</li>' in page
    assert "2 organisations have requested anonymity." in page


def test_the_asks_tracker_with_since_keeps_what_moved():
    world = _with_asks(endorsed_statement())
    client = Client()
    everything = client.get("/api/statements/public/asks/").json()
    assert everything["since"] is None
    assert everything["organisations"] == ["Statement Owner Network"]
    [tracked] = everything["statements"]
    assert tracked["id"] == str(world.statement.pk)
    assert [a["target"] for a in tracked["asks"]] == ["Government of Japan", "Telecom Holdings"]
    moved = client.get("/api/statements/public/asks/", {"since": "2026-05-01"}).json()
    assert moved["since"] == "2026-05-01"
    [tracked] = moved["statements"]
    assert [a["target"] for a in tracked["asks"]] == ["Government of Japan"]
    assert [r["new"] for r in tracked["asks"][0]["responses"]] == [False, True]
    nothing = client.get("/api/statements/public/asks/", {"since": "2026-07-01"}).json()
    assert nothing["statements"] == []
    bad = client.get("/api/statements/public/asks/", {"since": "last week"})
    assert bad.status_code == 400
    assert bad.json() == {"detail": "since='last week': give a date as YYYY-MM-DD"}


def test_a_draft_or_unknown_statement_has_no_public_answer():
    draft = endorsed_statement(publish=False)
    client = Client()
    for pk in (draft.statement.pk, MISSING):
        answer = client.get(f"/api/statements/public/{pk}/")
        assert answer.status_code == 404
    assert client.get("/api/statements/public/asks/").json()["statements"] == []


def test_the_owners_list_and_endorsers_with_a_session_or_a_token():
    world = endorsed_statement()
    pk = world.statement.pk
    owner = signed_in_client(world.owner_user)
    rows = owner.get("/api/statements/").json()
    assert rows == [
        {
            "id": str(pk),
            "title": "Joint statement on the fifth anniversary",
            "status": "published",
            "version": 1,
            "public_url": f"/s/{pk}/",
        }
    ]
    view = owner.get(f"/api/statements/{pk}/endorsers")
    assert view.status_code == 200, view.content
    endorsers = view.json()["endorsers"]
    assert {(e["name"], e["listed_as"], e["group"]) for e in endorsers} == {
        ("Sakura Relief Japan", "name", "Japan"),
        ("Fjord Solidarity", "name", "Norway"),
        ("Border Clinic Network", "display_name", "International"),
        ("Aiko Tanaka", "name", "Japan"),
        ("Hidden Hands Anonz4k8", "anonymous", "Japan"),
        ("Quiet Rivers Anonx2m9", "anonymous", "Norway"),
    }
    # The same as `corridor statements show --json` builds (queries.statement_owners_view).
    from corridor.statements.queries import statement_owners_view

    assert view.json() == statement_owners_view(world.owner_user, world.statement)
    issued = tokens.token_create(
        by=None, user=world.owner_user, organisation=world.owner_org, scope="write", name="t"
    )
    by_token = Client().get(
        f"/api/statements/{pk}/endorsers", HTTP_AUTHORIZATION=f"Bearer {issued.text}"
    )
    assert by_token.status_code == 200
    assert by_token.json()["endorsers"] == endorsers


def test_only_the_owners_see_the_endorsers_and_refusals_name_nobody():
    world = endorsed_statement()
    pk = world.statement.pk
    viewer = MembershipFactory(organisation=world.owner_org, role=OrgRole.VIEWER).user
    stranger = MembershipFactory(role=OrgRole.EDITOR).user
    read_token = tokens.token_create(
        by=None, user=world.owner_user, organisation=world.owner_org, scope="read", name="r"
    )
    answers = {
        "anonymous": Client().get(f"/api/statements/{pk}/endorsers"),
        "viewer": signed_in_client(viewer).get(f"/api/statements/{pk}/endorsers"),
        "stranger": signed_in_client(stranger).get(f"/api/statements/{pk}/endorsers"),
        "read token": Client().get(
            f"/api/statements/{pk}/endorsers", HTTP_AUTHORIZATION=f"Bearer {read_token.text}"
        ),
    }
    assert {who: a.status_code for who, a in answers.items()} == {
        "anonymous": 401,
        "viewer": 403,
        "stranger": 403,
        "read token": 403,
    }
    for answer in answers.values():
        text = answer.content.decode()
        for name in world.anonymous_names:
            assert name not in text
    # The stranger reads the published statement in the list, without its endorsers.
    assert [r["id"] for r in signed_in_client(stranger).get("/api/statements/").json()] == [str(pk)]


def test_canary_no_public_or_error_answer_holds_an_anonymous_name():
    """Every public route, in every shape it answers (found, filtered, refused, missing,
    malformed), and the owners' routes' refusals: the anonymous endorsers' names in none."""
    world = _with_asks(endorsed_statement())
    pk = world.statement.pk
    draft = endorsed_statement(publish=False)
    # A correction in progress, with a new anonymous endorser waiting for the next version.
    services.statement_correct(by=world.owner_user, statement=world.statement, note="Typo.")
    _invitation, secret = services.invitation_create(
        by=world.owner_user, statement=world.statement, invitee="Late Anonb7q1"
    )
    services.endorsement_accept(
        secret=secret, name="Late Anonb7q1", listed_as="anonymous", group="Japan"
    )
    names = (*world.anonymous_names, "Late Anonb7q1")
    client = Client()
    requests = [
        (f"/api/statements/public/{pk}/", {}),
        (f"/api/statements/public/{pk}/", {"lang": "my"}),
        (f"/api/statements/public/{draft.statement.pk}/", {}),
        (f"/api/statements/public/{MISSING}/", {}),
        ("/api/statements/public/not-an-id/", {}),
        ("/api/statements/public/asks/", {}),
        ("/api/statements/public/asks/", {"since": "2026-01-01"}),
        ("/api/statements/public/asks/", {"since": "yesterday"}),
        ("/api/statements/", {}),
        (f"/api/statements/{pk}/endorsers", {}),
        (f"/api/statements/{draft.statement.pk}/endorsers", {}),
        ("/api/openapi.json", {}),
    ]
    seen = set()
    for url, query in requests:
        answer = client.get(url, query)
        seen.add(answer.status_code)
        text = (
            json.dumps(answer.json())
            if answer["Content-Type"].startswith("application/json")
            else answer.content.decode()
        )
        for name in names:
            assert name not in text, f"{url} {query} -> {answer.status_code} names {name}"
            assert name not in answer.content.decode()
    assert {200, 400, 401, 404, 422} <= seen
