"""A held upload's key: half in the session, half in the browser, so a copied instance folder
(database included) cannot read a held file (decision 0120)."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.contrib.sessions.models import Session
from django.test import Client

from corridor.aid.models import Activity
from corridor.testing.signin import sign_in
from corridor.web import uploads
from corridor.web.tests.test_upload import GOOD, _upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_home(settings, tmp_path):
    settings.HOME = tmp_path


def _check(client, org) -> str:
    page = _upload(client, GOOD, org).content.decode()
    return re.search(r'name="run" value="([^"]+)"', page).group(1)


def _imported() -> bool:
    return Activity.objects.filter(reporting_month=dt.date(2024, 4, 1)).exists()


def test_the_browser_gets_its_half_in_a_strict_cookie_for_the_upload_pages(client, editor, data):
    response = _upload(client, GOOD, data["org"])

    cookie = response.cookies[uploads.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/enter/upload/"
    assert int(cookie["max-age"]) == uploads.HOLD_MINUTES * 60
    assert len(base64.urlsafe_b64decode(cookie.value)) == uploads.HALF_BYTES


def test_what_the_instance_keeps_does_not_decrypt_a_held_file(client, editor, data):
    run_id = _check(client, data["org"])
    held = (uploads._folder() / run_id).read_bytes()
    browser_half = client.cookies[uploads.COOKIE].value
    stored = [row.get_decoded() for row in Session.objects.all()]

    # The database holds the session's half and nothing of the browser's.
    assert browser_half not in repr(stored)
    hold = next(s[uploads.SESSION_KEY][run_id] for s in stored if uploads.SESSION_KEY in s)
    assert set(hold) == {
        "name",
        "format",
        "kind",
        "organisation",
        "key",
        "replace",
        "partial",
        "half",
        "at",
    }
    for value in hold.values():
        try:
            key = Fernet(str(value).encode())
        except ValueError:
            continue
        with pytest.raises(InvalidToken):
            key.decrypt(held)

    # Someone with the database's session but not the browser's cookie gets nothing.
    copy = Client()
    copy.cookies["sessionid"] = client.cookies["sessionid"].value
    assert copy.post("/enter/upload/apply/", {"run": run_id}).status_code == 302
    assert not _imported()
    assert not (uploads._folder() / run_id).exists()  # a failed take still ends the hold


def test_with_both_halves_the_file_imports(client, editor, data):
    run_id = _check(client, data["org"])
    assert client.post("/enter/upload/apply/", {"run": run_id}).status_code == 200
    assert _imported()


def test_after_sign_out_the_cookie_alone_decrypts_nothing(client, editor, data):
    run_id = _check(client, data["org"])
    browser_half = client.cookies[uploads.COOKIE].value
    client.post("/accounts/logout/")
    sign_in(client, editor)
    client.cookies[uploads.COOKIE] = browser_half

    assert client.post("/enter/upload/apply/", {"run": run_id}).status_code == 302
    assert not _imported()
