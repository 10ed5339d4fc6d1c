"""The demo's joint statements: one published like a real one, one draft."""

from __future__ import annotations

import io

import pytest

from corridor.demo import services
from corridor.demo.statements import DRAFT_TITLE, PUBLISHED_TITLE
from corridor.demo.tests.test_services import SMALL
from corridor.statements.models import Statement, Status
from corridor.statements.publication import public_statement
from corridor.statements.services import statement_export

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_published_joint_statement_and_a_draft():
    services.demo_load(seed=2021, size=SMALL)
    published = Statement.objects.get(versions__texts__title=PUBLISHED_TITLE)
    draft = Statement.objects.get(versions__texts__title=DRAFT_TITLE)
    assert (published.status, draft.status) == (Status.PUBLISHED, Status.DRAFT)
    document = public_statement(published)
    assert [group for group, _labels in document.endorsers.groups] == [
        "Japan", "Norway", "International"
    ]  # fmt: skip
    named = sum(len(labels) for _group, labels in document.endorsers.groups)
    assert (named, document.endorsers.anonymous) == (41, (("organisation", 2),))
    assert len(document.footnotes) == 3
    assert document.coalitions
    text = io.StringIO()
    statement_export(by=None, statement=published, fmt="txt", out=text)
    assert "41. " in text.getvalue()
    assert "2 organisations have requested anonymity." in text.getvalue()
    for hidden in ("Karenni Teachers Group", "Sagaing Youth Relief"):
        assert hidden not in text.getvalue()
    assert sorted(draft.versions.get().texts.values_list("language", flat=True)) == ["en", "my"]
    # Loading again makes no second pair.
    services.demo_load(seed=2021, size=SMALL)
    assert Statement.objects.count() == 2


def test_the_demos_published_statement_has_three_asks_two_answered(client):
    services.demo_load(seed=2021, size=SMALL)
    published = Statement.objects.get(versions__texts__title=PUBLISHED_TITLE)
    asks = list(published.asks.order_by("position"))
    assert [(a.target, a.target_kind) for a in asks] == [
        ("Government of Japan", "government"), ("ASEAN", "bloc"),
        ("Example Telecom Holdings", "company"),
    ]  # fmt: skip
    assert [[r.status for r in a.responses.order_by("on")] for a in asks] == [
        ["acknowledged", "partial"], ["refused"], []
    ]  # fmt: skip
    assert asks[0].responses.get(status="partial").source is not None
    page = client.get("/asks/", {"since": "2026-05-01"}).content.decode()
    assert "Government of Japan" in page
    assert "ASEAN" not in page
    # Loading again adds no second set.
    services.demo_load(seed=2021, size=SMALL)
    assert published.asks.count() == 3
