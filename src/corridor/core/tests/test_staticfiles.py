"""Static files go out under names that carry their content's hash, and browsers keep those a
year (decision 0395); the plain names are still answered, with WhiteNoise's short lifetime."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import RequestFactory, override_settings

from corridor.core.staticfiles import StaticFilesMiddleware, content_hash, hashed_name

pytestmark = pytest.mark.django_db

YEAR = 365 * 24 * 60 * 60
HASHED = re.compile(r"/static/(.+)\.([0-9a-f]{12})(\.[a-z0-9]+)")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_every_static_file_a_page_names_is_hashed_and_kept_a_year(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    named = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page.content.decode()))
    assert static("corridor/site.css") in named, named
    for url in named:
        found = HASHED.fullmatch(url)
        assert found, f"{url} does not carry its content's hash"
        name = found.group(1) + found.group(3)
        path = finders.find(name)
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "immutable" in answer["Cache-Control"], url
        assert _max_age(answer) >= YEAR, url
        with open(path, "rb") as handle:
            assert _body(answer) == handle.read(), url
        assert found.group(2) == content_hash(path)


def test_the_plain_name_is_answered_briefly_and_a_wrong_hash_not_at_all(client):
    plain = client.get("/static/corridor/site.css")
    assert plain.status_code == 200
    assert "immutable" not in plain["Cache-Control"]
    assert _max_age(plain) == 60
    assert _body(plain) == _body(client.get(static("corridor/site.css")))
    # A hash that is not the file's is no file: the app answers it (not found), not WhiteNoise.
    wrong = client.get("/static/corridor/site.0123456789ab.css")
    assert wrong.status_code == 404
    assert "immutable" not in wrong.get("Cache-Control", "")


def test_a_name_no_finder_knows_keeps_its_plain_url():
    assert static("corridor/no-such-file.css") == "/static/corridor/no-such-file.css"


def test_a_changed_file_gets_a_new_name(tmp_path):
    sheet = tmp_path / "site.css"
    sheet.write_text("body { color: black }")
    first = hashed_name("corridor/site.css", str(sheet))
    assert re.fullmatch(r"corridor/site\.[0-9a-f]{12}\.css", first)
    assert hashed_name("corridor/site.css", str(sheet)) == first  # the same content, same name
    sheet.write_text("body { color: navy }")
    assert hashed_name("corridor/site.css", str(sheet)) != first


@override_settings(WHITENOISE_AUTOREFRESH=True)
def test_with_autorefresh_the_hashed_name_is_found_on_each_request():
    """DEBUG's mode: WhiteNoise looks each file up when it is asked for, not at start."""
    middleware = StaticFilesMiddleware(lambda request: "the app's answer")
    assert middleware.autorefresh
    url = static("corridor/site.css")
    answer = middleware(RequestFactory().get(url))
    assert answer != "the app's answer"
    assert answer.status_code == 200
    assert "immutable" in answer["Cache-Control"]
    wrong = "/static/corridor/site.0123456789ab.css"
    assert middleware(RequestFactory().get(wrong)) == "the app's answer"


def test_the_finders_find_a_hashed_name_only_while_its_hash_is_the_files():
    """What Django's static views and test servers, and WhiteNoise in DEBUG, look files up by."""
    hashed = static("corridor/site.css").removeprefix("/static/")
    assert finders.find(hashed) == finders.find("corridor/site.css")
    assert finders.find(hashed, find_all=True) == [finders.find("corridor/site.css")]
    assert finders.find("corridor/site.0123456789ab.css") is None
    assert finders.find("corridor/site.0123456789ab.css", find_all=True) == []
