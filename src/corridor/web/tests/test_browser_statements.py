"""A joint statement from draft to publication in a real browser (issue 15, Done when): the
owner writes it and its footnotes, makes invitation links; endorsers open them on a phone, with
no account, one in Burmese, and choose to be listed by name, by a display name or anonymously;
the owner publishes; the public page and each export say exactly what is expected."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import dateformat, timezone

from corridor.accounts.models import OrgRole
from corridor.situation.services import source_record
from corridor.statements.tests.test_publication import EXPECTED_MD, EXPECTED_TXT
from corridor.testing import factories as f
from corridor.testing.statements import BODY, ENDORSERS
from corridor.web.tests.test_browser import _signed_in_browser, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The public page's endorsers and notes as a reader sees them (the list numbers are the
# browser's markers, checked below through each item's value).
PAGE_ENDORSERS = """\
Endorsed by
Japan
Aiko Tanaka (in a personal capacity)
Sakura Relief Japan
Norway
Fjord Solidarity
International
A health network on the border

2 organisations have requested anonymity."""
PAGE_NOTES = """\
Notes
OCHA, Myanmar humanitarian update, 10 January 2026, p. 3. https://example.org/ocha-update
AAPP, Daily briefing."""


@pytest.fixture
def owner_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _phone(chromium, language: str):
    context = chromium.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale=language,
        extra_http_headers={"Accept-Language": language},
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def test_draft_invitations_endorsements_and_publication(live_server, owner_page, chromium):
    page = owner_page
    org = f.OrganisationFactory(name="Statement Owner Network")
    owner = f.UserFactory(username="statement-owner", language="en")
    f.MembershipFactory(user=owner, organisation=org, role=OrgRole.EDITOR)
    source_record(
        by=owner, title="Myanmar humanitarian update", publisher="OCHA",
        published_on=dt.date(2026, 1, 10), url="https://example.org/ocha-update",
    )  # fmt: skip
    source_record(by=owner, title="Daily briefing", publisher="AAPP")
    _signed_in_browser(page, live_server, owner)

    # The draft: title, a first text, the group order.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Statements").click()
    page.fill("#new-title", "Joint statement on the fifth anniversary")
    page.fill("#new-body", "A first draft.")
    page.fill("#new-groups", "Japan, Norway, International")
    page.get_by_role("button", name="Make the draft").click()
    page.wait_for_url(re.compile(r"/statements/[0-9a-f-]+/$"))
    statement_url = page.url
    assert page.locator("#status").inner_text() == "Draft"
    # Footnotes first, then the text that refers to them.
    page.select_option("#fn-source-1", label="Myanmar humanitarian update (OCHA)")
    page.locator("input[name=detail]").first.fill("p. 3")
    page.select_option("#fn-source-2", label="Daily briefing (AAPP)")
    page.get_by_role("button", name="Save the footnotes").click()
    page.wait_for_url(statement_url)
    page.fill("#text-body", BODY)
    page.get_by_role("button", name="Save the text").click()
    page.wait_for_url(statement_url)
    assert "The text is saved." in page.content()

    # One invitation link per endorser, each opened on a phone without an account.
    for index, (kind, name, listed_as, display, group) in enumerate(ENDORSERS):
        page.fill("#invitee", name)
        page.select_option("#kind", kind)
        page.fill("#group", group)
        page.get_by_role("button", name="Make an invitation link").click()
        page.wait_for_url(statement_url)
        link = page.locator("#invitation-link").input_value()
        burmese = index == 0
        context, phone = _phone(chromium, "my" if burmese else "en")
        phone.goto(link)
        if burmese:
            assert phone.get_by_role("heading", level=1).inner_text() == "ထုတ်ပြန်ချက်ကို ထောက်ခံရန်"
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            shot(phone, "statement-endorse-phone-my")
        assert name not in phone.content()  # a forwarded link names nobody
        phone.fill("#name", name)
        phone.check(f"input[name=listed_as][value={listed_as}]")
        if display:
            phone.fill("#display_name", display)
        assert phone.locator("#group").input_value() == group
        phone.locator("button[type=submit]").last.click()
        phone.wait_for_load_state()
        heading = phone.get_by_role("heading", level=1).inner_text()
        assert heading == ("ကျေးဇူးတင်ပါသည်" if burmese else "Thank you")
        phone.goto(link)
        assert "does not work" in phone.content() or "ဤ" in phone.content()
        context.close()

    # The owners see every endorser, the anonymous by name; then review and publish.
    page.goto(statement_url)
    table = page.locator("#endorsers").inner_text()
    for _kind, name, *_rest in ENDORSERS:
        assert name in table
    page.get_by_role("button", name="Send to review").click()
    page.wait_for_url(statement_url)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(statement_url)
    assert page.locator("#status").inner_text() == "Published"
    page.get_by_role("link", name="Public page").first.click()
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]+/$"))
    public_url = page.url

    # The public page, signed out, and each export: exactly the expected text.
    today = dateformat.format(timezone.localdate(), "j F Y")
    context, reader = _phone(chromium, "en")
    reader.goto(public_url)
    shot(reader, "statement-public-phone")
    assert reader.locator("h1").inner_text() == "Joint statement on the fifth anniversary"
    assert reader.locator(".meta").inner_text() == today
    assert reader.locator(".endorsers").inner_text() == PAGE_ENDORSERS
    assert reader.locator(".notes").inner_text() == PAGE_NOTES
    for _kind, name, listed_as, *_rest in ENDORSERS:
        if listed_as != "name":
            assert name not in reader.content()
    numbers = reader.locator(".endorsers li").evaluate_all("items => items.map(i => i.value)")
    assert numbers == [1, 2, 3, 4]
    for fmt, expected in (("md", EXPECTED_MD), ("txt", EXPECTED_TXT)):
        answer = reader.request.get(f"{public_url}statement.{fmt}")
        assert answer.ok
        assert answer.text() == expected.replace("1 February 2026", today)
    html = reader.request.get(f"{public_url}statement.html").text()
    assert '<p class="anonymous">2 organisations have requested anonymity.</p>' in html
    assert "Hidden Hands" not in html
    context.close()
