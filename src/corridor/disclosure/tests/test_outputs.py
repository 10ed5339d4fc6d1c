"""The fitness test that keeps the disclosure gate wired: every output is marked, or said not to be.

Discovered, not listed by hand (corridor/testing/discovery.py): every page and API operation,
every `corridor` command, every service function that writes a file. Each must carry an output
mark (corridor/disclosure/outputs.py: shared, internal with a role, or reference) or have one
line in NOT_AN_OUTPUT below saying why it is not an output. Then:

- every shared route is requested over HTTP by a signed-in viewer in a seeded world and must
  answer 2xx: the shared mark raises when the answer was built without the gate;
- no shared answer holds a marker of what the gate must keep back (an anonymous organisation's
  real name, an exact coordinate, an incident's free text);
- every internal output's role is an action of the access policy;
- every output in the register is described in docs/security/disclosure.md.

The tests at the end show the checks fail for an unmarked route, command or export function and
for a shared output that skips the gate. How to add an output: docs/security/disclosure.md.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from ninja import NinjaAPI, Router
from ninja.constants import NOT_SET

from corridor.accounts import policy
from corridor.accounts.models import OrgRole
from corridor.disclosure import (
    INTERNAL,
    REGISTER,
    SHARED,
    Output,
    output_of,
    publish_table,
    shared_output,
)
from corridor.funds.models import Grant
from corridor.orgs.models import Visibility
from corridor.statements import services as statement_services
from corridor.testing import factories as f
from corridor.testing.discovery import (
    Found,
    api_operations,
    discovered_commands,
    discovered_file_writers,
    discovered_routes,
)
from corridor.testing.signin import signed_in_client

DOC = Path(__file__).resolve().parents[4] / "docs" / "security" / "disclosure.md"

SIGN_IN = "sign-in and account pages: about the person signing in, no records"
RECORD_API = (
    "record API scoped per record by the access policy; who may read and write it is the "
    "authorisation matrix (accounts/tests/test_authz_matrix.py)"
)
PAGE = (
    "signed-in page, governed by access control (docs/security/access-control.md); not a "
    "download: what can be passed on is its CSV, which is marked"
)
FORM = "entry form or upload page: takes data in, shows only the person's own input"
GAZETTEER = "gazetteer reference data (MIMU p-codes, names, boundaries): no records"
OPERATOR = "the operator's terminal on the instance itself; prints no records to pass on"

#: Everything discovered that is not an output, each with the reason. One line each.
NOT_AN_OUTPUT: dict[str, str] = {
    # --- Pages
    "GET ": PAGE,
    "GET gaps/": PAGE,
    "GET townships/<str:pcode>/": PAGE,
    "GET organisations/": PAGE,
    "GET places/review/": (
        "place names imports could not settle, with the file and row they came from and "
        "the gazetteer's suggestions; for coordinators and admins; no records"
    ),
    "GET organisations/<uuid:pk>/": PAGE,
    "GET organisations/<uuid:pk>/members/": (
        "an organisation's user names and roles, for its organisation admins; no records"
    ),
    "GET join/<str:secret>/": "an invitation to join: names the organisation as outside only",
    "GET incidents/": PAGE,
    "GET activities/": PAGE,
    "GET activities/status/": "bulk status change of the person's chosen rows; answers with a "
    "redirect",
    "GET activities/<uuid:pk>/edit/": FORM,
    "GET activities/<uuid:pk>/remove/": FORM,
    "GET activities/<uuid:pk>/restore/": "restores a removed record; answers with a redirect",
    "GET incidents/<uuid:pk>/edit/": FORM,
    "GET incidents/<uuid:pk>/remove/": FORM,
    "GET incidents/<uuid:pk>/restore/": "restores a removed record; answers with a redirect",
    "GET figures/<uuid:pk>/edit/": FORM,
    "GET figures/<uuid:pk>/remove/": FORM,
    "GET figures/<uuid:pk>/restore/": "restores a removed record; answers with a redirect",
    "GET enter/activity/": FORM,
    "GET enter/figure/": FORM,
    "GET enter/incident/": FORM,
    "GET enter/townships/": "township picker for the entry forms: gazetteer names only",
    "GET enter/upload/": FORM,
    "GET enter/upload/apply/": FORM,
    "GET enter/upload/map/": FORM,
    "GET enter/held/": "rows the person's own or their organisation's partial imports held, "
    "for review: their own input back to them (decision 0205)",
    "GET enter/held/<uuid:pk>/fix/": "POST only: fixes a held row; answers with a redirect",
    "GET enter/held/<uuid:pk>/drop/": "POST only: drops a held row; answers with a redirect",
    "GET language/": "switches the language; answers with a redirect",
    "GET money/grants/<uuid:pk>/custody/": (
        "a grant's chain of custody and its picture, for the grant's parties and the "
        "intermediaries its money went through (access control); what can be passed on is the "
        "donor report, which is marked"
    ),
    "GET money/": PAGE,
    "GET money/transfers/new/": FORM,
    "GET money/transfers/<uuid:pk>/edit/": FORM,
    "GET money/transfers/<uuid:pk>/confirm/": FORM,
    "GET money/transfers/<uuid:pk>/photo/": FORM,
    "GET money/transfers/<uuid:pk>/dispute/": FORM,
    "GET money/transfers/<uuid:pk>/remove/": FORM,
    "GET money/transfers/<uuid:pk>/restore/": "restores a removed transfer; answers with a "
    "redirect",
    "GET money/disputes/<uuid:pk>/resolve/": FORM,
    "GET money/grants/new/": FORM,
    "GET money/grants/<uuid:pk>/edit/": FORM,
    "GET money/grants/<uuid:pk>/spending/": FORM,
    "GET money/spending/<uuid:pk>/edit/": FORM,
    "GET money/rates/": "the exchange-rate table: reference data (date, currencies, rate, kind, "
    "source), no records of any organisation",
    "GET money/rates/new/": FORM,
    "GET money/rates/<uuid:pk>/edit/": FORM,
    "GET accounts/login/": SIGN_IN,
    "GET accounts/verify/": SIGN_IN,
    "GET accounts/enrol/": SIGN_IN,
    "GET accounts/recovery-codes/": SIGN_IN,
    "GET accounts/logout/": SIGN_IN,
    "GET accounts/password/": SIGN_IN,
    "GET accounts/second-factor/": SIGN_IN,
    "GET accounts/tokens/": "the person's own API tokens (names, scopes, dates); no records",
    "GET accounts/tokens/<uuid:pk>/revoke/": "revokes one of the person's own API tokens",
    "GET admin/login/": SIGN_IN,
    "GET admin/*": "the Django admin: admins only (the matrix checks it), not made to pass on",
    "GET statements/": PAGE,
    "GET statements/<uuid:pk>/": (
        "a statement's owners' page (drafts, invitations, every endorser's name): the "
        "owning organisation's members, access control; what is passed on is the public page"
    ),
    "GET endorse/<str:secret>/": (
        "the endorsement form of an invitation link: the statement's text and the person's own "
        "input; never who the link was sent to"
    ),
    "GET api/": "django-ninja's API root: answers 404",
    "GET api/docs": "the API's documentation page: no records",
    "GET api/openapi.json": "the API's schema: no records",
    # --- API: records, scoped per record by the policy
    "GET /api/aid/activities/": RECORD_API,
    "POST /api/aid/activities/": RECORD_API,
    "GET /api/aid/activities/{pk}/": RECORD_API,
    "PATCH /api/aid/activities/{pk}/": RECORD_API,
    "DELETE /api/aid/activities/{pk}/": RECORD_API,
    "GET /api/situation/incidents/": RECORD_API,
    "POST /api/situation/incidents/": RECORD_API,
    "GET /api/situation/incidents/{pk}/": RECORD_API,
    "PATCH /api/situation/incidents/{pk}/": RECORD_API,
    "DELETE /api/situation/incidents/{pk}/": RECORD_API,
    "GET /api/situation/figures/": RECORD_API,
    "POST /api/situation/figures/": RECORD_API,
    "GET /api/situation/figures/{pk}/": RECORD_API,
    "PATCH /api/situation/figures/{pk}/": RECORD_API,
    "DELETE /api/situation/figures/{pk}/": RECORD_API,
    "GET /api/situation/sources/": RECORD_API,
    "POST /api/situation/sources/": RECORD_API,
    "GET /api/situation/sources/{pk}/": RECORD_API,
    "PATCH /api/situation/sources/{pk}/": RECORD_API,
    "DELETE /api/situation/sources/{pk}/": RECORD_API,
    "GET /api/funds/transfers/": RECORD_API,
    "POST /api/funds/transfers/": RECORD_API,
    "GET /api/funds/transfers/{pk}/": RECORD_API,
    "PATCH /api/funds/transfers/{pk}/": RECORD_API,
    "DELETE /api/funds/transfers/{pk}/": RECORD_API,
    "POST /api/funds/transfers/{pk}/confirm": RECORD_API,
    "POST /api/funds/transfers/{pk}/disputes/": RECORD_API,
    "POST /api/funds/disputes/{pk}/resolve": RECORD_API,
    "GET /api/funds/grants/": RECORD_API,
    "POST /api/funds/grants/": RECORD_API,
    "GET /api/funds/grants/{pk}/": RECORD_API,
    "PATCH /api/funds/grants/{pk}/": RECORD_API,
    "GET /api/funds/spending/": RECORD_API,
    "POST /api/funds/spending/": RECORD_API,
    "GET /api/funds/rates/": "the exchange-rate table: reference data (date, currencies, rate, "
    "kind, source), no records of any organisation",
    "POST /api/funds/rates/": FORM,
    "POST /api/funds/rates/import": "a rates CSV in; answers with counts and the file's errors",
    "PATCH /api/funds/spending/{pk}/": RECORD_API,
    "PATCH /api/funds/rates/{pk}/": FORM,
    "POST /api/funds/transfers/{pk}/evidence": "a photo in; answers with its id, type and size",
    "POST /api/funds/spending/{pk}/evidence": "a photo in; answers with its id, type and size",
    "GET /api/orgs/organisations/": RECORD_API,
    "GET /api/orgs/organisations/{pk}/": RECORD_API,
    "PATCH /api/orgs/organisations/{pk}/": RECORD_API,
    "GET /api/geo/resolve": GAZETTEER,
    "POST /api/geo/resolve": GAZETTEER,
    "GET /api/geo/units": GAZETTEER,
    "GET /api/geo/units/{pcode}": GAZETTEER,
    "GET /api/geo/boundaries": GAZETTEER,
    # --- Commands
    "corridor init": OPERATOR,
    "corridor serve": "serves the pages and API, whose routes are checked above",
    "corridor demo": "sets up a demo instance of synthetic data and serves it",
    "corridor load-demo": "loads synthetic demo data into the instance",
    "corridor geo": "the gazetteer and its review queue, for the operator's terminal",
    "corridor import": "reads files in; prints the import's summary to the operator",
    "corridor held": "rows partial imports held, back to the operator (or --as a person who "
    "may see them) to fix or drop: the input, not an output",
    "corridor maps": "saved column mappings (headers, field names, codes): no records",
    "corridor orgs": "creates organisations from a file; prints only the names the file gave",
    "corridor funds": "the ledger's grants, custody and reconciliation for the operator; internal",
    "corridor status": "version, migrations and row counts: no records",
    "corridor signin": OPERATOR,
    "corridor panic": OPERATOR,
    "corridor sessions": "purges sign-in sessions that are over: no records",
    "corridor tokens": "makes, lists and revokes API tokens for the operator: no records",
    "corridor keys": "encryption key management: no records",
    "corridor audit": "verifies the audit trail or lists it for the operator on the instance",
    "corridor backup": "encrypted copy of the whole instance, to restore it; not data to share",
    "corridor restore": "reads a backup in",
    "corridor db": "database role administration: no records",
    "corridor rollups": "rebuilds the monthly reach rollups; prints how many rows each holds",
    "corridor manage": "Django's management commands, for the operator",
    "corridor lock": "drops this field instance's keys: prints that it is locked, no records",
    "corridor unlock": "unseals this field instance's keys with its passphrase: no records",
    "corridor wipe": "destroys this field instance's keys and data: prints what it removed",
    "GET money/screening/": PAGE,
    "GET money/screening/decide/": FORM,
    "GET money/grants/<uuid:pk>/screening/": PAGE,
    "GET /api/screening/lists/": "the loaded entity lists' names, sources and counts: no records",
    "POST /api/screening/screen": "names in, each with the listed entity it may be: reference "
    "data of public lists, no Corridor records",
    "GET /api/screening/transfers/{pk}/": RECORD_API,
    "GET /api/screening/grants/{pk}/": RECORD_API,
    "GET /api/screening/decisions/": RECORD_API,
    "POST /api/screening/decisions/": RECORD_API,
    "GET /api/statements/": RECORD_API,
    "corridor screen": "loads entity lists and screens names for the operator: public list data "
    "and the names given, no records",
    # Removing spending and rates softly (issue 13, decision 0342), as transfers are.
    "GET money/spending/<uuid:pk>/remove/": FORM,
    "GET money/spending/<uuid:pk>/restore/": "restores a removed spending; answers with a redirect",
    "GET money/rates/<uuid:pk>/remove/": FORM,
    "GET money/rates/<uuid:pk>/restore/": "restores a removed rate; answers with a redirect",
    "DELETE /api/funds/spending/{pk}/": RECORD_API,
    "DELETE /api/funds/rates/{pk}/": RECORD_API,
    # A grant's custody in a chosen currency (issue 13): the custody page's figures as JSON.
    "GET /api/funds/grants/{pk}/custody": (
        "a grant's chain of custody for the grant's parties and the intermediaries its money "
        "went through (access control, as the custody page); organisations named as the caller "
        "may see them; what can be passed on is the donor report, which is marked"
    ),
    "POST /api/funds/transfers/{pk}/receipt": RECORD_API,
    "POST /api/funds/transfers/{pk}/partner-confirm": RECORD_API,
    "POST /api/funds/spending/{pk}/restore": RECORD_API,
    "POST /api/funds/rates/{pk}/restore": RECORD_API,
    "corridor encrypt": "encrypts this field instance's database in place: prints counts only",
    # --- Services that write files
    "corridor.backup.services.backup_write": (
        "the encrypted backup of the whole instance (passphrase required): made to restore "
        "Corridor, not to share data; docs/security/backup.md"
    ),
}


def everything() -> list[Found]:
    return discovered_routes() + discovered_commands() + discovered_file_writers()


def marks_of(found: Found) -> tuple[Output, ...]:
    """The output marks a discovered route, command or function carries (none: empty)."""
    if found.target is None:
        return ()
    if isinstance(found.target, types.ModuleType):  # a command: the outputs it names
        names = getattr(found.target, "OUTPUTS", ())
        return tuple(REGISTER[name] for name in names if name in REGISTER)
    mark = output_of(found.target)
    return (mark,) if mark else ()


def unmarked(found: Iterable[Found], table: dict[str, str]) -> list[str]:
    """One message per discovered item with neither a mark nor an entry, saying what to add."""
    problems = []
    for item in found:
        if item.key in table or marks_of(item):
            continue
        if isinstance(item.target, types.ModuleType):
            how = (
                f"add OUTPUTS = (<registered output names>,) to {item.target.__name__} "
                "(the marked functions it calls)"
            )
        else:
            how = (
                "mark it with @shared_output(...) (built through publish_table / public_record /"
                " public_organisations) or @internal_output(..., role=<policy action>) or "
                "@reference_output(...) from corridor.disclosure"
            )
        problems.append(
            f"{item.key!r} is not marked as an output. Either {how}, or, if it is not an "
            f"output, add one line to NOT_AN_OUTPUT in {__name__.replace('.', '/')}.py:\n"
            f'    "{item.key}": "<why it is not an output>",'
        )
    return problems


DISCOVERED = everything()


@pytest.mark.parametrize("item", DISCOVERED, ids=lambda item: item.key)
def test_every_route_command_and_export_is_marked_or_listed(item):
    problems = unmarked([item], NOT_AN_OUTPUT)
    assert not problems, problems[0]


def test_no_entry_for_something_gone_or_marked():
    keys = {item.key: item for item in DISCOVERED}
    stale = sorted(set(NOT_AN_OUTPUT) - set(keys))
    assert not stale, f"remove these entries from NOT_AN_OUTPUT, nothing has the name: {stale}"
    both = sorted(k for k in NOT_AN_OUTPUT if marks_of(keys[k]))
    assert not both, f"marked as outputs yet listed as not outputs; remove the lines: {both}"


def test_discovery_finds_every_api_operation_in_the_schema():
    from corridor.api import api

    schema = {
        f"{method.upper()} {route}"
        for route, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    assert {item.key for item in api_operations()} == schema


def _has_auth(auth: Any) -> bool:
    return auth is not None and auth is not NOT_SET and auth != []


def open_api_operations(api: Any) -> list[str]:
    """API operations with no authentication on them, their router or the API."""
    found = []
    for prefix, router, *_rest in api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                if not (operation.auth_callbacks or _has_auth(router.auth) or _has_auth(api.auth)):
                    found.append(f"{','.join(operation.methods)} {prefix}{route}")
    return found


def test_every_api_operation_needs_sign_in():
    """No API operation answers without a signed-in person (every router uses django_auth)."""
    from corridor.api import api

    assert not open_api_operations(api), "API operations reachable without signing in"


def test_checker_reports_an_api_operation_without_sign_in():
    fake = NinjaAPI(urls_namespace="fitness-fake")
    router = Router()
    router.get("/counts")(lambda request: {"detained": 2})
    fake.add_router("/open/", router)
    assert open_api_operations(fake) == ["GET /open//counts"]


def test_commands_name_only_registered_outputs():
    for item in discovered_commands():
        for name in getattr(item.target, "OUTPUTS", ()):
            assert name in REGISTER, f"{item.key} names {name!r}, which is not registered"


def test_internal_outputs_name_a_policy_action():
    wrong = {
        o.name: o.role
        for o in REGISTER.values()
        if o.audience == INTERNAL and o.role not in policy.ACTIONS
    }
    assert not wrong, f"internal outputs whose role is not one of {policy.ACTIONS}: {wrong}"


def test_every_output_is_described_in_the_disclosure_doc():
    text = DOC.read_text(encoding="utf-8")
    missing = sorted(name for name in REGISTER if f"`{name}`" not in text)
    assert not missing, (
        f"outputs not described in {DOC.relative_to(DOC.parents[2])}: {missing}; add a row "
        "for each to its inventory (what it shows, how it is gated, who may take it)"
    )


# --- Shared routes over HTTP -----------------------------------------------------------------

MONTH = "2024-03"
TOWNSHIP = "MMR005022"
QUIET_TOWNSHIP = "MMR005023"
CANARY_NAME = "CANARY Real Name Of A Hidden Group"
CANARY_TEXT = "CANARY free text naming a village"
CANARY_LATITUDE = "21.123456"


class World:
    """A viewer of a public and an anonymous organisation, with small and large counts."""

    def __init__(self) -> None:
        busy, quiet = f.township(TOWNSHIP), f.township(QUIET_TOWNSHIP)
        self.public = f.OrganisationFactory(name="Open Hands")
        self.hidden = f.OrganisationFactory(name=CANARY_NAME, visibility=Visibility.ANONYMOUS)
        self.hidden.full_clean()
        self.hidden.save()
        self.viewer = f.UserFactory()
        for org in (self.public, self.hidden):
            f.MembershipFactory(user=self.viewer, organisation=org, role=OrgRole.VIEWER)
        f.DisplacementFigureFactory(admin_unit=busy, as_of=dt.date(2024, 3, 20), idps=5000)
        f.DisplacementFigureFactory(admin_unit=quiet, as_of=dt.date(2024, 3, 20), idps=3)
        for month in (2, 3):
            f.ActivityFactory(
                organisation=self.public,
                admin_unit=busy,
                reporting_month=dt.date(2024, month, 1),
            )
        f.ActivityFactory(
            organisation=self.hidden,
            admin_unit=quiet,
            women=2,
            men=0,
            girls=0,
            boys=0,
            notes=CANARY_TEXT,
        )
        f.IncidentFactory(
            admin_unit=quiet,
            occurred_on=dt.date(2024, 3, 5),
            reporting_organisation=self.hidden,
            description=CANARY_TEXT,
            latitude=float(CANARY_LATITUDE),
            longitude=96.654321,
        )
        self.client = signed_in_client(self.viewer)


def grant_of(w: World) -> Any:
    """A grant from the public organisation to the hidden one, with one settled transfer of it
    (made once per world, on first use)."""
    if not hasattr(w, "grant"):
        w.grant = Grant.objects.create(
            donor=w.public, recipient=w.hidden, title="Outputs grant", amount=5000,
            currency="USD", pledged_on=dt.date(2024, 1, 8), starts_on=dt.date(2024, 1, 8),
        )  # fmt: skip
        f.TransferFactory(from_organisation=w.public, to_organisation=w.hidden, grant=w.grant,
                          amount=3000, sent_on=dt.date(2024, 2, 5))  # fmt: skip
    return w.grant


def statement_of(w: World) -> Any:
    """A published joint statement of the public organisation, one of its two anonymous
    endorsers named as the canary (made once per world, on first use)."""
    if not hasattr(w, "statement"):
        source = f.SourceFactory(title="Outputs source")
        w.statement = statement_services.statement_create_draft(
            by=None, owner=w.public, title="Outputs statement", body="We ask.[^1]",
            footnotes=[source],
        )  # fmt: skip
        for name, listed_as in (
            ("Named Endorser", "name"), (CANARY_NAME, "anonymous"), ("Second Quiet", "anonymous")
        ):  # fmt: skip
            _invitation, secret = statement_services.invitation_create(
                by=None, statement=w.statement, invitee=name
            )
            statement_services.endorsement_accept(
                secret=secret, name=name, listed_as=listed_as, group="Japan"
            )
        statement_services.statement_submit(by=None, statement=w.statement)
        statement_services.statement_publish(by=None, statement=w.statement)
    return w.statement


def asks_of(w: World) -> Any:
    """The published statement with one ask and one response (made once per world)."""
    statement = statement_of(w)
    if not statement.asks.exists():
        ask = statement_services.ask_add(
            by=None, statement=statement, text="Sanction the suppliers.", target="A government",
            target_kind="government",
        )  # fmt: skip
        statement_services.response_add(
            by=None, ask=ask, on=dt.date(2026, 2, 1), status="acknowledged", summary="Noted."
        )
    return statement


def asks_api_requests(w: World) -> list[tuple[str, dict]]:
    """The network's asks tracker as JSON, with the world's published statement's ask."""
    asks_of(w)
    return [
        ("/api/statements/public/asks/", {}),
        ("/api/statements/public/asks/", {"since": "2026-01-01"}),
    ]


PERIOD = {"start": "2023-04", "end": MONTH}
# How to request each shared route: (path, query) pairs, given the world.
SHARED_REQUESTS: dict[str, Callable[[World], list[tuple[str, dict]]]] = {
    "GET data/<slug:name>.csv": lambda w: [
        *((f"/data/{name}.csv", PERIOD) for name in ("idps", "incidents", "reached")),
        ("/data/reached.csv", {**PERIOD, "state": "MMR005", "sector": "health"}),
        *(("/data/map.csv", {**PERIOD, "map": layer}) for layer in ("idps", "incidents")),
        ("/data/map.csv", {**PERIOD, "map": "coverage"}),
    ],
    "GET map/print/": lambda w: [
        ("/map/print/", {**PERIOD, "map": layer}) for layer in ("idps", "incidents", "coverage")
    ],
    "GET map/print.svg": lambda w: [
        ("/map/print.svg", {**PERIOD, "map": layer}) for layer in ("idps", "incidents", "coverage")
    ],
    "GET gaps.csv": lambda w: [
        ("/gaps.csv", {"month": MONTH}),
        ("/gaps.csv", {"month": MONTH, "sector": "food_security", "state": "MMR005"}),
    ],
    "GET /api/gaps/": lambda w: [("/api/gaps/", {"month": MONTH})],
    "GET /api/web/trends": lambda w: [("/api/web/trends", PERIOD)],
    "GET /api/web/map": lambda w: [
        ("/api/web/map", {**PERIOD, "layer": layer}) for layer in ("idps", "incidents", "coverage")
    ],
    "GET /api/exchange/exports/hxl/{kind}.csv": lambda w: [
        (f"/api/exchange/exports/hxl/{kind}.csv", {})
        for kind in ("activities", "figures", "incidents")
    ],
    "GET /api/exchange/exports/iati/{pk}.xml": lambda w: [
        (f"/api/exchange/exports/iati/{w.public.pk}.xml", {})
    ],
    "GET money/grants/<uuid:pk>/report/": lambda w: [
        (f"/money/grants/{grant_of(w).pk}/report/", {"on": "2024-04-01"})
    ],
    "GET money/grants/<uuid:pk>/report.csv": lambda w: [
        (f"/money/grants/{grant_of(w).pk}/report.csv", {"on": "2024-04-01"})
    ],
    "GET money/grants/<uuid:pk>/iati.xml": lambda w: [
        (f"/money/grants/{grant_of(w).pk}/iati.xml", {})
    ],
    "GET ledger/": lambda w: [("/ledger/", {}), ("/ledger/", {"currency": "EUR"})],
    "GET ledger.csv": lambda w: [("/ledger.csv", {})],
    "GET s/<uuid:pk>/": lambda w: [
        (f"/s/{statement_of(w).pk}/", {}),
        (f"/s/{statement_of(w).pk}/", {"lang": "my"}),
    ],
    **{
        f"GET s/<uuid:pk>/statement.{fmt}": (
            lambda w, fmt=fmt: [(f"/s/{statement_of(w).pk}/statement.{fmt}", {})]
        )
        for fmt in ("html", "md", "txt")
    },
    "GET s/<uuid:pk>/asks/": lambda w: [
        (f"/s/{asks_of(w).pk}/asks/", {}),
        (f"/s/{asks_of(w).pk}/asks/", {"since": "2026-01-01"}),
    ],
    "GET asks/": lambda w: [
        ("/asks/", {}),
        ("/asks/", {"since": "2026-01-01"}),
    ],
    "GET /api/statements/public/{pk}/": lambda w: [
        (f"/api/statements/public/{asks_of(w).pk}/", {}),
        (f"/api/statements/public/{asks_of(w).pk}/", {"lang": "my"}),
    ],
    "GET /api/statements/public/asks/": lambda w: asks_api_requests(w),
}
CANARIES = {
    CANARY_NAME: "an anonymous organisation's real name",
    CANARY_TEXT: "free text of a record",
    CANARY_LATITUDE: "an exact coordinate",
}


def shared_routes(found: Iterable[Found]) -> list[Found]:
    return [item for item in found if any(m.audience == SHARED for m in marks_of(item))]


def try_shared(
    client: Client,
    routes: Iterable[Found],
    requests: dict[str, Callable[[Any], list[tuple[str, dict]]]],
    world: Any,
) -> list[str]:
    """Request every shared route; one problem per refusal, error, leak or missing request."""
    problems = []
    for item in routes:
        if item.key not in requests:
            problems.append(
                f"shared route {item.key!r} has no entry in SHARED_REQUESTS saying how to "
                "request it; add one"
            )
            continue
        for url, query in requests[item.key](world):
            try:
                answer = client.get(url, query)
            except Exception as exc:  # the shared mark raises when the gate was skipped
                problems.append(f"{item.key}: GET {url} {query} raised {exc!r}")
                continue
            if not 200 <= answer.status_code < 300:
                problems.append(f"{item.key}: GET {url} {query} -> {answer.status_code}")
                continue
            text = answer.content.decode("utf-8", errors="replace")
            for marker, meaning in CANARIES.items():
                if marker in text:
                    problems.append(f"{item.key}: GET {url} {query} shows {meaning}")
    return problems


def test_every_shared_route_passes_the_gate_over_http(db):
    world = World()
    routes = shared_routes(discovered_routes())
    assert {"GET gaps.csv", "GET /api/gaps/", "GET data/<slug:name>.csv"} <= {r.key for r in routes}
    problems = try_shared(world.client, routes, SHARED_REQUESTS, world)
    assert not problems, "\n".join(problems)


def test_small_counts_are_hidden_in_the_shared_downloads(db):
    """Reproduces the finding: 2 people reached by one hidden organisation and 3 IDPs in a
    township appeared as they are in /gaps.csv; now they are the suppressed mark."""
    world = World()
    rows = world.client.get("/gaps.csv", {"month": MONTH}).content.decode("utf-8-sig")
    quiet = [r.split(",") for r in rows.splitlines() if r.startswith(f"{MONTH},{QUIET_TOWNSHIP},")]
    food = next(r for r in quiet if r[5] == "food_security")
    header = rows.splitlines()[0].split(",")
    assert food[header.index("people_reached")] == "•"
    assert food[header.index("organisations")] == "•"
    assert food[header.index("idps")] == "•"
    assert "• = hidden: fewer than 5" in rows
    incidents = world.client.get("/data/map.csv", {**PERIOD, "map": "incidents"})
    assert f"{QUIET_TOWNSHIP},•" in incidents.content.decode().splitlines()


# --- The test of the test: the checks catch what they are for ---------------------------------


def _unmarked_view(request):
    return HttpResponse("2 detained", content_type="text/csv")


@pytest.fixture
def fake_urls():
    """A URL configuration with the real routes plus three made-up downloads."""
    before = dict(REGISTER)

    @shared_output("test-fitness-skips-gate", what="a shared download that forgets the gate")
    def _leaky_view(request):
        return HttpResponse("2 detained", content_type="text/csv")

    @shared_output("test-fitness-uses-gate", what="a shared download through the gate")
    def _gated_view(request):
        table = publish_table(
            {("MMR005022", "2024-03"): 2}, rows=["MMR005022"], columns=["2024-03"]
        )
        return HttpResponse(str(table.cell("MMR005022", "2024-03")), content_type="text/csv")

    name = "corridor_fitness_fake_urls"
    module = types.ModuleType(name)
    real = importlib.import_module("corridor.urls")
    module.urlpatterns = [
        path("fake/unmarked.csv", _unmarked_view),
        path("fake/leaky.csv", _leaky_view),
        path("fake/gated.csv", _gated_view),
        *real.urlpatterns,
    ]
    sys.modules[name] = module
    with override_settings(ROOT_URLCONF=name):
        yield name
    del sys.modules[name]
    REGISTER.clear()
    REGISTER.update(before)


def test_checker_reports_a_new_unmarked_route(fake_urls):
    problems = unmarked(discovered_routes(fake_urls), NOT_AN_OUTPUT)
    assert len(problems) == len(unmarked(discovered_routes("corridor.urls"), NOT_AN_OUTPUT)) + 1
    new = [p for p in problems if "fake/unmarked.csv" in p]
    assert len(new) == 1
    assert '"GET fake/unmarked.csv": "<why it is not an output>",' in new[0]


def test_checker_reports_a_new_unmarked_command_and_export_function():
    command = types.ModuleType("corridor.cli.report")
    command.NAME = "report"
    services = types.ModuleType("corridor.fake.services")

    def report_export(*, by, out):
        out.write("2 detained\n")

    def report_write(*, by, out):
        out.write("2 detained\n")

    def incident_record(*, by):
        return None

    for func in (report_export, report_write, incident_record):
        func.__module__ = services.__name__
        setattr(services, func.__name__, func)
    found = discovered_commands([command]) + discovered_file_writers([services])
    assert [item.key for item in found] == [
        "corridor report",
        "corridor.fake.services.report_export",
        "corridor.fake.services.report_write",
    ]
    problems = unmarked(found, NOT_AN_OUTPUT)
    assert len(problems) == 3
    assert "add OUTPUTS" in problems[0]
    assert re.search(r"@shared_output.*@internal_output", problems[1])


def test_checker_reports_a_shared_route_that_skips_the_gate(db, fake_urls):
    world = World()
    routes = [r for r in shared_routes(discovered_routes(fake_urls)) if "fake/" in r.key]
    assert {r.key for r in routes} == {"GET fake/leaky.csv", "GET fake/gated.csv"}
    requests = {
        "GET fake/leaky.csv": lambda w: [("/fake/leaky.csv", {})],
        "GET fake/gated.csv": lambda w: [("/fake/gated.csv", {})],
    }
    problems = try_shared(world.client, routes, requests, world)
    assert len(problems) == 1
    assert "fake/leaky.csv" in problems[0]
    assert "did not pass through the disclosure gate" in problems[0]
    # And one without a way to request it is reported, not skipped.
    assert "no entry in SHARED_REQUESTS" in try_shared(world.client, routes, {}, world)[0]


def test_checker_reports_a_leaked_canary(db):
    world = World()
    leaky = Found("GET fake/canary", None)
    world.client.get = lambda url, query: HttpResponse(f"{CANARY_NAME},{CANARY_LATITUDE}")
    problems = try_shared(world.client, [leaky], {leaky.key: lambda w: [("/x", {})]}, world)
    assert sorted(p.rsplit("shows ", 1)[1] for p in problems) == [
        "an anonymous organisation's real name",
        "an exact coordinate",
    ]
