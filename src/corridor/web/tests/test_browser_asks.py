"""A statement's asks in a real browser: the owner adds an ask and records a response on the
statement's page, opens the public tracker; a reader on a phone, in Burmese and without an
account, asks the network-wide tracker what moved since a date."""

from __future__ import annotations

import re

import pytest

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
