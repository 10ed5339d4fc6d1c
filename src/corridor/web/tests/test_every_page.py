"""Every page on a phone (390 × 844) in a real browser: no console error, no Content Security
Policy violation, no sideways scroll of the page, and Burmese drawn with a Myanmar font.

The pages are found, not listed (corridor/testing/discovery.py): every GET route of the URL
configuration that is not an API operation, with its parameters filled by real ids from the
demo dataset (``ids_for``). A route that is not an HTML page, or whose parameters cannot be
filled, is listed in ``NOT_PAGES`` with the reason; a stale entry there fails too. So a page
added tomorrow is checked tomorrow, and a failure names the page and what is wrong with it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.accounts.services import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from corridor.aid.models import Activity
from corridor.demo.plan import Size
from corridor.demo.services import demo_load
from corridor.exchange.models import HeldRow, HeldStatus
from corridor.exchange.services import file_import
from corridor.exchange.tests.test_partial import HEADER, ROWS
from corridor.funds.models import Dispute, ExchangeRate, Grant, LegState, Spending, Transfer
from corridor.funds.services import dispute_open, evidence_add
from corridor.geo.models import AdminUnit, PlaceReview, ReviewStatus
from corridor.geo.services import admin_units_load
from corridor.orgs.models import Organisation
from corridor.orgs.services import invitation_create
from corridor.situation.models import DisplacementFigure, Incident, Source
from corridor.statements.models import Statement, Status
from corridor.statements.services import invitation_create as statement_invitation_create
from corridor.sync.models import Conflict
from corridor.testing import factories as f
from corridor.testing.discovery import ADMIN, discovered_routes
from corridor.testing.photos import gps_jpeg
from corridor.testing.signin import signed_in_client, totp_device
from corridor.web.tests.conftest import ARTIFACTS
from corridor.web.tests.test_sync_pages import sync_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
#: Big enough for long tables, names in both languages and every kind of record; small enough
#: to load in a few seconds.
DEMO = Size(townships=12, activities=300, incidents=30, field_reports=5, transfer_chains=15)

#: Routes that are not pages a person opens, each with the reason and where it is tested.
NOT_PAGES = {
    "GET data/<slug:name>.csv": "a CSV download of a dashboard series (test_pages.py)",
    "GET gaps.csv": "a CSV download of the gap table (test_pages.py)",
    "GET enter/townships/": "the township picker's htmx fragment, seen inside the entry form",
    "GET enter/upload/apply/": "POST only: imports a file the upload page checked",
    "GET language/": "POST only: the language button in every page's header",
    "GET accounts/logout/": "POST only: the sign-out button in every page's header",
    "GET accounts/tokens/<uuid:pk>/revoke/": "POST only: a button on the tokens page",
    "GET api/openapi.json": "the API's JSON schema, read by the /api/docs page (checked)",
    "GET api/": "the API's root: nothing is served there (404); the API's pages are /api/docs",
    "GET admin/login/": "sends the browser to /accounts/login/ (checked), with the 2nd factor",
    "GET activities/status/": "POST only: the bulk status form on the activities list",
    "GET activities/<uuid:pk>/restore/": "POST only: a button on a removed activity's page",
    "GET incidents/<uuid:pk>/restore/": "POST only: a button on a removed incident's page",
    "GET figures/<uuid:pk>/restore/": "POST only: a button on a removed figure's page",
    "GET enter/upload/map/": "POST only: the mapping step of the upload page",
    "GET enter/held/<uuid:pk>/fix/": "POST only: a button of the held rows' review list",
    "GET enter/held/<uuid:pk>/drop/": "POST only: a button of the held rows' review list",
    "GET map/print.svg": "an SVG download of the printable map (test_printmap.py)",
    "GET money/grants/<uuid:pk>/report.csv": "a CSV download of the donor report "
    "(test_funds_reports.py)",
    "GET money/grants/<uuid:pk>/iati.xml": "an XML download (test_funds_reports.py)",
    "GET ledger.csv": "a CSV download of the public ledger (test_public_ledger.py)",
    "GET money/transfers/<uuid:pk>/restore/": "POST only: a button on a removed transfer's page",
    "GET money/evidence/<uuid:pk>/": "an evidence photo (JPEG), shown on the transfer page "
    "(test_money_pages.py)",
    "GET money/screening/decide/": "opened from a screening warning with the name, entity and "
    "organisation (test_browser_screening.py)",
    "GET s/<uuid:pk>/statement.html": "a statement's HTML file, downloaded "
    "(test_browser_statements.py)",
    "GET s/<uuid:pk>/statement.md": "a statement's Markdown download (test_browser_statements.py)",
    "GET s/<uuid:pk>/statement.txt": "a statement's text download (test_browser_statements.py)",
    "GET money/spending/<uuid:pk>/restore/": "POST only: a button on the grant's page "
    "(test_browser_money_removal.py)",
    "GET money/rates/<uuid:pk>/restore/": "POST only: a button on the rates page "
    "(test_browser_money_removal.py)",
}
#: Pages a signed-in person never sees: opened signed out, or half signed in (password given,
#: second factor not yet); "enrol" is for a user without an authenticator.
SIGNED_OUT = {"GET accounts/login/", "GET join/<str:secret>/", "GET endorse/<str:secret>/"}
HALF_SIGNED_IN = {"GET accounts/verify/", "GET accounts/enrol/"}
#: What the admin area is checked by: its index page.
ADMIN_PAGE = "/admin/"
#: The Unicode Myanmar fonts named in site.css; CI installs Padauk (fonts-sil-padauk).
MYANMAR_FONTS = {
    "Myanmar Text",
    "Noto Sans Myanmar",
    "Noto Sans Myanmar UI",
    "Padauk",
    "Padauk Book",
    "Pyidaungsu",
    "Myanmar Sangam MN",
    "Myanmar MN",
}

# Run in every page before its own scripts: CSP violations are kept even when the browser
# does not log them to the console.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                    (e.sourceFile ? " at " + e.sourceFile + ":" + e.lineNumber : "")));
"""
# The elements sticking out of the right edge outside any box that scrolls on its own: what
# makes the page scroll sideways.
WIDE_ELEMENTS = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + Array.from(el.classList).join(".") : "");
  return Array.from(document.body.querySelectorAll("*"))
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
    .slice(0, 4)
    .map((el) => name(el) + " to " + Math.round(el.getBoundingClientRect().right) + "px");
}
"""


def ids_for(route: str) -> dict[str, str] | None:
    """Real values for a route's parameters, by the model its first path part names."""
    first = route.split("/", 1)[0]
    values: dict[str, str] = {}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if name == "pcode":
            unit = AdminUnit.objects.filter(level=3, activities__isnull=False).first()
            values[name] = unit.pcode
        elif name == "name" and first == "data":
            values[name] = "idps"
        elif name == "secret" and first == "join":  # a new person's invitation link
            values[name] = INVITATION["secret"]
        elif name == "secret" and first == "endorse":  # an endorsement link, no account
            values[name] = INVITATION["endorse"]
        elif name in ("pk", "id") and first == "money":
            values[name] = str(MONEY_PK_SOURCES[route.split("/")[1]]().pk)
        elif name in ("pk", "id") and first in PK_SOURCES:
            values[name] = str(PK_SOURCES[first]().pk)
        else:
            return None
    return values


#: The secret of the invitation the demo fixture makes (shown only once, when it is made).
INVITATION: dict[str, str] = {}

PK_SOURCES: dict[str, Callable[[], Any]] = {
    "organisations": lambda: Organisation.objects.filter(activities__isnull=False).first(),
    "activities": lambda: Activity.objects.order_by("id").first(),
    "incidents": lambda: Incident.objects.order_by("id").first(),
    "figures": lambda: DisplacementFigure.objects.order_by("id").first(),
    "transfers": lambda: Transfer.objects.order_by("id").first(),
    "sources": lambda: Source.objects.order_by("id").first(),
    "statements": lambda: Statement.objects.order_by("id").first(),
    "s": lambda: Statement.objects.get(status=Status.PUBLISHED),
    "sync": lambda: Conflict.objects.order_by("id").first(),
}


SWEEP_AMOUNT = Decimal("43217.00")  # no demo transfer has it
#: The money pages by their second path part: the sweep's transfer, received by the admin's
#: organisation and disputed (see ``demo``), so its confirm and resolve pages open.
MONEY_PK_SOURCES: dict[str, Callable[[], Any]] = {
    "grants": lambda: Grant.objects.order_by("id").first(),
    "transfers": lambda: Transfer.objects.get(amount=SWEEP_AMOUNT),
    "disputes": lambda: Dispute.objects.get(transfer__amount=SWEEP_AMOUNT),
    "spending": lambda: Spending.objects.order_by("id").first(),
    "rates": lambda: ExchangeRate.objects.order_by("id").first(),
}


def pages() -> tuple[list[tuple[str, str]], list[str]]:
    """(route key, address) of every page; and the problems of routes that could not be filled."""
    found, problems = [], []
    keys = set()
    for item in discovered_routes():
        method, route = item.key.split(" ", 1)
        if method != "GET" or route.startswith("/api/"):
            continue  # API operations: tested over HTTP in each app's test_api.py
        keys.add(item.key)
        if item.key in NOT_PAGES:
            continue
        if item.key == ADMIN:
            found.append((item.key, ADMIN_PAGE))
            continue
        values = ids_for(route)
        if values is None:
            problems.append(
                f"{item.key}: no real value for its parameters; teach ids_for() where to find "
                "one, or list the route in NOT_PAGES with the reason"
            )
            continue
        address = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: v[m.group(1)], route)
        found.append((item.key, "/" + address))
    problems += [
        f"{key}: listed in NOT_PAGES but no longer served" for key in NOT_PAGES.keys() - keys
    ]
    return found, problems


def session_cookie(user, *, second_factor: bool = True) -> str:
    if second_factor:
        client = signed_in_client(user)
    else:  # password accepted, second factor still to come: what the sign-in page leaves
        client = Client()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        session, now = client.session, int(time.time())
        session[SESSION_SIGNED_IN_AT] = session[SESSION_LAST_SEEN] = now
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Phone:
    """One browser tab at 390 × 844 with a session, collecting what goes wrong on each page."""

    def __init__(self, chromium, base: str, cookie: str | None, who: str) -> None:
        self.context = chromium.new_context(viewport=PHONE, device_scale_factor=1)
        if cookie:
            self.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
            )
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.base, self.who = base, who
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.console.append(f"{m.text[:300]} (from {m.location.get('url') or '?'})")
                if m.type == "error"
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught {e}"[:300]))
        # The page's requests in flight, so that a page is left once they have all ended
        # (Playwright's "networkidle" waits a fixed half second of quiet on every page).
        self.pending: set = set()
        self.page.on("request", lambda r: self.pending.add(r))
        self.page.on("requestfinished", lambda r: self.pending.discard(r))
        self.page.on("requestfailed", lambda r: self.pending.discard(r))
        # The page checked last (where, status expected, status answered): what it logs after
        # its check is reported for it when the next page is opened or the tab is closed.
        self.last: tuple[str, int, int] | None = None

    def settle(self, quiet_ms: int = 150, limit_ms: int = 20_000) -> bool:
        """Wait until no request is in flight and none has started for ``quiet_ms``: late
        requests (the icon, htmx) log their errors here, not on the next page. False when
        the page still had requests in flight after ``limit_ms``."""
        step, still, waited = 50, 0, 0
        while still < quiet_ms:
            self.page.wait_for_timeout(step)  # Playwright delivers the page's events meanwhile
            waited += step
            still = 0 if self.pending else still + step
            if waited >= limit_ms:
                return False
        return True

    def check(self, key: str, address: str, *, status: int = 200) -> list[str]:
        """Open the page; return its problems, each naming the page and the person."""
        problems = self.late()
        where = f"{key} ({address}, {self.who})"
        try:
            response = self.page.goto(self.base + address, wait_until="load")
        except Exception as exc:  # a download, a crash of the browser: say which page
            return [
                *problems,
                f"{where}: could not be opened as a page: {str(exc).splitlines()[0]}",
            ]
        self.last = (where, status, response.status)
        if not self.settle():
            problems.append(f"{where}: requests still in flight 20 s after the page loaded")
        if response.status != status:
            problems.append(f"{where}: answered {response.status}, expected {status}")
        if "text/html" not in (response.headers.get("content-type") or ""):
            problems.append(f"{where}: not an HTML page; list it in NOT_PAGES with the reason")
            self.console.clear()
            return problems
        landed = self.page.url.removeprefix(self.base)
        if landed.split("?")[0] != address.split("?")[0]:
            problems.append(f"{where}: was sent on to {landed}")
        problems += [f"{where}: console error: {e}" for e in self.errors()]
        problems += [
            f"{where}: Content Security Policy violation: {v}"
            for v in self.page.evaluate("window.__csp || []")
        ]
        scroll, client = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            wide = ", ".join(self.page.evaluate(WIDE_ELEMENTS)) or "(none found by name)"
            problems.append(
                f"{where}: the page scrolls sideways ({scroll}px wide on a {client}px screen); "
                f"too wide: {wide}"
            )
        return problems

    def errors(self) -> list[str]:
        """The console's errors since the last call, but the page's own status: the browser
        logs a 4xx page as an error, which is not a fault of a page expected to answer so."""
        errors = list(self.console)
        self.console.clear()
        if self.last is None:
            return errors
        _where, status, answered = self.last
        return [e for e in errors if not (status >= 400 and f"status of {answered}" in e)]

    def late(self) -> list[str]:
        """What the page checked last logged after its check."""
        errors = self.errors()
        if self.last is None:
            return [f"(before any page, {self.who}): console error: {e}" for e in errors]
        return [f"{self.last[0]}: console error after its check: {e}" for e in errors]

    def fonts_of(self, selector: str) -> dict[str, int]:
        """The fonts the browser drew an element's text with: {family: glyphs}."""
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        cdp.detach()
        return {font["familyName"]: font["glyphCount"] for font in used}

    def close(self) -> list[str]:
        """Close the tab; return what the page checked last logged late."""
        self.settle()
        problems = self.late()
        self.context.close()
        return problems


#: A partial upload's rows (exchange/tests/test_partial.py): two good, three held — one of them
#: for an ambiguous township name, which also leaves a place name to review.
HELD_FILE = HEADER.replace("#org,", "") + "\r\n".join(r.split(",", 1)[1] for r in ROWS) + "\r\n"


@pytest.fixture
def demo(db, tmp_path):
    admin_units_load()
    demo_load(size=DEMO)
    org = Organisation.objects.filter(activities__isnull=False).order_by("name").first()
    admin = f.UserFactory(
        username="sweep-admin", global_role=GlobalRole.ADMIN, is_staff=True, language="en"
    )
    f.MembershipFactory(user=admin, organisation=org, role=OrgRole.EDITOR)
    # An invitation link of the organisation, as its admin hands it to a new person.
    _invitation, INVITATION["secret"] = invitation_create(
        by=admin, organisation=org, role=OrgRole.EDITOR
    )
    # An endorsement link of the demo's draft statement, as its owners hand it out.
    _invitation, INVITATION["endorse"] = statement_invitation_create(
        by=None, statement=Statement.objects.get(status=Status.DRAFT), invitee="Sweep ally"
    )
    # The review pages with something to review, not only their empty state.
    path = tmp_path / "5w.csv"
    path.write_text(HELD_FILE, encoding="utf-8")
    file_import(by=admin, path=path, kind="activities", organisation=org, partial=True)
    assert HeldRow.objects.filter(status=HeldStatus.HELD).count() == 3
    assert PlaceReview.objects.filter(status=ReviewStatus.OPEN).exists()
    coordinator = f.UserFactory(
        username="sweep-coordinator", global_role=GlobalRole.COORDINATOR, language="my"
    )
    f.MembershipFactory(user=coordinator, organisation=org, role=OrgRole.EDITOR)
    viewer = f.UserFactory(username="sweep-viewer", language="en")
    f.MembershipFactory(user=viewer, organisation=org, role=OrgRole.VIEWER)
    newcomer = f.UserFactory(username="sweep-newcomer", language="en")  # no authenticator yet
    totp_device(viewer)
    # A transfer the admin's organisation received, claimed by the sender, disputed, with a
    # photo: every money page then has something to show and a button to press.
    sender = Organisation.objects.exclude(pk=org.pk).order_by("name").first()
    grant = Grant.objects.order_by("id").first()
    # In the grant's own currency, so that its report and custody pages need no new rate.
    transfer = f.TransferFactory(
        from_organisation=sender,
        to_organisation=org,
        grant=grant,
        currency=grant.currency,
        received_currency=grant.currency,
        received_state=LegState.CLAIMED,
        amount=SWEEP_AMOUNT,
    )
    dispute_open(by=admin, transfer=transfer, note="Short by 20")
    evidence_add(by=admin, transfer=transfer, filename="receipt.jpg", data=gps_jpeg())
    sync_state()  # the sync page with a peer and a conflict to settle
    return {"admin": admin, "coordinator": coordinator, "viewer": viewer, "newcomer": newcomer}


def test_every_page_fits_a_phone_without_console_errors(live_server, chromium, demo):
    found, problems = pages()
    assert len(found) >= 15, found  # the discovery itself works
    base = live_server.url

    # Every page, as an administrator who is also an editor of an organisation (so the entry
    # forms open), in English.
    admin = Phone(chromium, base, session_cookie(demo["admin"]), "admin")
    for key, address in found:
        if key in SIGNED_OUT or key in HALF_SIGNED_IN:
            continue
        problems += admin.check(key, address)
    # The review pages were checked with something on them, not only empty.
    for address, item, count in (
        ("/enter/held/", ".held-row", 3),
        ("/places/review/", ".review", 1),
    ):
        admin.page.goto(base + address)
        if admin.page.locator(item).count() < count:
            problems.append(f"{address}: fewer than {count} {item} to check it with")
    admin.page.goto(base + "/")
    admin.page.screenshot(path=str(ARTIFACTS / "phone-dashboard-en.png"))
    problems += admin.close()

    # Signed out, and half signed in.
    anonymous = Phone(chromium, base, None, "signed out")
    for key, address in found:
        if key in SIGNED_OUT:
            problems += anonymous.check(key, address)
    problems += anonymous.check("(no such page)", "/no-such-page/", status=404)
    problems += anonymous.close()
    for key, address in found:
        if key in HALF_SIGNED_IN:
            user = demo["viewer"] if key == "GET accounts/verify/" else demo["newcomer"]
            half = Phone(chromium, base, session_cookie(user, second_factor=False), "half")
            problems += half.check(key, address)
            problems += half.close()

    # A viewer: the pages it may read, and the styled refusal of an entry form.
    viewer = Phone(chromium, base, session_cookie(demo["viewer"]), "viewer")
    problems += viewer.check("GET ", "/")
    problems += viewer.check("GET activities/", "/activities/")
    problems += viewer.check("GET enter/activity/", "/enter/activity/", status=403)
    problems += viewer.close()

    # In Burmese, as a coordinator: the main pages fit, and Burmese is drawn with a Myanmar
    # font (not boxes): the browser names the fonts it used for the heading's glyphs.
    burmese = Phone(chromium, base, session_cookie(demo["coordinator"]), "coordinator, Burmese")
    main_pages = dict(found)
    burmese_headings = {
        "GET ": "h1",
        "GET gaps/": "h1",
        "GET townships/<str:pcode>/": "h1 [lang=my]",  # the English name beside it aside
        "GET enter/activity/": "h1",
    }
    for key, heading in burmese_headings.items():
        problems += burmese.check(key, main_pages[key])
        assert burmese.page.locator("html").get_attribute("lang") == "my"
        fonts = burmese.fonts_of(heading)
        if not fonts or not set(fonts) <= MYANMAR_FONTS:
            problems.append(
                f"{key} (Burmese): the heading was drawn with {fonts}, not only with a Myanmar "
                f"font ({', '.join(sorted(MYANMAR_FONTS))})"
            )
    burmese.page.goto(base + "/")
    burmese.page.screenshot(path=str(ARTIFACTS / "phone-dashboard-my.png"))
    problems += burmese.close()

    assert not problems, "\n".join(problems)
