"""A statement's asks in a real browser: the owner adds an ask and records a response on the
statement's page, opens the public tracker; a reader on a phone, in Burmese and without an
account, asks the network-wide tracker what moved since a date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from corridor.accounts.models import OrgRole
from corridor.statements import services
from corridor.testing.factories import MembershipFactory
from corridor.testing.statements import endorsed_statement
from corridor.web.tests.test_browser import _signed_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_tracks_an_ask_and_a_reader_sees_what_moved(live_server, chromium):
    world = endorsed_statement()
    world.owner_user.language = "en"
    world.owner_user.save(update_fields=["language"])
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    _signed_in_browser(page, live_server, world.owner_user)
    statement_url = f"{live_server.url}/statements/{world.statement.pk}/"
    page.goto(statement_url)
    page.fill("#ask-text", "Sanction the jet-fuel suppliers.")
    page.fill("#ask-target", "Government of Japan")
    page.select_option("select[name=target_kind]", "government")
    page.get_by_role("button", name="Add the ask").click()
    page.wait_for_url(statement_url)
    assert "The ask is added." in page.content()
    page.select_option("#response-ask", label="1. Government of Japan")
    page.fill("#response-on", "2026-06-02")
    page.select_option("select[name=status]", "partial")
    page.fill("#response-summary", "Two suppliers sanctioned.")
    page.select_option("#response-source", label="Myanmar humanitarian update")
    page.get_by_role("button", name="Record the response").click()
    page.wait_for_url(statement_url)
    assert "The response is recorded." in page.content()
    page.get_by_role("link", name="Public tracker of the asks").click()
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]+/asks/$"))
    ask = page.locator("li.ask").first
    assert ask.locator("p").first.inner_text() == (
        "Government of Japan (Government): Sanction the jet-fuel suppliers."
    )
    assert ask.locator(".status").inner_text() == "Latest: Partly met"
    assert ask.locator(".history li").inner_text() == (
        "2026-06-02 Partly met: Two suppliers sanctioned. Evidence: OCHA, Myanmar humanitarian "
        "update, 2026-01-10 link"
    )
    context.close()

    phone = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="my",
        extra_http_headers={"Accept-Language": "my"},
    )  # fmt: skip
    reader = phone.new_page()
    reader.goto(f"{live_server.url}/asks/")
    assert reader.locator("h1").inner_text() == "တောင်းဆိုချက်များနှင့် တုံ့ပြန်မှုများ"
    reader.fill("#since", "2026-06-03")
    reader.locator("form.since button").click()
    reader.wait_for_url(re.compile(r"since=2026-06-03"))
    assert reader.locator(".empty").inner_text() == "ထိုနေ့မှစ၍ ပြောင်းလဲမှု မရှိပါ။"
    reader.fill("#since", "2026-06-01")
    reader.locator("form.since button").click()
    reader.wait_for_url(re.compile(r"since=2026-06-01"))
    assert reader.locator("li.ask").count() == 1
    assert reader.locator(".history li.new").count() == 1
    phone.close()


def test_the_owner_corrects_a_response_and_the_public_pages_link_each_other(live_server, chromium):
    world = endorsed_statement()
    world.owner_user.language = "en"
    world.owner_user.save(update_fields=["language"])
    ask = services.ask_add(
        by=world.owner_user, statement=world.statement, text="Sanction the jet-fuel suppliers.",
        target="Government of Japan", target_kind="government",
    )  # fmt: skip
    services.response_add(
        by=world.owner_user, ask=ask, on=dt.date(2026, 6, 2), status="acknowledged",
        summary="Two supliers sanctioned.", url="https://example.org/wrong",
    )  # fmt: skip
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    _signed_in_browser(page, live_server, world.owner_user)
    statement_url = f"{live_server.url}/statements/{world.statement.pk}/"
    page.goto(statement_url)
    assert page.locator("details.response-history").count() == 0
    edit = page.locator("details.response-edit").first
    edit.locator("summary").click()
    edit.locator("input[name=on]").fill("2026-06-03")
    edit.locator("select[name=status]").select_option("partial")
    edit.locator("textarea[name=summary]").fill("Two suppliers sanctioned.")
    edit.locator("input[name=url]").fill("https://example.org/notice")
    edit.get_by_role("button", name="Save the correction").click()
    page.wait_for_url(statement_url)
    assert "The response is corrected; its earlier wording is kept." in page.content()
    assert (
        page.locator("li.response")
        .first.inner_text()
        .startswith("2026-06-03 Partly met: Two suppliers sanctioned.")
    )
    history = page.locator("details.response-history")
    history.locator("summary").click()
    line = history.locator("li").inner_text()
    assert line.endswith(
        f"{world.owner_user.username}: Date “2026-06-02” → “2026-06-03”; Status “Acknowledged” "
        "→ “Partly met”; What happened “Two supliers sanctioned.” → “Two suppliers "
        "sanctioned.”; Evidence link “https://example.org/wrong” → “https://example.org/notice”"
    ), line
    context.close()

    # A member who does not own the statement sees the responses, not the history or the form.
    viewer = MembershipFactory(organisation=world.owner_org, role=OrgRole.VIEWER).user
    viewer.language = "en"
    viewer.save(update_fields=["language"])
    other = chromium.new_context(viewport={"width": 1280, "height": 900})
    reader = other.new_page()
    _signed_in_browser(reader, live_server, viewer)
    reader.goto(statement_url)
    assert "Two suppliers sanctioned." in reader.locator("li.response").inner_text()
    assert reader.locator("details.response-edit").count() == 0
    assert reader.locator("details.response-history").count() == 0
    assert "supliers" not in reader.content()
    other.close()

    # Anyone: the public statement links to its asks, and the tracker back to the statement.
    public = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    visitor = public.new_page()
    visitor.goto(f"{live_server.url}/s/{world.statement.pk}/")
    visitor.get_by_role("link", name="What this statement asks, and the responses").click()
    visitor.wait_for_url(re.compile(r"/s/[0-9a-f-]+/asks/\?lang=en$"))
    assert visitor.locator(".history li").inner_text() == (
        "2026-06-03 Partly met: Two suppliers sanctioned. link"
    )
    visitor.locator("#statement-link").click()
    visitor.wait_for_url(re.compile(r"/s/[0-9a-f-]+/\?lang=en$"))
    assert visitor.locator("h1").inner_text() == "Joint statement on the fifth anniversary"
    public.close()
