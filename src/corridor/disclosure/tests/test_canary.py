"""The canary: nothing organisation A keeps from others reaches an editor of organisation B.

Organisation A (pseudonymous) and N (anonymous) hold canary strings: their real names and
acronyms, an incident's witness, description and exact site, an activity's notes and village
tract and a transfer reference between them. An editor of B (a public organisation) then reads every
surface Corridor has: every page (from Django's URL resolver) and every GET operation of the
API (from its OpenAPI schema), with their path parameters filled with A's, N's and B's
records; the export downloads, shared and internal; the answers and error reports of imports
by B that name A and N by alias, real name, acronym, id and label (API and web upload); every
log line of the session (DEBUG and up); and the audit trail.

Each surface is one case; a failure names the surface, the request and the canary. A new page,
API operation or export is read without a line changed here; one with a path or query
parameter this file cannot fill fails and says which value to add to PARAMETERS.

What a canary may legitimately reach: an incident's description is shared reading inside the
network (every member reads incidents, docs/security/access-control.md), so it may appear on
signed-in pages, API answers and internal exports, and nowhere else (never in a shared
export, an import answer, a log line). The audit trail is read by administrators only (no page
or API shows it to B), so there the case checks what must never be kept in clear at all: the
protected values (docs/security/encryption.md; issue 10, "audit without secrets").
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import logging
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import get_resolver

from corridor.accounts.models import OrgRole
from corridor.accounts.tests.test_authz_matrix import _page_patterns as page_patterns
from corridor.aid.services import activity_record
from corridor.api import api
from corridor.audit.models import AuditEntry
from corridor.audit.services import audited_create
from corridor.disclosure import DisclosureError
from corridor.exchange.fields import KIND_NAMES
from corridor.exchange.formats.xlsform import FORMS
from corridor.funds.models import Evidence
from corridor.funds.services import dispute_open, grant_record, transfer_record
from corridor.geo.models import AdminUnit
from corridor.geo.resolver import invalidate_resolver
from corridor.geo.services import admin_units_load
from corridor.orgs.models import Visibility
from corridor.orgs.services import organisation_update
from corridor.situation.services import incident_record, source_record
from corridor.statements import services as statement_services
from corridor.statements.models import Statement
from corridor.testing.factories import (
    HeldRowFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from corridor.testing.signin import signed_in_client

TOWNSHIP = "MMR005022"
LATITUDE, LONGITUDE = 28.913579, 101.924681  # outside every boundary: no chance match

# Canary -> what it is. Distinctive tokens; matched case-insensitively.
ANON_NAME = "Mon Relief Circle Anonq7z3k"
ANON_ACRONYM = "AQZ3K7"
PSEUDO_NAME = "Karen Aid Network Pseuk4w2v"
PSEUDO_ACRONYM = "PSK4W2"
PSEUDO_ALIAS = "Silver Heron"  # public: not a canary
WITNESS = "Daw Witnessm8r5t, phone 09 4455 66"
DESCRIPTION = "Shelling near the monastery Descrj6n1p"
NOTES = "Cash for 40 families Notesh3g8y"
VILLAGE_TRACT = "Kyauk Tan Villtrq5w8z"  # protected: below the township (decision 0167)
REFERENCE = "TT-Refxb9c4d"
GRANT_PURPOSE = "Rice for the hidden camp Grntp7k2d"
DISPUTE_NOTE = "Short by 20 at the border Dispn5c8w"
EVIDENCE = b"photo bytes Evdnc4t9q"
# Two endorsers of A's joint statement who asked for anonymity (decision 0301).
ENDORSER = "Hidden Clinic Endrsk3v7"
ENDORSER_TWO = "Quiet Union Endrsq8w2"

CANARIES = {
    "anonq7z3k": "the anonymous organisation's real name",
    ANON_ACRONYM.lower(): "the anonymous organisation's acronym",
    "pseuk4w2v": "the pseudonymous organisation's real name",
    PSEUDO_ACRONYM.lower(): "the pseudonymous organisation's acronym",
    "witnessm8r5t": "the incident's witness",
    "descrj6n1p": "the incident's description",
    "notesh3g8y": "organisation A's activity notes",
    "villtrq5w8z": "organisation A's activity village tract",
    "refxb9c4d": "the transfer reference",
    "grntp7k2d": "the purpose of a grant between A and N",
    "dispn5c8w": "A's dispute note on its transfer to N",
    "evdnc4t9q": "an evidence photo of A's transfer to N",
    "endrsk3v7": "an anonymous endorser of A's joint statement",
    "endrsq8w2": "the other anonymous endorser of A's joint statement",
    **{f"{LATITUDE:.{d}f}": f"the incident's exact latitude ({d} decimals)" for d in (4, 5, 6)},
    **{f"{LONGITUDE:.{d}f}": f"the incident's exact longitude ({d} decimals)" for d in (4, 5, 6)},
}
# Plain columns by design (a pseudonymous organisation's name, free text): the audit trail,
# which only administrators read, may keep them. Every other canary is a protected value,
# kept only as a keyed hash or encrypted, never in clear, even in the audit trail.
PLAIN = {"pseuk4w2v", PSEUDO_ACRONYM.lower(), "descrj6n1p", "notesh3g8y", "grntp7k2d"}
PROTECTED = {k: v for k, v in CANARIES.items() if k not in PLAIN}
SHARED_READING = {"descrj6n1p"}  # incidents are network-shared reading (see the docstring)

# Values for path and query parameters, by name; "{x}" is filled from the seeded records.
PARAMETERS: dict[str, list[str]] = {
    "pk": [
        *("{A}", "{N}", "{B}", "{incident}", "{activity}", "{transfer}", "{source}"),
        *("{grant}", "{dispute}", "{evidence}", "{held}", "{statement}", "{statement_draft}"),
    ],
    "pcode": [TOWNSHIP],
    "kind": list(KIND_NAMES),
    "form": list(FORMS),
    "run_id": ["{runs}"],
    "name": ["map", "idps", "incidents", "reached"],
    # An invitation link's secret: a made-up one (the page then says the link does not work);
    # a real link names its organisation only as it may be named outside (test_members.py).
    "secret": ["not-a-real-invitation"],
}
REQUIRED_QUERY: dict[str, str] = {"month": "2024-03", "name": "Hpakant"}
PAGE_QUERY: dict[str, dict[str, str]] = {"enter/townships/": {"township": "Hpakant"}}

HEADER = "#sector,#modality,#adm3+code,#date+reported,#reached+f+adults"
ROW = f"health,service,{TOWNSHIP},2024-03,9"


# --- Surfaces, discovered at collection --------------------------------------------------


def _api_gets() -> dict[str, dict]:
    return {
        path: methods["get"]
        for path, methods in api.get_openapi_schema()["paths"].items()
        if "get" in methods
    }


def _pages() -> list[str]:
    api_paths = {path.lstrip("/") for path in _api_gets()}
    pages = set()
    for route in page_patterns(get_resolver().url_patterns):
        if route.startswith("admin/"):
            pages.add("admin/")  # the index and each changelist (B is no admin: refused)
            continue
        if route.startswith("api/") and route.replace("<", "{").replace(">", "}") in api_paths:
            continue  # an API operation: read from the schema below
        pages.add(route)
    return sorted(pages)


# Files B imports, each naming A or N one way; the same files go through the web upload.
IMPORTS = {
    "#org = A's alias": ("#org", PSEUDO_ALIAS),
    "#org = A's real name": ("#org", PSEUDO_NAME),
    "#org = A's acronym": ("#org", PSEUDO_ACRONYM),
    "#org+code = A's id": ("#org+code", "{A}"),
    "#org = N's real name": ("#org", ANON_NAME),
    "#org = N's acronym": ("#org", ANON_ACRONYM),
    "#org+code = N's id": ("#org+code", "{N}"),
    "#org = N's label": ("#org", "{N_label}"),
}
# The upload's organisation field, naming A or N.
IMPORT_ORGS = {
    "org = A's alias": PSEUDO_ALIAS,
    "org = A's real name": PSEUDO_NAME,
    "org = A's id": "{A}",
    "org = N's real name": ANON_NAME,
    "org = N's id": "{N}",
    "org = N's label": "{N_label}",
}
EXPORT_VARIANTS = {
    "shared": {},
    "shared, org = A": {"org": "{A}"},
    "shared, org = N": {"org": "{N}"},
    "internal": {"internal": "true"},
    "internal, org = A": {"internal": "true", "org": "{A}"},
    "internal, org = N": {"internal": "true", "org": "{N}"},
}

SURFACES = [
    *(f"page GET /{route}" for route in _pages()),
    *(f"API GET {path}" for path in sorted(_api_gets())),
    *(f"HXL export {kind} ({variant})" for kind in KIND_NAMES for variant in EXPORT_VARIANTS),
    *(f"API import, {name}" for name in IMPORTS),
    *(f"API import, {name}" for name in IMPORT_ORGS),
    *(f"web upload, {name}" for name in IMPORTS),
    *(f"statement export {fmt}" for fmt in ("html", "md", "txt")),
    "statement publication refused",
    "log lines",
    "audit trail",
]


def _kind(surface: str) -> str:
    """Which canaries a surface must not show (see the module docstring)."""
    if surface == "audit trail":
        return "audit"
    if "/exports/" in surface or surface.startswith("HXL export"):
        return "reading" if "internal" in surface else "outside"  # shared exports leave
    if surface.startswith(("page ", "API GET")):
        return "reading"
    return "outside"


def _typed(surface: str) -> str:
    """What B itself typed on an import surface: an answer may repeat it, and only it."""
    name = surface.split(", ", 1)[-1]
    found = IMPORTS.get(name, (None, IMPORT_ORGS.get(name, "")))[1]
    return found.lower()


def forbidden(surface: str) -> dict[str, str]:
    kind = _kind(surface)
    if kind == "audit":
        return PROTECTED
    if kind == "reading":
        return {k: v for k, v in CANARIES.items() if k not in SHARED_READING}
    typed = _typed(surface)
    return {k: v for k, v in CANARIES.items() if k not in typed}


# --- The world and the reading -----------------------------------------------------------


@dataclass
class Answer:
    what: str  # the request, as a person would repeat it
    text: str


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[Answer] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(Answer(f"{record.name} {record.levelname}", self.format(record)))


def _text(response: Any) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    body = b"".join(response) if getattr(response, "streaming", False) else response.content
    if body[:2] == b"PK":  # xlsx: read the sheets' XML, not the compressed bytes
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            body = b"\n".join(book.read(name) for name in book.namelist())
    return f"{headers}\n\n{body.decode(errors='replace')}"


def _fill(template: str, ids: dict[str, Any]) -> list[str]:
    """Every value of a "{x}" placeholder (run ids are many), or the text itself."""
    if template.startswith("{") and template.endswith("}"):
        found = ids[template[1:-1]]
        return [str(x) for x in found] if isinstance(found, list) else [str(found)]
    return [template]


def _paths(path: str, names: list[str], ids: dict[str, Any]) -> list[str]:
    """``path`` with each combination of values for its parameters."""
    options = []
    for name in names:
        if name not in PARAMETERS:
            pytest.fail(
                f"{path}: no value for the parameter {name!r}; add one to PARAMETERS in "
                "src/corridor/disclosure/tests/test_canary.py so the canary can read the route"
            )
        options.append([v for t in PARAMETERS[name] for v in _fill(t, ids)])
    out = []
    for values in itertools.product(*options):
        filled = path
        for name, value in zip(names, values, strict=True):
            for template in (f"{{{name}}}", f"<{name}>"):
                filled = filled.replace(template, value)
            for converter in ("str", "uuid", "slug", "int", "path"):
                filled = filled.replace(f"<{converter}:{name}>", value)
        out.append(filled)
    return out


def _activity(by: Any, organisation: Any, unit: Any, **values: Any) -> Any:
    return activity_record(
        by=by,
        organisation=organisation,
        sector="health",
        modality="service",
        admin_unit=unit,
        reporting_month=dt.date(2024, 3, 1),
        **values,
    )


def _statements(editor: Any) -> tuple[Any, Any]:
    """A's published joint statement with a named and two anonymous endorsers, and a draft
    with one anonymous endorser (which the gate would not yet let be published)."""
    source = source_record(by=editor, title="Statement source", publisher="Team A")
    made = []
    for title, endorsers in (
        ("Published statement", [("Open Ally", "name"), (ENDORSER, "anonymous"),
                                 (ENDORSER_TWO, "anonymous")]),
        ("Draft statement", [(ENDORSER, "anonymous")]),
    ):  # fmt: skip
        statement = statement_services.statement_create_draft(
            by=editor, title=title, body="We ask.[^1]", footnotes=[source]
        )
        for name, listed_as in endorsers:
            _invitation, secret = statement_services.invitation_create(
                by=editor, statement=statement, invitee=name, group="Japan"
            )
            statement_services.endorsement_accept(
                secret=secret, name=name, listed_as=listed_as, group="Japan"
            )
        made.append(statement)
    statement_services.statement_submit(by=editor, statement=made[0])
    statement_services.statement_publish(by=editor, statement=made[0])
    # An ask with a response, so the public trackers (/s/<id>/asks/, /asks/) list something.
    ask = statement_services.ask_add(
        by=editor, statement=made[0], text="Sanction the suppliers.", target="A government",
        target_kind="government",
    )  # fmt: skip
    statement_services.response_add(
        by=editor, ask=ask, on=dt.date(2026, 2, 1), status="acknowledged", summary="Noted."
    )
    return made[0], made[1]


class Reader:
    """An editor of B reading every surface; ``answers`` by surface."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Answer]] = {}
        self.ids: dict[str, Any] = {}

    def seed(self) -> None:
        admin_units_load(by=None)
        invalidate_resolver()
        unit = AdminUnit.objects.get(pcode=TOWNSHIP)
        a = OrganisationFactory(
            name=PSEUDO_NAME,
            acronym=PSEUDO_ACRONYM,
            visibility=Visibility.PSEUDONYMOUS,
            alias=PSEUDO_ALIAS,
        )
        n = OrganisationFactory(name=ANON_NAME, acronym=ANON_ACRONYM)
        b = OrganisationFactory(name="Open Relief B", acronym="ORB")
        a_editor = MembershipFactory(organisation=a, role=OrgRole.EDITOR).user
        n_admin = MembershipFactory(organisation=n, role=OrgRole.ORG_ADMIN).user
        # N becomes anonymous as its admin makes it so: through the service, audited.
        organisation_update(by=n_admin, organisation=n, visibility=Visibility.ANONYMOUS)
        n.refresh_from_db()
        assert ANON_NAME in n.protected_name
        assert ANON_NAME not in n.name
        source = source_record(by=a_editor, title="Field team report", publisher="Team A")
        incident = incident_record(
            by=a_editor,
            reporting_organisation=a,
            sources=[source],
            occurred_on=dt.date(2024, 3, 5),
            incident_type="airstrike",
            admin_unit=unit,
            latitude=LATITUDE,
            longitude=LONGITUDE,
            detained=2,
            description=DESCRIPTION,
        )
        incident.witnesses = WITNESS  # no service sets witnesses yet: the form field is to come
        incident.save(update_fields=["witnesses"])
        activity = _activity(a_editor, a, unit, women=3, notes=NOTES, village_tract=VILLAGE_TRACT)
        _activity(n_admin, n, unit, men=2)
        # A row A's partial import held for review, its cells holding A's canaries.
        held = HeldRowFactory(
            organisation=a,
            created_by=a_editor,
            cells=json.dumps(["", "health", "service", TOWNSHIP, "2024-03", "NA", NOTES]),
        )
        # B's own rows, some with A and N on the other side: B sees these, never A's or
        # N's real name through them.
        editor = UserFactory()
        MembershipFactory(user=editor, organisation=b, role=OrgRole.EDITOR)
        _activity(editor, b, unit, women=5)
        transfer, _, _ = (
            transfer_record(
                by=by,
                from_organisation=sender,
                to_organisation=receiver,
                amount=100,
                currency="USD",
                sent_on=dt.date(2024, 3, 3),
                channel="bank",
                reference=reference,
            )
            for by, sender, receiver, reference in (
                (a_editor, a, n, REFERENCE),
                (editor, b, a, "B-side transfer"),
                (n_admin, n, b, "B-side transfer"),
            )
        )
        grant = grant_record(
            by=a_editor,
            donor=a,
            recipient=n,
            title="A to N",
            amount=500,
            currency="USD",
            pledged_on=dt.date(2024, 3, 1),
            starts_on=dt.date(2024, 3, 1),
            purpose=GRANT_PURPOSE,
        )
        dispute = dispute_open(by=a_editor, transfer=transfer, note=DISPUTE_NOTE)
        # Raw bytes, as stored: the service would re-encode a real picture (and lose the canary).
        evidence = audited_create(
            Evidence(transfer=transfer, filename="receipt.jpg", content=EVIDENCE,
                     size=len(EVIDENCE), content_type="image/jpeg"),
            by=a_editor,
        )  # fmt: skip
        statement, draft = _statements(a_editor)
        self.ids = {
            "statement": statement.pk,
            "statement_draft": draft.pk,
            "A": a.pk,
            "N": n.pk,
            "N_label": n.name,
            "B": b.pk,
            "incident": incident.pk,
            "activity": activity.pk,
            "transfer": transfer.pk,
            "source": source.pk,
            "held": held.pk,
            "grant": grant.pk,
            "dispute": dispute.pk,
            "evidence": evidence.pk,
            "runs": [],
        }
        self.client = signed_in_client(editor, raise_request_exception=False)

    def get(self, surface: str, path: str, query: dict | None = None) -> None:
        with transaction.atomic():
            response = self.client.get(path, query or {})
        shown = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        self.answers.setdefault(surface, []).append(
            Answer(f"GET {shown} -> {response.status_code}", _text(response))
        )

    def _file(self, column: str, value: str) -> str:
        value = _fill(value, self.ids)[0]
        return f"{column},{HEADER}\r\n{value},{ROW}\r\n"

    def _import(self, surface: str, content: str, **data: str) -> None:
        with transaction.atomic():
            response = self.client.post(
                "/api/exchange/imports",
                {"file": SimpleUploadedFile("4w.csv", content.encode(), "text/csv"), **data},
            )
        answers = self.answers.setdefault(surface, [])
        answers.append(
            Answer(f"POST /api/exchange/imports -> {response.status_code}", _text(response))
        )
        if response.status_code == 200:
            body = response.json()
            if not any(canary in _typed(surface) for canary in CANARIES):
                self.ids["runs"].append(body["run_id"])  # read again below, by its id
            if body["error_report_url"]:
                report = self.client.get(body["error_report_url"])
                answers.append(Answer(f"GET {body['error_report_url']}", _text(report)))

    def imports(self) -> None:
        for name, (column, value) in IMPORTS.items():
            self._import(f"API import, {name}", self._file(column, value))
        good = f"{HEADER}\r\n{ROW}\r\n"
        for name, value in IMPORT_ORGS.items():
            org = _fill(value, self.ids)[0]
            self._import(f"API import, {name}", good, org=org, dry_run="true")
        for name, (column, value) in IMPORTS.items():
            with transaction.atomic():
                response = self.client.post(
                    "/enter/upload/",
                    {
                        "file": SimpleUploadedFile(
                            "4w.csv", self._file(column, value).encode(), "text/csv"
                        ),
                        "organisation": str(self.ids["B"]),
                    },
                )
            self.answers[f"web upload, {name}"] = [
                Answer(f"POST /enter/upload/ -> {response.status_code}", _text(response))
            ]

    def pages(self) -> None:
        for route in _pages():
            surface = f"page GET /{route}"
            if route == "admin/":
                self.get(surface, "/admin/")
                continue
            names = [part.split(">", 1)[0].split(":")[-1] for part in route.split("<")[1:]]
            for path in _paths(route, names, self.ids):
                self.get(surface, "/" + path, PAGE_QUERY.get(route))

    def api(self) -> None:
        for path, operation in _api_gets().items():
            surface = f"API GET {path}"
            parameters = operation.get("parameters", [])
            names = [p["name"] for p in parameters if p["in"] == "path"]
            query = {}
            for p in parameters:
                if p["in"] == "query" and p.get("required"):
                    if p["name"] not in REQUIRED_QUERY:
                        pytest.fail(
                            f"{path}: no value for the required query parameter "
                            f"{p['name']!r}; add one to REQUIRED_QUERY in "
                            "src/corridor/disclosure/tests/test_canary.py"
                        )
                    query[p["name"]] = REQUIRED_QUERY[p["name"]]
            for filled in _paths(path, names, self.ids):
                self.get(surface, filled, query)

    def exports(self) -> None:
        for kind in KIND_NAMES:
            for variant, query in EXPORT_VARIANTS.items():
                filled = {k: _fill(v, self.ids)[0] for k, v in query.items()}
                self.get(
                    f"HXL export {kind} ({variant})",
                    f"/api/exchange/exports/hxl/{kind}.csv",
                    filled,
                )

    def statements(self) -> None:
        """The exports as a service writes them (the command line's), and the error a refused
        publication gives (the draft's one anonymous endorser would stand alone)."""
        published = Statement.objects.get(pk=self.ids["statement"])
        for fmt in ("html", "md", "txt"):
            out = io.StringIO()
            statement_services.statement_export(by=None, statement=published, fmt=fmt, out=out)
            self.answers[f"statement export {fmt}"] = [Answer(f"export {fmt}", out.getvalue())]
        draft = Statement.objects.get(pk=self.ids["statement_draft"])
        answers = self.answers.setdefault("statement publication refused", [])
        with transaction.atomic():
            statement_services.statement_submit(by=None, statement=draft)
            try:
                statement_services.statement_publish(by=None, statement=draft)
            except DisclosureError as exc:
                answers.append(Answer("statement_publish", str(exc)))
            transaction.set_rollback(True)

    def audit(self) -> None:
        self.answers["audit trail"] = [
            Answer(
                f"audit entry {e.seq} ({e.action} {e.object_type})",
                json.dumps(
                    [e.actor_label, e.object_type, e.object_id, e.changes], ensure_ascii=False
                ),
            )
            for e in AuditEntry.objects.order_by("seq")
        ]


@pytest.fixture(scope="module")
def read(django_db_setup, django_db_blocker):
    """Seed, then read every surface as B's editor once; all of it rolled back after."""
    lines = _Lines()
    root = logging.getLogger()
    loggers = [root, *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    levels = [logger.level for logger in loggers]
    root.addHandler(lines)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    reader = Reader()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            reader.seed()
            reader.imports()  # first, so the pages and the API list B's import runs
            reader.pages()
            reader.api()
            reader.exports()
            reader.statements()
            reader.audit()
            transaction.set_rollback(True)
    finally:
        root.removeHandler(lines)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        invalidate_resolver()
    reader.answers["log lines"] = lines.lines
    return reader.answers


def leaks(surface: str, answers: list[Answer]) -> list[str]:
    return [
        f"  {answer.what}: shows {meaning} ({canary!r})"
        for answer in answers
        for canary, meaning in forbidden(surface).items()
        if canary in answer.text.lower()
    ]


@pytest.mark.django_db  # so the test database exists for the module's reading
@pytest.mark.parametrize("surface", SURFACES)
def test_no_canary_reaches_an_editor_of_another_organisation(read, surface):
    answers = read.get(surface)
    assert answers, f"{surface}: nothing was read; the canary reads every surface it lists"
    broken = [a.what for a in answers if a.what.endswith(tuple(f"-> {n}" for n in range(500, 600)))]
    assert not broken, f"{surface}: a server error hides what the answer would show: {broken}"
    found = leaks(surface, answers)
    assert not found, f"canary found on {surface}:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "text",
    [
        ANON_NAME,
        ANON_ACRONYM,
        PSEUDO_NAME.upper(),
        PSEUDO_ACRONYM,
        WITNESS,
        NOTES,
        REFERENCE,
        DESCRIPTION,
        json.dumps({"latitude": LATITUDE}),
        f"{LONGITUDE:.4f}",
        f"{LATITUDE:.5f}",
    ],
)
def test_the_canary_sees_each_leak(text):
    """A test of the test: a canary written into an answer is found, and named."""
    answer = [Answer("GET /somewhere -> 200", f"<td>{text}</td>")]
    assert leaks("log lines", answer)
    assert leaks("HXL export incidents (shared)", answer)
    shown_to_members = text == DESCRIPTION
    assert bool(leaks("API GET /api/situation/incidents/", answer)) is not shown_to_members
    kept_in_clear = text.lower() in (PSEUDO_NAME.upper().lower(), PSEUDO_ACRONYM.lower())
    assert bool(leaks("audit trail", answer)) is not (kept_in_clear or text in (NOTES, DESCRIPTION))


def test_an_answer_may_repeat_what_b_typed_and_nothing_more():
    typed_real_name = forbidden("API import, #org = A's real name")
    assert "pseuk4w2v" not in typed_real_name
    assert {"psk4w2", "anonq7z3k", "witnessm8r5t", "descrj6n1p"} <= set(typed_real_name)
    typed_acronym = forbidden("web upload, #org = N's acronym")
    assert "aqz3k7" not in typed_acronym
    assert "anonq7z3k" in typed_acronym  # the acronym must not bring back the real name
    assert forbidden("API import, org = A's alias") == CANARIES


def test_every_surface_has_a_rule():
    assert {_kind(s) for s in SURFACES} == {"reading", "outside", "audit"}
    assert _kind("API GET /api/exchange/exports/hxl/{kind}.csv") == "outside"
    assert _kind("API GET /api/exchange/exports/hxl-internal/{kind}.csv") == "reading"
    assert _kind("HXL export incidents (shared, org = A)") == "outside"
    assert _kind("web upload, #org = A's alias") == "outside"
    assert len(SURFACES) == len(set(SURFACES))
