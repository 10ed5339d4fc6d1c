"""What each main page weighs on a slow link and how soon it starts to arrive, on the demo data.

Sets up the demo instance (`corridor demo --no-serve`, synthetic data) in a temporary folder,
serves it with `corridor serve` (waitress, as in production) and, signed in as the demo
coordinator (the entry form as the demo editor), asks each main page with
``Accept-Encoding: gzip``. For each page: the compressed size of the HTML, the compressed size
of a first visit (the HTML and every stylesheet, script and icon it names, and for /api/docs
the schema its script fetches), and the time to first byte (from sending the request to the
status line; median and slowest of N, after one warm-up request). Targets (issue 12):
<= 100 KB compressed and <= 300 ms to first byte.

With ``--screenshot PATH`` it also saves the dashboard as a phone shows it (390 × 844, in
Burmese, Debian's chromium through Playwright): docs/screenshots/dashboard-phone.png is made so.
With ``--screenshots FOLDER`` it saves every demo screenshot of README.md and docs/ (the
dashboard and gaps in English and Burmese, the busiest township, the printed map, the phone).

Run:  .venv/bin/python bench/pages.py                  (about a minute on a quiet machine)
      .venv/bin/python bench/pages.py --repeat 15 --home /path/to/an/instance/with/the/demo
      .venv/bin/python bench/pages.py --repeat 1 --screenshot docs/screenshots/dashboard-phone.png
      .venv/bin/python bench/pages.py --repeat 1 --screenshots docs/screenshots
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_BYTES = 100 * 1024
TARGET_SECONDS = 0.300
CORRIDOR = str(Path(sys.executable).with_name("corridor"))
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, cookie: str | None) -> tuple[int, float, bytes]:
    """(status, seconds to the first byte of the answer, body as sent: gzip if it was)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept-Encoding": "gzip", "Host": f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    connection.connect()
    start = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    first_byte = time.perf_counter() - start
    body = response.read()
    connection.close()
    return response.status, first_byte, body


def cookies(home: Path) -> dict[str, str]:
    """Signed-in session cookies (password and second factor) for the demo users."""
    os.environ["CORRIDOR_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    import django

    django.setup()
    from django.conf import settings

    from corridor.accounts.models import User
    from corridor.testing.signin import signed_in_client

    name = settings.SESSION_COOKIE_NAME
    out = {}
    for username in ("demo-coordinator", "demo-editor", "demo-org-admin"):
        client = signed_in_client(User.objects.get(username=username))
        out[username] = f"{name}={client.cookies[name].value}"
    return out


def busiest_township() -> str:
    from django.db.models import Count

    from corridor.geo.models import AdminUnit

    unit = AdminUnit.objects.annotate(n=Count("activities")).order_by("-n", "pcode").first()
    return unit.pcode


def record_pages() -> list[tuple[str, str, str]]:
    """(label, address, user) of the pages that name one record or organisation: the demo's
    first rows, each opened by a user who may (the edit form by the editor of its organisation,
    the members page by the organisation's admin)."""
    from corridor.accounts.models import Membership, OrgRole
    from corridor.aid.models import Activity
    from corridor.situation.models import DisplacementFigure, Incident

    edited = Membership.objects.filter(user__username="demo-editor", role=OrgRole.EDITOR)
    own = Activity.objects.filter(organisation__in=edited.values("organisation")).order_by("id")
    activity = own.first()
    managed = Membership.objects.get(user__username="demo-org-admin", role=OrgRole.ORG_ADMIN)
    incident = Incident.objects.order_by("id").first()
    figure = DisplacementFigure.objects.order_by("id").first()
    organisation = managed.organisation_id
    return [
        ("activity detail", f"/activities/{activity.pk}/", "demo-coordinator"),
        ("activity edit form", f"/activities/{activity.pk}/edit/", "demo-editor"),
        ("incident detail", f"/incidents/{incident.pk}/", "demo-coordinator"),
        ("figure detail", f"/figures/{figure.pk}/", "demo-coordinator"),
        ("organisation page", f"/organisations/{organisation}/", "demo-coordinator"),
        ("members", f"/organisations/{organisation}/members/", "demo-org-admin"),
    ]


def phone_screenshot(port: int, cookie: str, path: Path) -> None:
    """The dashboard in Burmese on a 390 × 844 phone screen (what the first screen shows)."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    name, value = cookie.split("=", 1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies(
            [
                {"name": name, "value": value, "url": base},
                {"name": "django_language", "value": "my", "url": base},
            ]
        )
        page = context.new_page()
        page.goto(base + "/", wait_until="load")
        page.screenshot(path=str(path))
        browser.close()
    print(f"saved {path}")


def doc_screenshots(port: int, cookie: str, folder: Path, township: str) -> None:
    """The screenshots in README.md and docs/ that show the demo, in one run: what each page
    shows on a laptop's first screen (1280 × 900, not the whole page, to keep the files small),
    the printed map as paper shows it, and the dashboard on a phone."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    name, value = cookie.split("=", 1)
    shots = [
        ("dashboard-demo.png", "/", "en"),
        ("dashboard-my.png", "/", "my"),
        ("gaps-demo.png", "/gaps/", "en"),
        ("gaps-my.png", "/gaps/", "my"),
        ("township-my.png", f"/townships/{township}/", "my"),
        ("map-print.png", "/map/print/", "en"),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        for file_name, path, language in shots:
            # The printed map as one A4 sheet at 96 dots per inch; the rest a laptop's screen.
            paper = file_name == "map-print.png"
            size = {"width": 794, "height": 1123} if paper else {"width": 1280, "height": 900}
            context = browser.new_context(viewport=size)
            context.add_cookies(
                [
                    {"name": name, "value": value, "url": base},
                    {"name": "django_language", "value": language, "url": base},
                ]
            )
            page = context.new_page()
            page.set_default_timeout(120_000)  # the first map of a process projects every border
            page.goto(base + path, wait_until="networkidle")
            if paper:
                page.emulate_media(media="print")  # no menus, as on paper
            # The sheet whole (its legend, sources and "produced with Corridor" under the map).
            page.screenshot(path=str(folder / file_name), full_page=paper)
            context.close()
            print(f"saved {folder / file_name}")
        browser.close()
    phone_screenshot(port, cookie, folder / "dashboard-phone.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed requests per page (9)")
    parser.add_argument("--home", type=Path, help="an instance that already holds the demo")
    parser.add_argument("--screenshot", type=Path, help="save the dashboard on a phone here")
    parser.add_argument(
        "--screenshots", type=Path, help="save the docs' demo screenshots in this folder"
    )
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="corridor-bench-pages-")
    home = args.home
    if home is None:
        home = Path(scratch.name) / "corridor-demo"
        subprocess.run(
            [CORRIDOR, "--home", str(home), "demo", "--no-serve"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    signed_in = cookies(home)
    township = busiest_township()
    pages = [
        ("dashboard", "/", "demo-coordinator"),
        ("gaps", "/gaps/", "demo-coordinator"),
        ("township page", f"/townships/{township}/", "demo-coordinator"),
        ("activities list", "/activities/", "demo-coordinator"),
        ("entry form", "/enter/activity/", "demo-editor"),
        ("files", "/exchange/", "demo-coordinator"),
        ("organisations", "/organisations/", "demo-coordinator"),
        ("API docs", "/api/docs", "demo-coordinator"),
        # Added with the record, review and print pages of issue 12 (bench/README.md).
        ("incidents list", "/incidents/", "demo-coordinator"),
        *record_pages(),
        ("figure entry form", "/enter/figure/", "demo-editor"),
        ("incident entry form", "/enter/incident/", "demo-editor"),
        ("upload", "/enter/upload/", "demo-editor"),
        ("held rows", "/enter/held/", "demo-editor"),
        ("place names to review", "/places/review/", "demo-coordinator"),
        ("printable map", "/map/print/", "demo-coordinator"),
        ("printable map, SVG", "/map/print.svg", "demo-coordinator"),
    ]
    port = free_port()
    server = subprocess.Popen(
        [CORRIDOR, "--home", str(home), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):  # up to two minutes: a busy machine starts the server slowly
            try:
                get(port, "/accounts/login/", None)
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"{args.repeat} timed requests per page after one warm-up; targets <= 100 KB, <= 300 ms"
        )
        print(
            "| page | address | HTML, gzip | first visit, gzip | TTFB median | TTFB slowest | meets |"  # noqa: E501
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for label, path, user in pages:
            cookie = signed_in[user]
            status, _, body = get(port, path, cookie)
            if status != 200:
                raise SystemExit(f"{label} ({path}) answered {status}")
            times = [get(port, path, cookie)[1] for _ in range(args.repeat)]
            html = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
            assets = sorted(set(ASSET.findall(html.decode("utf-8"))))
            if path == "/api/docs":
                assets.append("/api/openapi.json")
            first_visit = len(body) + sum(len(get(port, a, cookie)[2]) for a in assets)
            median, slowest = statistics.median(times), max(times)
            meets = first_visit <= TARGET_BYTES and median <= TARGET_SECONDS
            print(
                f"| {label} | `{path}` | {len(body) / 1024:.1f} KB | {first_visit / 1024:.1f} KB "
                f"| {median * 1000:.0f} ms | {slowest * 1000:.0f} ms | {'yes' if meets else 'no'} |"
            )
        if args.screenshot:
            phone_screenshot(port, signed_in["demo-coordinator"], args.screenshot)
        if args.screenshots:
            doc_screenshots(port, signed_in["demo-coordinator"], args.screenshots, township)
    finally:
        server.terminate()
        server.wait(timeout=30)
        scratch.cleanup()


if __name__ == "__main__":
    main()
