"""The gap API's cache of computed answers (decision 0271): one audience never gets another's
answer, and every write of the rows the table is computed from is seen at once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import transaction
from django.test import Client

from corridor.accounts.models import GlobalRole
from corridor.aid.models import DataVersion, Sector
from corridor.aid.queries import data_version
from corridor.gaps import api as gaps_api
from corridor.testing import factories as f
from corridor.testing.signin import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_version_row():
    """Migrations make the data-version row; a flush after an earlier transactional test on
    the same worker removes it, and without it the API keeps no answer (by design). These
    tests are about the kept answers, so they make sure the row is there."""
    DataVersion.objects.get_or_create(id=1)


MARCH = {"month": "2024-03", "sector": Sector.FOOD_SECURITY}


@pytest.fixture
def reach():
    """Six organisations each reaching 100 people in one township in March 2024."""
    place = f.township("MMR005022")
    f.DisplacementFigureFactory(admin_unit=place, as_of=dt.date(2024, 3, 5), idps=5000)
    organisations = [f.OrganisationFactory() for _ in range(6)]
    for organisation in organisations:
        f.ActivityFactory(
            admin_unit=place,
            organisation=organisation,
            women=100,
            men=0,
            girls=0,
            boys=0,
            unspecified=0,
        )
    return place, organisations


@pytest.fixture
def computed(monkeypatch):
    """Counts the answers the API computes (rather than takes from its cache)."""
    calls = []
    compute = gaps_api.shared_gap_table

    def counted(*args, **kwargs):
        calls.append(kwargs["reach_rows"])
        return compute(*args, **kwargs)

    monkeypatch.setattr(gaps_api, "shared_gap_table", counted)
    gaps_api.ANSWERS.answers.clear()
    return calls


def _client(user) -> Client:
    return sign_in(Client(), user)


def _fresh(client: Client, query: dict) -> dict:
    """The answer computed now, with no cached answer to give."""
    gaps_api.ANSWERS.answers.clear()
    return client.get("/api/gaps/", query).json()


def _row(answer: dict, pcode: str = "MMR005022") -> dict:
    return next(r for r in answer["rows"] if r["pcode"] == pcode)


def test_each_audience_gets_its_own_answer(reach, computed):
    _place, organisations = reach
    coordinator = _client(f.UserFactory(global_role=GlobalRole.COORDINATOR))
    member = _client(f.MembershipFactory(organisation=organisations[0]).user)
    other_member = _client(f.MembershipFactory(organisation=organisations[1]).user)

    first = coordinator.get("/api/gaps/", MARCH).json()
    assert coordinator.get("/api/gaps/", MARCH).json() == first
    assert len(computed) == 1  # the second answer came from the cache
    mine = member.get("/api/gaps/", MARCH).json()
    assert len(computed) == 2  # another audience: computed, not taken from the cache
    theirs = other_member.get("/api/gaps/", MARCH).json()
    assert len(computed) == 3
    assert _row(first)["people_reached"] == 600
    assert _row(mine)["people_reached"] == 100
    assert _row(mine)["organisations"] is None  # one organisation: hidden
    # Each audience's cached answer is what it gets computed afresh, and none is another's.
    assert coordinator.get("/api/gaps/", MARCH).json() == first == _fresh(coordinator, MARCH)
    assert member.get("/api/gaps/", MARCH).json() == mine == _fresh(member, MARCH)
    assert other_member.get("/api/gaps/", MARCH).json() == theirs == _fresh(other_member, MARCH)
    assert mine != first


def test_audiences_the_other_way_round(reach, computed):
    _place, organisations = reach
    member = _client(f.MembershipFactory(organisation=organisations[0]).user)
    coordinator = _client(f.UserFactory(global_role=GlobalRole.COORDINATOR))
    mine = member.get("/api/gaps/", MARCH).json()
    theirs = coordinator.get("/api/gaps/", MARCH).json()
    assert len(computed) == 2
    assert _row(mine)["people_reached"] == 100
    assert _row(theirs)["people_reached"] == 600


def test_every_write_is_seen_at_once(reach, computed):
    place, organisations = reach
    coordinator = _client(f.UserFactory(global_role=GlobalRole.COORDINATOR))
    before = data_version()
    assert _row(coordinator.get("/api/gaps/", MARCH).json())["people_reached"] == 600
    # An activity (through the rollup refresh), a figure, an organisation turned anonymous:
    f.ActivityFactory(
        admin_unit=place,
        organisation=organisations[2],
        women=50,
        men=0,
        girls=0,
        boys=0,
        unspecified=0,
    )
    assert data_version() != before
    assert _row(coordinator.get("/api/gaps/", MARCH).json())["people_reached"] == 650
    f.DisplacementFigureFactory(admin_unit=place, as_of=dt.date(2024, 3, 20), idps=7000)
    assert _row(coordinator.get("/api/gaps/", MARCH).json())["idps"] == 7000
    organisations[2].visibility = "anonymous"
    organisations[2].save()
    # A coordinator does not see an anonymous organisation's rows.
    assert _row(coordinator.get("/api/gaps/", MARCH).json())["people_reached"] == 500
    assert len(computed) == 4


def test_a_rolled_back_write_restores_the_version(reach):
    place, organisations = reach
    before = data_version()
    assert before is not None
    with transaction.atomic():
        f.ActivityFactory(admin_unit=place, organisation=organisations[0], women=1)
        assert data_version() != before
        transaction.set_rollback(True)
    assert data_version() == before


def test_a_kept_answer_is_sent_gzipped_to_who_accepts_it(reach, computed):
    import gzip
    import json

    coordinator = _client(f.UserFactory(global_role=GlobalRole.COORDINATOR))
    plain = coordinator.get("/api/gaps/", MARCH)
    assert "Content-Encoding" not in plain.headers
    for _ in range(2):  # computed, then kept
        packed = coordinator.get("/api/gaps/", MARCH, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(computed) == 1


def test_the_audience_key_is_what_the_scope_is_built_from(reach):
    """Decision 0360: kept answers are keyed by ``reach_audience`` and
    ``policy.reads_situation``, not by compiled SQL. People with equal keys are asked the same
    queries, so no one is ever given an answer computed over another audience's rows."""
    from django.core.exceptions import EmptyResultSet

    from corridor.accounts import policy
    from corridor.aid.queries import reach_audience, reach_visible_to
    from corridor.situation.queries import figures_visible_to

    _place, organisations = reach
    people = [
        f.UserFactory(global_role=GlobalRole.ADMIN),
        f.UserFactory(global_role=GlobalRole.COORDINATOR),
        f.UserFactory(global_role=GlobalRole.COORDINATOR),
        f.MembershipFactory(organisation=organisations[0]).user,
        f.MembershipFactory(organisation=organisations[0]).user,
        f.MembershipFactory(organisation=organisations[1]).user,
        f.UserFactory(),  # a member of nothing
        f.UserFactory(is_active=False),
    ]
    coordinator_member = f.MembershipFactory(organisation=organisations[2]).user
    coordinator_member.global_role = GlobalRole.COORDINATOR
    coordinator_member.save()
    people.append(coordinator_member)

    def sql(rows) -> tuple:
        try:
            text, params = rows.query.sql_with_params()
        except EmptyResultSet:
            return ("none",)
        return (text, tuple(map(repr, params)))

    keys = {}
    for person in people:
        key = (reach_audience(person), policy.reads_situation(person))
        asked = (sql(reach_visible_to(person)), sql(figures_visible_to(person)))
        assert keys.setdefault(key, asked) == asked, person
    # Admin, coordinator, two members' organisations, a member of nothing, an inactive person
    # and a coordinator who is also a member: seven keys. The member of nothing and the
    # inactive person are asked the same "none" queries under two keys: that costs one more
    # computation, never a wrong answer.
    assert len(keys) == 7


# --- One computation per question at a time (single flight) -----------------------------------


def _asked_at_once(answers, version: str, keys: list[tuple], compute) -> list:
    """Each key asked by its own thread, all of them let go at the same moment."""
    start = threading.Barrier(len(keys))
    got: list = [None] * len(keys)

    def ask(n: int) -> None:
        start.wait()
        got[n] = answers.kept_or_computed(version, keys[n], compute)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return got


def test_threads_asking_the_same_question_at_once_compute_it_once():
    answers = gaps_api.Answers()
    computing = threading.Lock()
    calls: list[str] = []

    def slow() -> gaps_api.Answer:
        with computing:
            calls.append(threading.current_thread().name)
        time.sleep(0.3)  # long enough for every other thread to be waiting
        return gaps_api.Answer(b'{"rows": []}', ("suppressed",))

    got = _asked_at_once(answers, "v1", [("2024-03",)] * 8, slow)
    assert len(calls) == 1
    assert all(answer is got[0][0] for answer, _here in got)
    assert sorted(here for _answer, here in got) == [False] * 7 + [True]
    # Different questions do not wait for each other: each is computed.
    calls.clear()
    _asked_at_once(answers, "v1", [("2024-04",), ("2024-05",), ("2024-06",)], slow)
    assert len(calls) == 3
    # A new data version is a new question.
    calls.clear()
    _answer, here = answers.kept_or_computed("v2", ("2024-03",), slow)
    assert here
    assert len(calls) == 1


def test_an_answer_that_did_not_pass_the_gate_is_not_kept_nor_waited_for():
    answers = gaps_api.Answers()
    calls = []

    def ungated() -> gaps_api.Answer:
        calls.append(1)
        return gaps_api.Answer(b"{}", ())

    for _ in range(2):
        answers.kept_or_computed("v1", ("2024-03",), ungated)
    assert len(calls) == 2
    for _ in range(2):
        answers.kept_or_computed(None, ("2024-03",), lambda: gaps_api.Answer(b"{}", ("s",)))
    assert answers.get(None, ("2024-03",)) is None


def test_a_failed_computation_lets_the_next_thread_try():
    answers = gaps_api.Answers()

    def failing() -> gaps_api.Answer:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        answers.kept_or_computed("v1", ("2024-03",), failing)
    answer, here = answers.kept_or_computed(
        "v1", ("2024-03",), lambda: gaps_api.Answer(b"{}", ("s",))
    )
    assert here
    assert answer.body == b"{}"
