"""Security headers on pages, and production settings that refuse to run unsafe."""

import re
import secrets

import pytest
from django.test import Client, override_settings

from corridor import config
from corridor.testing.factories import UserFactory
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db

STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION = {
    "CORRIDOR_SECURE": "1",
    "CORRIDOR_DEBUG": "0",
    "CORRIDOR_SECRET_KEY": STRONG_KEY,
    "CORRIDOR_ALLOWED_HOSTS": "corridor.example.org",
}


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_carry_a_strict_content_security_policy_and_framing_ban():
    response = Client().get("/accounts/login/")
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/accounts/recovery-codes/"],
)
def test_admin_and_sign_in_pages_need_no_inline_script_or_style(path):
    client = signed_in_client(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(path, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts or not path.startswith("/admin/")
    for attributes, body in scripts:
        assert "src=" in attributes
        assert not body.strip(), "inline script"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_SSL_REDIRECT=False)
def test_https_answers_carry_hsts():
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_settings_pass_the_deploy_check(cli_instance):
    result = cli_instance.run(
        "manage", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    shown = cli_instance.run(
        "manage",
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)",
        env=PRODUCTION,
    )
    last_line = shown.stdout.strip().splitlines()[-1]
    assert last_line.split() == ["True", "True", "31536000", "True"], shown.stderr


@pytest.mark.parametrize(
    ("unsafe", "named"),
    [
        ({"CORRIDOR_DEBUG": "1"}, "CORRIDOR_DEBUG is on while CORRIDOR_SECURE is on"),
        ({"CORRIDOR_SECRET_KEY": "short-key"}, "CORRIDOR_SECRET_KEY is weak"),
        ({"CORRIDOR_SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "placeholder"),
    ],
)
def test_unsafe_production_settings_refuse_to_start(cli_instance, unsafe, named):
    result = cli_instance.run("status", env={**PRODUCTION, **unsafe})
    assert result.returncode != 0
    assert "refusing to start" in result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_unsafe_reasons_accepts_a_generated_key_and_development_debug():
    assert config.unsafe_reasons(debug=True, secure=False, secret_key="") == []
    assert config.unsafe_reasons(debug=False, secure=True, secret_key=STRONG_KEY) == []
    assert config.unsafe_reasons(debug=False, secure=False, secret_key="a" * 60) == [
        "CORRIDOR_SECRET_KEY is weak (use 50 or more random characters)"
    ]
