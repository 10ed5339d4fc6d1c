"""`corridor demo` keeps the second factor and gives the person at the keyboard what it needs."""

import base64
import re

import pytest
from django.test import Client
from django_otp.oath import TOTP

from corridor.cli import load_demo
from corridor.cli.main import main


@pytest.mark.django_db
def test_demo_prints_the_demo_admins_key_and_recovery_codes_once(monkeypatch, capsys):
    # The synthetic data set is not what this test is about; its loader has its own tests.
    monkeypatch.setattr(load_demo, "load", lambda seed: {})
    assert main(["demo", "--no-serve"]) == 0
    first = capsys.readouterr().out
    password = re.search(r"with password '([^']+)'", first).group(1)
    key = re.search(r"authenticator app set up with this key: ([A-Z2-7]+)", first).group(1)
    codes = re.findall(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", first)
    assert len(codes) == 10
    assert "otpauth://totp/Corridor%3Ademo-admin?secret=" + key in first

    # The printed key is all a person needs: an authenticator app computes this same code.
    code = TOTP(base64.b32decode(key)).token()
    client = Client()
    client.post("/accounts/login/", {"username": "demo-admin", "password": password})
    response = client.post("/accounts/verify/", {"code": f"{code:06d}"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    assert main(["demo", "--no-serve"]) == 0
    again = capsys.readouterr().out
    assert key in again
    assert not set(codes) & set(re.findall(r"[a-z2-7]{4}(?:-[a-z2-7]{4}){3}", again))
