"""Two `corridor serve` processes on one database, as a hub runs them (issue 18 §4).

A person signs in through one process and goes on through the other: sessions, the second
factor, CSRF and sign-out live in the database and the instance folder, nothing in a process.
"""

import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from django_otp.oath import TOTP

from corridor.testing.cli import CORRIDOR

PASSWORD = "a long admin passphrase 7"
KEY = "3132333435363738393031323334353637383930"  # an authenticator's secret, hex
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(instance, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [CORRIDOR, "serve", "--port", str(port), "--threads", "4"],
        env=instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError(f"corridor serve did not listen on {port}")


class Browser:
    """One person's cookie jar, sent to whichever server process a request goes to."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(url, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, url: str, fields: dict[str, str]) -> tuple[int, str]:
        """Submit the form on ``url``'s page with its CSRF token, following the redirect."""
        status, page = self.get(url)
        assert status == 200, (url, status)
        token = CSRF_FIELD.search(page)
        assert token, f"no CSRF field on {url}"
        return self.post(url, {"csrfmiddlewaretoken": token.group(1), **fields})

    def post(self, url: str, fields: dict[str, str]) -> tuple[int, str]:
        """POST ``fields`` (with the CSRF cookie's token unless given); (status, final URL)."""
        cookie = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": cookie, **fields})
        try:
            with self.opener.open(url, data=body.encode(), timeout=60) as answer:
                return answer.status, answer.geturl()
        except urllib.error.HTTPError as error:
            return error.code, url


def test_sign_in_through_one_process_and_work_through_the_other(cli_instance):
    made = cli_instance.init_copied(
        "--no-input",
        "--admin-username",
        "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD},
    )
    assert made.returncode == 0, made.stderr
    enrolled = cli_instance.run(
        "manage",
        "shell",
        "-c",
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from corridor.accounts.models import User\n"
        f"TOTPDevice.objects.create(user=User.objects.get(username='admin'), key='{KEY}', "
        "name='phone', confirmed=True)",
    )
    assert enrolled.returncode == 0, enrolled.stderr
    ports = [free_port(), free_port()]
    servers = [start(cli_instance, port) for port in ports]
    try:
        one, other = (f"http://127.0.0.1:{port}" for port in ports)
        person = Browser()
        gaps = "/api/gaps/?month=2024-01"
        assert person.get(other + gaps)[0] == 401

        status, landed = person.post_form(
            one + "/accounts/login/", {"username": "admin", "password": PASSWORD}
        )
        assert (status, urllib.parse.urlsplit(landed).path) == (200, "/accounts/verify/")
        # The second factor through the other process: the half-signed-in session is shared.
        code = f"{TOTP(bytes.fromhex(KEY)).token():06d}"
        status, landed = person.post_form(other + "/accounts/verify/", {"code": code})
        assert (status, urllib.parse.urlsplit(landed).path) == (200, "/")

        for server in (one, other):
            status, body = person.get(server + gaps)
            assert status == 200, body
            assert '"month": "2024-01"' in body or '"month":"2024-01"' in body
        # Signed out through the first process, refused at once by the second.
        assert person.post(one + "/accounts/logout/", {})[0] == 200
        assert person.get(other + gaps)[0] == 401
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    for server in servers:
        # Each process swept sessions and held uploads at start, on the same database and
        # folder, without an error.
        assert "tidied:" in (server.stdout.read() if server.stdout else "")
