"""Refusals and errors come as styled, translated pages without a stack trace (DEBUG off)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
from django.urls import path

from corridor import urls as corridor_urls
from corridor.testing import factories as f
from corridor.testing.signin import sign_in, signed_in_client

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "db password is hunter2"


def _boom(request):
    raise RuntimeError(SECRET_DETAIL)


# This module is also the URL map of the 500 test: the real one plus a view that fails.
urlpatterns = [path("boom/", _boom), *corridor_urls.urlpatterns]


def _styled(page: str) -> None:
    assert '<header class="site">' in page
    assert static("corridor/site.css") in page
    assert "Traceback" not in page


def test_a_viewer_opening_an_entry_page_gets_the_styled_403():
    assert not settings.DEBUG
    viewer = f.MembershipFactory(role="viewer").user
    response = signed_in_client(viewer).get("/enter/activity/")
    assert response.status_code == 403
    page = response.content.decode()
    _styled(page)
    assert "<h1>Not allowed</h1>" in page
    assert "You are not an editor of any organisation." in page
    assert 'class="signout' in page  # still signed in, and can still sign out


def test_a_missing_page_is_a_styled_404_in_the_reader_language():
    client = Client()
    sign_in(client, f.UserFactory(language="my"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    _styled(page)
    assert '<html lang="my">' in page
    assert "စာမျက်နှာ မတွေ့ပါ" in page


@pytest.mark.urls("corridor.web.tests.test_errors")
def test_a_failure_is_a_styled_500_that_tells_nothing_inside():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    _styled(page)
    assert "<h1>Something went wrong</h1>" in page
    assert SECRET_DETAIL not in page
    assert "RuntimeError" not in page
