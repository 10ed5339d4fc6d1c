"""The authorisation matrix: every page and API operation x every role x whose object.

Routes are discovered, not listed by hand: pages from Django's URL resolver, API operations
from the OpenAPI schema. Every discovered route must have an entry in ROUTES below; a route
without one fails with the exact line to add. For each route the test signs in as each role
(anonymous, viewer, editor, org admin, coordinator, admin) and requests it for the signed-in
user's own organisation's object, another organisation's and an anonymous organisation's:

- a success (2xx) where the entry does not allow one fails the test, and so does a refusal
  where the entry allows success (so the table stays true);
- writes carry extra fields (id, authors, times, owning organisations) that must change nothing;
- no answer to a role may contain a marker (id, text, exact coordinate) of a record that role
  may not see, whatever the route.

The same table is then tried with personal API tokens for "own" (``test_matrix_with_tokens``):
a token acts as a viewer (read) or an editor (write) of its organisation and nothing more, a
read token writes nothing, and pages and the admin treat a token as nobody.

How to extend: see docs/security/access-control.md ("Adding a route").
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from corridor.accounts import policy, tokens
from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid.models import Activity
from corridor.api import api
from corridor.exchange.models import HeldRow
from corridor.funds.models import Dispute, Evidence, ExchangeRate, Grant, Spending, Transfer
from corridor.orgs.models import Organisation, Visibility
from corridor.situation.models import DisplacementFigure, Incident, Source
from corridor.statements.models import Statement
from corridor.statements.services import statement_create_draft
from corridor.sync.models import Conflict
from corridor.testing.factories import (
    ActivityFactory,
    DisplacementFigureFactory,
    EvidenceFactory,
    GrantFactory,
    HeldRowFactory,
    IncidentFactory,
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
    TransferFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client

ROLES = ("anonymous", "viewer", "editor", "org_admin", "coordinator", "admin")
WHOSE = ("own", "other", "hidden")  # the signed-in members belong to "own"; hidden is anonymous
NO_OBJECT = "-"
TOWNSHIP = "MMR005022"
HOSTILE_ID = "00000000-0000-4000-8000-00000000dead"

# --- Who may succeed ------------------------------------------------------------------------
# Sets of (role, whose). For routes without an object, whose is NO_OBJECT.


def roles(*names: str) -> frozenset[tuple[str, str]]:
    """These roles succeed on a route that takes no object."""
    return frozenset((name, NO_OBJECT) for name in names)


def on(*pairs: str) -> frozenset[tuple[str, str]]:
    """ "role:whose" pairs; "admin:*" means every whose."""
    out = set()
    for pair in pairs:
        role, whose = pair.split(":")
        for w in WHOSE if whose == "*" else (whose,):
            out.add((role, w))
    return frozenset(out)


EVERYONE = roles(*ROLES)
SIGNED_IN = roles(*ROLES[1:])
EDITORS = roles("editor", "org_admin", "admin")
ADMIN_ONLY = roles("admin")
NOBODY: frozenset[tuple[str, str]] = frozenset()
# Rows owned by an organisation (activities, transfers): its members; coordinators unless
# anonymous; admins.
OWNED_READ = on(
    "viewer:own", "editor:own", "org_admin:own", "coordinator:own", "coordinator:other", "admin:*"
)
OWNED_WRITE = on("editor:own", "org_admin:own", "admin:*")
# Situation data: shared reading for every member of any organisation and coordinators.
SHARED_READ = on("viewer:*", "editor:*", "org_admin:*", "coordinator:*", "admin:*")
ORG_READ = on(
    "viewer:own",
    "viewer:other",
    "editor:own",
    "editor:other",
    "org_admin:own",
    "org_admin:other",
    "coordinator:own",
    "coordinator:other",
    "admin:*",
)
ORG_ADMINS = on("org_admin:own", "admin:*")
SOURCE_CREATOR = on("editor:own", "admin:*")  # the "own" source was added by the editor
# Held rows of an organisation's partial import: its editors, coordinators unless anonymous.
HELD_SETTLE = on("editor:own", "org_admin:own", "coordinator:own", "coordinator:other", "admin:*")


# --- The table: one entry per route ---------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """What a route is and who may succeed on it.

    ok      who gets a 2xx answer (see the sets above); everyone else must not.
    obj     kind of record the route acts on ({pk} in the path, or what a POST creates):
            one of World.KINDS; None if it takes no record.
    body    for writes: body(world, whose) -> JSON dict (extra hostile fields are added).
    args    literal path arguments other than pk, e.g. {"pcode": "MMR005022"}.
    query   query string for GET, e.g. {"month": "2024-03"}.
    """

    ok: frozenset[tuple[str, str]]
    obj: str | None = None
    body: Callable[[Any, str], dict] | None = None
    args: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def _removal_body(w: Any, whose: str) -> dict:
    """A DELETE removes softly and needs its reason (decision 0282)."""
    return {"reason": "entered twice"}


def _activity_body(w: Any, whose: str) -> dict:
    return {
        "organisation": str(w.orgs[whose].pk),
        "sector": "health",
        "modality": "service",
        "admin_unit": TOWNSHIP,
        "reporting_month": "2024-04-01",
        "women": 4,
    }


def _incident_body(w: Any, whose: str) -> dict:
    return {
        "reporting_organisation": str(w.orgs[whose].pk),
        "occurred_on": "2024-04-02",
        "incident_type": "arson",
        "admin_unit": TOWNSHIP,
        "description": "entered by the matrix",
    }


def _figure_body(w: Any, whose: str) -> dict:
    return {
        "reporting_organisation": str(w.orgs[whose].pk),
        "admin_unit": TOWNSHIP,
        "as_of": "2024-04-30",
        "idps": 321,
        "source": str(w.objects["source"]["other"].pk),
    }


def _transfer_body(w: Any, whose: str) -> dict:
    sides = {"own": ("other", "own"), "other": ("other", "other2"), "hidden": ("other", "hidden")}
    sender, receiver = sides[whose]
    return {
        "from_organisation": str(w.orgs[sender].pk),
        "to_organisation": str(w.orgs[receiver].pk),
        "amount": "150.00",
        "currency": "USD",
        "sent_on": "2024-04-03",
        "channel": "bank",
    }


def _grant_body(w: Any, whose: str) -> dict:
    sides = {"own": ("other", "own"), "other": ("other", "other2"), "hidden": ("other", "hidden")}
    donor, recipient = sides[whose]
    return {
        "donor": str(w.orgs[donor].pk),
        "recipient": str(w.orgs[recipient].pk),
        "title": "pledged in the matrix",
        "amount": "900.00",
        "currency": "USD",
        "pledged_on": "2024-04-01",
        "starts_on": "2024-04-01",
    }


def _spending_body(w: Any, whose: str) -> dict:
    return {
        "grant": str(w.objects["grant"][whose].pk),
        "activity": str(w.objects["activity"][whose].pk),
        "amount": "10.00",
        "currency": "USD",
        "spent_on": "2024-04-10",
    }


def _rate_body(w: Any, whose: str) -> dict:
    return {
        "on": "2024-04-01",
        "from_currency": "USD",
        "to_currency": "MMK",
        "rate": "3750",
        "kind": "market",
        "source": "the matrix",
    }


# A leg, a dispute, a photo: only an editor of a side speaks for it (not a network admin).
SIDE_EDITORS = on("editor:own", "org_admin:own")
# Evidence photos: the grant's parties (here the transfer's sides) and admins; no coordinator.
EVIDENCE_READ = on("viewer:own", "editor:own", "org_admin:own", "admin:*")

ROUTES: dict[str, Route] = {
    # --- API: activities
    "GET /api/aid/activities/": Route(SIGNED_IN),
    "POST /api/aid/activities/": Route(OWNED_WRITE, obj="activity", body=_activity_body),
    "GET /api/aid/activities/{pk}/": Route(OWNED_READ, obj="activity"),
    "PATCH /api/aid/activities/{pk}/": Route(
        OWNED_WRITE, obj="activity", body=lambda w, whose: {"notes": "changed"}
    ),
    "DELETE /api/aid/activities/{pk}/": Route(OWNED_WRITE, obj="activity", body=_removal_body),
    # --- API: situation
    "GET /api/situation/incidents/": Route(SIGNED_IN),
    "POST /api/situation/incidents/": Route(OWNED_WRITE, obj="incident", body=_incident_body),
    "GET /api/situation/incidents/{pk}/": Route(SHARED_READ, obj="incident"),
    "PATCH /api/situation/incidents/{pk}/": Route(
        OWNED_WRITE, obj="incident", body=lambda w, whose: {"injuries": 3}
    ),
    "DELETE /api/situation/incidents/{pk}/": Route(OWNED_WRITE, obj="incident", body=_removal_body),
    "GET /api/situation/figures/": Route(SIGNED_IN),
    "POST /api/situation/figures/": Route(OWNED_WRITE, obj="figure", body=_figure_body),
    "GET /api/situation/figures/{pk}/": Route(SHARED_READ, obj="figure"),
    "PATCH /api/situation/figures/{pk}/": Route(
        OWNED_WRITE, obj="figure", body=lambda w, whose: {"idps": 77}
    ),
    "DELETE /api/situation/figures/{pk}/": Route(OWNED_WRITE, obj="figure", body=_removal_body),
    "GET /api/situation/sources/": Route(SIGNED_IN),
    "POST /api/situation/sources/": Route(
        EDITORS, body=lambda w, whose: {"title": "added by the matrix"}
    ),
    "GET /api/situation/sources/{pk}/": Route(SHARED_READ, obj="source"),
    "PATCH /api/situation/sources/{pk}/": Route(
        SOURCE_CREATOR, obj="source", body=lambda w, whose: {"publisher": "changed"}
    ),
    "DELETE /api/situation/sources/{pk}/": Route(SOURCE_CREATOR, obj="source"),
    # --- API: transfers
    "GET /api/funds/transfers/": Route(SIGNED_IN),
    "POST /api/funds/transfers/": Route(
        # The anonymous recipient is not in an editor's directory: only admins record that one.
        on("editor:own", "org_admin:own", "admin:*"),
        obj="transfer",
        body=_transfer_body,
    ),
    "GET /api/funds/transfers/{pk}/": Route(OWNED_READ, obj="transfer"),
    "PATCH /api/funds/transfers/{pk}/": Route(
        OWNED_WRITE, obj="transfer", body=lambda w, whose: {"channel": "mobile_money"}
    ),
    "DELETE /api/funds/transfers/{pk}/": Route(OWNED_WRITE, obj="transfer", body=_removal_body),
    "POST /api/funds/transfers/{pk}/confirm": Route(
        SIDE_EDITORS, obj="transfer", body=lambda w, whose: {"leg": "received"}
    ),
    "POST /api/funds/transfers/{pk}/disputes/": Route(
        SIDE_EDITORS, obj="transfer", body=lambda w, whose: {"note": "disputed by the matrix"}
    ),
    "POST /api/funds/disputes/{pk}/resolve": Route(
        SIDE_EDITORS, obj="dispute", body=lambda w, whose: {"resolution": "settled"}
    ),
    # --- API: grants, spending, exchange rates
    "GET /api/funds/grants/": Route(SIGNED_IN),
    "POST /api/funds/grants/": Route(
        on("editor:own", "org_admin:own", "admin:*"), obj="grant", body=_grant_body
    ),
    "GET /api/funds/grants/{pk}/": Route(OWNED_READ, obj="grant"),
    "PATCH /api/funds/grants/{pk}/": Route(
        OWNED_WRITE, obj="grant", body=lambda w, whose: {"purpose": "changed"}
    ),
    # As the custody page (money/grants/<uuid:pk>/custody/); funds/tests/test_api_custody.py.
    "GET /api/funds/grants/{pk}/custody": Route(OWNED_READ, obj="grant"),
    "GET /api/funds/spending/": Route(SIGNED_IN),
    "POST /api/funds/spending/": Route(OWNED_WRITE, obj="grant", body=_spending_body),
    "GET /api/funds/rates/": Route(SIGNED_IN),
    "POST /api/funds/rates/": Route(roles("coordinator", "admin"), body=_rate_body),
    # Multipart like the imports above; who may import rates: funds/tests/test_api_ledger.py.
    "POST /api/funds/rates/import": Route(NOBODY),
    "PATCH /api/funds/spending/{pk}/": Route(
        OWNED_WRITE, obj="spending", body=lambda w, whose: {"spent_on": "2024-03-06"}
    ),
    "PATCH /api/funds/rates/{pk}/": Route(
        on("coordinator:*", "admin:*"), obj="rate", body=lambda w, whose: {"source": f"new {whose}"}
    ),
    # Multipart photo uploads; who may add one: funds/tests/test_api_evidence.py.
    "POST /api/funds/transfers/{pk}/evidence": Route(NOBODY),
    "POST /api/funds/spending/{pk}/evidence": Route(NOBODY),
    # --- API: organisations
    "GET /api/orgs/organisations/": Route(SIGNED_IN),
    "GET /api/orgs/organisations/{pk}/": Route(ORG_READ, obj="organisation"),
    "PATCH /api/orgs/organisations/{pk}/": Route(
        ORG_ADMINS, obj="organisation", body=lambda w, whose: {"acronym": "CHG"}
    ),
    # --- API: gaps (aggregates over what the caller may see)
    "GET /api/gaps/": Route(SIGNED_IN, query={"month": "2024-03"}),
    # --- API: what the pages show (aggregates and summaries over what the caller may see)
    "GET /api/web/headlines": Route(SIGNED_IN),
    "GET /api/web/trends": Route(SIGNED_IN),
    "GET /api/web/map": Route(SIGNED_IN, query={"layer": "coverage"}),
    "GET /api/web/townships/{pcode}": Route(SIGNED_IN, args={"pcode": TOWNSHIP}),
    "GET /api/web/organisations/{pk}": Route(ORG_READ, obj="organisation"),
    # --- API: gazetteer (public reference data; signing in still required)
    "GET /api/geo/resolve": Route(SIGNED_IN, query={"name": "Hpakant"}),
    "POST /api/geo/resolve": Route(SIGNED_IN, body=lambda w, whose: {"names": ["Hpakant"]}),
    "GET /api/geo/units": Route(SIGNED_IN),
    "GET /api/geo/units/{pcode}": Route(SIGNED_IN, args={"pcode": TOWNSHIP}),
    "GET /api/geo/boundaries": Route(SIGNED_IN, query={"level": "1"}),
    # Multipart uploads cannot succeed with the matrix's JSON bodies, and a random run id is
    # nobody's: who may import and download is tested in exchange/tests/test_api.py.
    "POST /api/exchange/imports": Route(NOBODY),
    "GET /api/exchange/imports/{run_id}/errors.csv": Route(
        NOBODY, args={"run_id": "00000000-0000-4000-8000-000000000000"}
    ),
    # --- API: exports (the services filter rows by the policy; see exchange/tests)
    "GET /api/exchange/exports/hxl/{kind}.csv": Route(SIGNED_IN, args={"kind": "activities"}),
    "GET /api/exchange/exports/hxl-internal/{kind}.csv": Route(
        EDITORS, args={"kind": "activities"}
    ),
    "GET /api/exchange/exports/iati/{pk}.xml": Route(
        on("viewer:own", "editor:own", "org_admin:own", "admin:*"), obj="organisation"
    ),
    "GET /api/exchange/forms/{form}.xlsx": Route(SIGNED_IN, args={"form": "activity"}),
    # Held rows (decision 0205; exchange/access.py): the list shows each person only the rows
    # they may see; settling is for the organisation's editors, coordinators and admins.
    "GET /api/exchange/held/": Route(SIGNED_IN),
    "GET /api/exchange/held/{pk}": Route(OWNED_READ, obj="heldrow"),
    "PATCH /api/exchange/held/{pk}": Route(
        HELD_SETTLE, obj="heldrow", body=lambda w, whose: {"cells": {"#reached+f+adults": "4"}}
    ),
    "POST /api/exchange/held/{pk}/drop": Route(
        HELD_SETTLE, obj="heldrow", body=lambda w, whose: {"reason": "matrix"}
    ),
    # --- API documentation
    "GET api/openapi.json": Route(EVERYONE),
    "GET api/docs": Route(EVERYONE),
    "GET api/": Route(NOBODY),
    # --- Sign-in pages (public by nature; what they do is tested in accounts/tests)
    "GET accounts/login/": Route(roles("anonymous")),  # signed in: sent on
    "GET accounts/verify/": Route(NOBODY),
    "GET accounts/enrol/": Route(NOBODY),
    "GET accounts/recovery-codes/": Route(SIGNED_IN),
    "GET accounts/logout/": Route(NOBODY),
    "GET accounts/password/": Route(SIGNED_IN),  # one's own; what it does: test_views.py
    "GET accounts/second-factor/": Route(SIGNED_IN),  # one's own: test_second_factor.py
    # Your own API tokens (who may make which: accounts/tests/test_tokens.py)
    "GET accounts/tokens/": Route(SIGNED_IN),
    "GET accounts/tokens/<uuid:pk>/revoke/": Route(NOBODY),  # POST only, own tokens only
    "GET admin/login/": Route(NOBODY),  # sends everyone to accounts/login/
    # --- Django admin: every page under admin/ (checked on the index and each changelist)
    "GET admin/*": Route(ADMIN_ONLY),
    # --- Pages
    "GET ": Route(SIGNED_IN),
    "GET data/<slug:name>.csv": Route(SIGNED_IN, args={"name": "idps"}),
    "GET gaps/": Route(SIGNED_IN),
    "GET map/print/": Route(SIGNED_IN),
    "GET map/print.svg": Route(SIGNED_IN),
    "GET gaps.csv": Route(SIGNED_IN),
    "GET townships/<str:pcode>/": Route(SIGNED_IN, args={"pcode": TOWNSHIP}),
    "GET organisations/": Route(SIGNED_IN),
    "GET organisations/<uuid:pk>/": Route(ORG_READ, obj="organisation"),
    # Its people: its organisation admins (and network admins); web/tests/test_members.py
    "GET organisations/<uuid:pk>/members/": Route(
        on("org_admin:own", "admin:*"), obj="organisation"
    ),
    # An invitation link: open to whoever holds a real one; a made-up one is not found.
    "GET join/<str:secret>/": Route(NOBODY, args={"secret": "not-a-real-invitation"}),
    "GET incidents/": Route(SIGNED_IN),
    "GET activities/": Route(SIGNED_IN),
    # Correcting a record (web/views/records.py): its page, the edit form, the removal form;
    # restoring and the bulk status change are POST only (web/tests/test_records.py).
    "GET activities/status/": Route(NOBODY),
    "GET activities/<uuid:pk>/": Route(OWNED_READ, obj="activity"),
    "GET activities/<uuid:pk>/edit/": Route(OWNED_WRITE, obj="activity"),
    "GET activities/<uuid:pk>/remove/": Route(OWNED_WRITE, obj="activity"),
    "GET activities/<uuid:pk>/restore/": Route(NOBODY),
    "GET incidents/<uuid:pk>/": Route(SHARED_READ, obj="incident"),
    "GET incidents/<uuid:pk>/edit/": Route(OWNED_WRITE, obj="incident"),
    "GET incidents/<uuid:pk>/remove/": Route(OWNED_WRITE, obj="incident"),
    "GET incidents/<uuid:pk>/restore/": Route(NOBODY),
    "GET figures/<uuid:pk>/": Route(SHARED_READ, obj="figure"),
    "GET figures/<uuid:pk>/edit/": Route(OWNED_WRITE, obj="figure"),
    "GET figures/<uuid:pk>/remove/": Route(OWNED_WRITE, obj="figure"),
    "GET figures/<uuid:pk>/restore/": Route(NOBODY),
    "GET enter/activity/": Route(roles("editor", "org_admin", "admin")),
    "GET enter/figure/": Route(roles("editor", "org_admin", "admin")),
    "GET enter/incident/": Route(roles("editor", "org_admin", "admin")),
    "GET enter/townships/": Route(SIGNED_IN, query={"township": "Hpakant"}),
    # Coordinators upload cluster-wide files naming every partner (decision 0160).
    "GET enter/upload/": Route(roles("editor", "org_admin", "coordinator", "admin")),
    "GET enter/upload/apply/": Route(NOBODY),  # POST only; tested in web/tests/test_upload.py
    "GET enter/upload/map/": Route(NOBODY),  # POST only; web/tests/test_upload_mapping.py
    # Held rows (decision 0205): the list shows each person only the rows they may see
    # (exchange/tests/test_partial.py); fixing and dropping are POST only.
    "GET enter/held/": Route(SIGNED_IN),
    "GET enter/held/<uuid:pk>/fix/": Route(NOBODY),
    "GET enter/held/<uuid:pk>/drop/": Route(NOBODY),
    "GET exchange/": Route(SIGNED_IN),
    # The gazetteer's review queue: the people who decide it (geo/services._require_curator).
    "GET places/review/": Route(roles("coordinator", "admin")),
    "GET language/": Route(NOBODY),
    # Money reports (web/views/funds_reports.py): a grant's donor report for its donor and
    # recipient (and coordinators unless a side is anonymous); the custody page also for the
    # intermediaries (none here); the public ledger for everyone, signed in or not.
    "GET money/grants/<uuid:pk>/report/": Route(OWNED_READ, obj="grant"),
    "GET money/grants/<uuid:pk>/report.csv": Route(OWNED_READ, obj="grant"),
    # An IATI file is an organisation's own publication: its members, not coordinators.
    "GET money/grants/<uuid:pk>/iati.xml": Route(
        on("viewer:own", "editor:own", "org_admin:own", "admin:*"), obj="grant"
    ),
    "GET money/grants/<uuid:pk>/custody/": Route(OWNED_READ, obj="grant"),
    "GET ledger/": Route(EVERYONE),
    "GET ledger.csv": Route(EVERYONE),
    # Money (web/views/funds.py; web/tests/test_money_pages.py)
    "GET money/": Route(SIGNED_IN),
    "GET money/grants/<uuid:pk>/": Route(OWNED_READ, obj="grant"),
    "GET money/transfers/new/": Route(roles("editor", "org_admin", "admin")),
    "GET money/transfers/<uuid:pk>/": Route(OWNED_READ, obj="transfer"),
    "GET money/transfers/<uuid:pk>/edit/": Route(OWNED_WRITE, obj="transfer"),
    # The receiver's editors (the own organisation receives every transfer of the world).
    "GET money/transfers/<uuid:pk>/confirm/": Route(SIDE_EDITORS, obj="transfer"),
    "GET money/transfers/<uuid:pk>/photo/": Route(OWNED_WRITE, obj="transfer"),
    "GET money/transfers/<uuid:pk>/dispute/": Route(SIDE_EDITORS, obj="transfer"),
    "GET money/transfers/<uuid:pk>/remove/": Route(OWNED_WRITE, obj="transfer"),
    "GET money/transfers/<uuid:pk>/restore/": Route(NOBODY),  # POST only
    "GET money/disputes/<uuid:pk>/resolve/": Route(SIDE_EDITORS, obj="dispute"),
    "GET money/evidence/<uuid:pk>/": Route(EVIDENCE_READ, obj="evidence"),
    # Recording grants, spending and rates (web/views/funds_records.py;
    # web/tests/test_money_records.py). Spending is written by the spending organisation's
    # editors; rates by coordinators and admins (decision 0237).
    "GET money/grants/new/": Route(roles("editor", "org_admin", "admin")),
    "GET money/grants/<uuid:pk>/edit/": Route(OWNED_WRITE, obj="grant"),
    "GET money/grants/<uuid:pk>/spending/": Route(OWNED_WRITE, obj="grant"),
    "GET money/spending/<uuid:pk>/edit/": Route(OWNED_WRITE, obj="spending"),
    "GET money/rates/": Route(SIGNED_IN),
    "GET money/rates/new/": Route(roles("coordinator", "admin")),
    "GET money/rates/<uuid:pk>/edit/": Route(on("coordinator:*", "admin:*"), obj="rate"),
    # Screening (web/views/screening.py, screening/api.py; docs/screening.md). Lists are
    # reference data every member reads; a transfer's or grant's screening follows the record.
    "GET money/screening/": Route(SIGNED_IN),
    # Needs ?name=&entity=&organisation= of a listed entity (none in this world): 404 for all;
    # who may decide: screening/tests/test_api.py and web/tests/test_browser_screening.py.
    "GET money/screening/decide/": Route(NOBODY),
    "GET money/grants/<uuid:pk>/screening/": Route(OWNED_READ, obj="grant"),
    "GET /api/screening/lists/": Route(SIGNED_IN),
    "POST /api/screening/screen": Route(SIGNED_IN, body=lambda w, whose: {"names": ["Matrix"]}),
    "GET /api/screening/transfers/{pk}/": Route(OWNED_READ, obj="transfer"),
    "GET /api/screening/grants/{pk}/": Route(OWNED_READ, obj="grant"),
    "GET /api/screening/decisions/": Route(SIGNED_IN),
    # Needs a listed entity (none in this world): refused for all; screening/tests/test_api.py.
    "POST /api/screening/decisions/": Route(NOBODY),
    # Joint statements (web/views/statements.py; docs/statements.md). The world's statements
    # are drafts: their organisation's members read them, nobody else; a draft has no public
    # page (published ones: statements/tests/test_pages.py).
    "GET statements/": Route(SIGNED_IN),
    "GET statements/<uuid:pk>/": Route(
        on("viewer:own", "editor:own", "org_admin:own", "admin:*"), obj="statement"
    ),
    "GET endorse/<str:secret>/": Route(NOBODY, args={"secret": "not-a-real-invitation"}),
    "GET s/<uuid:pk>/": Route(NOBODY, obj="statement"),
    "GET s/<uuid:pk>/statement.html": Route(NOBODY, obj="statement"),
    "GET s/<uuid:pk>/statement.md": Route(NOBODY, obj="statement"),
    "GET s/<uuid:pk>/statement.txt": Route(NOBODY, obj="statement"),
    # Asks of published statements (docs/statements.md#asks-and-responses): the world's
    # statements are drafts, so no public tracker page (statements/tests/test_asks.py for a
    # published one); the network-wide tracker answers everyone, listing nothing of a draft.
    "GET s/<uuid:pk>/asks/": Route(NOBODY, obj="statement"),
    "GET asks/": Route(EVERYONE),
    # Sync by file (web/views/sync.py): the network's administrators only (sync/access.py);
    # settling a conflict is the same page's POST (web/tests/test_sync_pages.py).
    "GET sync/": Route(ADMIN_ONLY),
    "GET sync/conflicts/<uuid:pk>/": Route(on("admin:*"), obj="conflict"),
    # The statements API (statements/api.py; docs/statements.md#the-json-api). The world's
    # statements are drafts: no public answer for them (statements/tests/test_api.py for a
    # published one); the tracker answers everyone. The endorsers: the owners only.
    "GET /api/statements/public/asks/": Route(EVERYONE),
    "GET /api/statements/public/{pk}/": Route(NOBODY, obj="statement"),
    "GET /api/statements/": Route(SIGNED_IN),
    "GET /api/statements/{pk}/endorsers": Route(
        on("editor:own", "org_admin:own", "admin:*"), obj="statement"
    ),
    # Removing spending and rates softly, with a reason (issue 13; web/tests/
    # test_money_removal.py): spending by the spending organisation's editors, rates by
    # coordinators and admins; restoring is a POST from the grant's or the rates page.
    "DELETE /api/funds/spending/{pk}/": Route(OWNED_WRITE, obj="spending", body=_removal_body),
    "DELETE /api/funds/rates/{pk}/": Route(
        on("coordinator:*", "admin:*"), obj="rate", body=_removal_body
    ),
    "GET money/spending/<uuid:pk>/remove/": Route(OWNED_WRITE, obj="spending"),
    "GET money/spending/<uuid:pk>/restore/": Route(NOBODY),  # POST only
    "GET money/rates/<uuid:pk>/remove/": Route(on("coordinator:*", "admin:*"), obj="rate"),
    "GET money/rates/<uuid:pk>/restore/": Route(NOBODY),  # POST only
    # The reporting rules over the API (issue 13, decision 0366; funds/tests/
    # test_api_reporting.py has who may succeed with a removed row and a grant that asks):
    # the world's spending and rates are not removed (404 for all), its transfers belong to
    # no grant asking a partner's confirmation, and its received legs are confirmed already
    # (a receipt with nothing to add is refused).
    "POST /api/funds/transfers/{pk}/receipt": Route(NOBODY, obj="transfer"),
    "POST /api/funds/transfers/{pk}/partner-confirm": Route(NOBODY, obj="transfer"),
    "POST /api/funds/spending/{pk}/restore": Route(NOBODY, obj="spending"),
    "POST /api/funds/rates/{pk}/restore": Route(NOBODY, obj="rate"),
}


# --- Discovering routes ---------------------------------------------------------------------


def _page_patterns(patterns: Iterable[Any], prefix: str = "") -> Iterable[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _page_patterns(pattern.url_patterns, route)
        else:
            yield route


@functools.cache
def openapi_schema() -> dict[str, Any]:
    """The API's OpenAPI schema, built once per process (decision 0363).

    Building it costs about a tenth of a second, and the matrix reads it for each of about a
    thousand write cases. The routes and their schemas are fixed when the URL configuration is
    imported, so every build gives the same document; the route ``GET /api/openapi.json`` is
    still asked for (and builds it) in every lane. Read it, never change it.
    """
    return api.get_openapi_schema()


def discovered_routes() -> list[str]:
    """Every page (GET) and every API operation (its method) the project serves."""
    keys = set()
    operations = openapi_schema()["paths"]
    for path, methods in operations.items():
        for method in methods:
            keys.add(f"{method.upper()} {path}")
    api_prefix = "api/"
    api_paths = {path.lstrip("/") for path in operations}
    for route in _page_patterns(get_resolver().url_patterns):
        if route.startswith("admin/") and route != "admin/login/":
            keys.add("GET admin/*")
            continue
        # API operations appear in the resolver too ("api/aid/activities/<pk>/"): covered above.
        as_openapi = route.replace("<", "{").replace(">", "}")
        if route.startswith(api_prefix) and as_openapi in api_paths:
            continue
        keys.add(f"GET {route}")
    return sorted(keys)


DISCOVERED = discovered_routes()


def _suggestion(key: str) -> str:
    method, path = key.split(" ", 1)
    hint = 'obj="<kind>", ' if "{pk}" in path or "<uuid:pk>" in path else ""
    body = "body=lambda w, whose: {...}, " if method in ("POST", "PUT", "PATCH") else ""
    return f'    "{key}": Route(<who may succeed, e.g. SIGNED_IN>, {hint}{body}),'


@pytest.mark.parametrize("key", DISCOVERED)
def test_every_route_has_an_entry(key):
    assert key in ROUTES, (
        f"route {key!r} has no entry in the authorisation matrix. Add one line to ROUTES in "
        f"src/corridor/accounts/tests/test_authz_matrix.py:\n{_suggestion(key)}\n"
        "saying who may succeed on it (see docs/security/access-control.md, 'Adding a route')."
    )


def test_no_entry_for_a_route_that_is_gone():
    stale = sorted(set(ROUTES) - set(DISCOVERED))
    assert not stale, f"remove these entries from ROUTES, no such route exists any more: {stale}"


# --- The world every route is tried in ------------------------------------------------------


class World:
    KINDS = (
        *("organisation", "activity", "incident", "figure", "source", "transfer", "grant"),
        *("dispute", "evidence", "heldrow", "spending", "rate", "statement"),
        "conflict",
    )
    MODELS = {
        "spending": Spending,
        "rate": ExchangeRate,
        "grant": Grant,
        "dispute": Dispute,
        "evidence": Evidence,
        "organisation": Organisation,
        "activity": Activity,
        "incident": Incident,
        "figure": DisplacementFigure,
        "source": Source,
        "transfer": Transfer,
        "heldrow": HeldRow,
        "statement": Statement,
        "conflict": Conflict,
    }

    def __init__(self) -> None:
        township(TOWNSHIP)
        self.orgs = {
            "own": OrganisationFactory(name="MARK-org-own"),
            "other": OrganisationFactory(name="MARK-org-other"),
            "other2": OrganisationFactory(name="MARK-org-other2"),
            "hidden": OrganisationFactory(name="MARK-org-hidden", visibility=Visibility.ANONYMOUS),
        }
        # As a real anonymous organisation is saved: its real name kept out of plain columns.
        self.orgs["hidden"].full_clean()
        self.orgs["hidden"].save()
        self.users = {
            "viewer": self._user(OrgRole.VIEWER),
            "editor": self._user(OrgRole.EDITOR),
            "org_admin": self._user(OrgRole.ORG_ADMIN),
            "coordinator": UserFactory(password=None, global_role=GlobalRole.COORDINATOR),
            "admin": UserFactory(
                password=None, global_role=GlobalRole.ADMIN, is_staff=True, is_superuser=True
            ),
        }
        self.outsider = UserFactory(password=None)
        self.objects: dict[str, dict[str, Any]] = {"organisation": {w: self.orgs[w] for w in WHOSE}}
        self.objects["activity"] = {
            w: ActivityFactory(organisation=self.orgs[w], notes=f"MARK-activity-{w}") for w in WHOSE
        }
        self.objects["incident"] = {
            w: IncidentFactory(
                reporting_organisation=self.orgs[w],
                description=f"MARK-incident-{w}",
                latitude=20.0 + i / 1000 + 0.000123,
                longitude=96.0 + i / 1000 + 0.000456,
            )
            for i, w in enumerate(WHOSE)
        }
        self.objects["figure"] = {
            w: DisplacementFigureFactory(
                reporting_organisation=self.orgs[w], notes=f"MARK-figure-{w}"
            )
            for w in WHOSE
        }
        self.objects["source"] = {
            w: SourceFactory(
                title=f"MARK-source-{w}",
                created_by=self.users["editor"] if w == "own" else self.outsider,
            )
            for w in WHOSE
        }
        sides = {
            "own": ("other", "own"),
            "other": ("other", "other2"),
            "hidden": ("other", "hidden"),
        }
        self.objects["transfer"] = {
            w: TransferFactory(
                from_organisation=self.orgs[sides[w][0]],
                to_organisation=self.orgs[sides[w][1]],
                reference=f"MARK-transfer-{w}",
            )
            for w in WHOSE
        }
        self.objects["heldrow"] = {
            w: HeldRowFactory(
                organisation=self.orgs[w],
                cells=f'["", "health", "service", "{TOWNSHIP}", "2024-03", "NA", "5", '
                f'"MARK-heldrow-{w}"]',
            )
            for w in WHOSE
        }
        self.objects["grant"] = {
            w: GrantFactory(
                donor=self.orgs[sides[w][0]],
                recipient=self.orgs[sides[w][1]],
                title=f"MARK-grant-{w}",
            )
            for w in WHOSE
        }
        self.objects["dispute"] = {
            w: Dispute.objects.create(
                transfer=self.objects["transfer"][w],
                opened_by=self.orgs[sides[w][1]],
                opened_on=dt.date(2024, 3, 1),
                note=f"MARK-dispute-{w}",
            )
            for w in WHOSE
        }
        self.objects["evidence"] = {
            w: EvidenceFactory(
                transfer=self.objects["transfer"][w], content=f"MARK-evidence-{w}".encode()
            )
            for w in WHOSE
        }
        # Spending of each grant on an activity of the grant's recipient (not the activity the
        # routes above delete: spending keeps its activity).
        self.objects["spending"] = {
            w: Spending.objects.create(
                grant=self.objects["grant"][w],
                activity=ActivityFactory(organisation=self.orgs[w]),
                amount=10,
                currency="USD",
                spent_on=dt.date(2024, 3, 5),
            )
            for w in WHOSE
        }
        # The rate table is nobody's: one row per "whose" only to have three to try.
        self.objects["rate"] = {
            w: ExchangeRate.objects.create(
                on=dt.date(2024, 3, 1),
                from_currency="USD",
                to_currency="MMK",
                rate=3700,
                kind="market",
                source=f"MARK-rate-{w}",
            )
            for w in WHOSE
        }
        self.objects["statement"] = {
            w: statement_create_draft(
                by=None, owner=self.orgs[w], title=f"MARK-statement-{w}", body="Draft."
            )
            for w in WHOSE
        }
        # A sync conflict over each activity: the lost version holds the marker.
        self.objects["conflict"] = {
            w: Conflict.objects.create(
                kind="aid.activity",
                record_id=self.objects["activity"][w].pk,
                kept_hlc=f"{2:018d}-{0:05d}-{'a' * 32}",
                lost_hlc=f"{1:018d}-{0:05d}-{'b' * 32}",
                lost=f'{{"notes": "MARK-conflict-{w}"}}',
            )
            for w in WHOSE
        }
        self._markers: dict[str, dict[str, str]] = {}
        self.clients = {"anonymous": Client()}
        self.clients.update({role: signed_in_client(user) for role, user in self.users.items()})

    def _user(self, role: str) -> Any:
        user = UserFactory(password=None)
        MembershipFactory(user=user, organisation=self.orgs["own"], role=role)
        return user

    def forbidden_markers(self, role: str) -> dict[str, str]:
        """Strings that must not appear in any answer to ``role``, with what each stands for."""
        if role not in self._markers:
            self._markers[role] = self._forbidden(role)
        return self._markers[role]

    def _forbidden(self, role: str) -> dict[str, str]:
        user = self.users.get(role)
        out = {}
        for kind, objects in self.objects.items():
            for whose, obj in objects.items():
                viewable = user is not None and policy.can(user, "view", obj)
                if not viewable:
                    out[str(obj.pk)] = f"id of {kind} {whose}"
                    for marker in (f"MARK-{kind}-{whose}", f"MARK-org-{whose}"):
                        if kind != "organisation" and marker.startswith("MARK-org"):
                            continue
                        out[marker] = f"{kind} {whose}"
                if kind == "incident" and not (
                    user is not None and policy.can(user, "view_protected", obj)
                ):
                    out[f"{obj.latitude:.6f}"] = f"exact latitude of incident {whose}"
                if kind == "transfer" and not (
                    user is not None and policy.can(user, "view_protected", obj)
                ):
                    out[f"MARK-transfer-{whose}"] = f"reference of transfer {whose}"
        return out


# --- Trying one route -----------------------------------------------------------------------


def _request(client: Client, method: str, path: str, body: dict | None, query: dict) -> Any:
    if method == "GET":
        return client.get(path, query)
    return getattr(client, method.lower())(path, body or {}, content_type="application/json")


def _path(key: str, route: Route, obj: Any) -> str:
    path = key.split(" ", 1)[1]
    values = {**route.args, **({"pk": str(obj.pk)} if obj is not None else {})}
    for name, value in values.items():
        for template in (f"{{{name}}}", f"<{name}>"):
            path = path.replace(template, value)
        for converter in ("str", "uuid", "slug", "int", "path"):
            path = path.replace(f"<{converter}:{name}>", value)
    return path if path.startswith("/") else "/" + path


def _hostile_extras(world: World, key: str, kind: str | None) -> dict:
    """Fields the write's schema does not offer, filled with values an attacker would like."""
    method, path = key.split(" ", 1)
    operation = openapi_schema()["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = openapi_schema()["components"]["schemas"][name]
    offered = set(schema.get("properties", {}))
    extras = {
        "id": HOSTILE_ID,
        "created_by": str(world.outsider.pk),
        "updated_by": str(world.outsider.pk),
        "created_at": "2001-01-01T00:00:00Z",
        "organisation": str(world.orgs["other2"].pk),
        "reporting_organisation": str(world.orgs["other2"].pk),
        "from_organisation": str(world.orgs["other2"].pk),
        "to_organisation": str(world.orgs["hidden"].pk),
        "global_role": "admin",
        "is_superuser": True,
    }
    return {k: v for k, v in extras.items() if k not in offered}


def _guarded(obj: Any) -> dict:
    names = {f.name for f in obj._meta.concrete_fields} - {"updated_at", "updated_by"}
    return {name: getattr(obj, f"{name}_id", getattr(obj, name, None)) for name in names}


@dataclass(frozen=True)
class Lane:
    """Who asks: a role with its session, or (``scope``) with its API token for "own"."""

    role: str
    scope: str = ""

    @property
    def name(self) -> str:
        return f"{self.role} with a {self.scope} token" if self.scope else self.role

    def _acts_as(self, key: str) -> str:
        if not self.scope:
            return self.role
        if not key.split(" ", 1)[1].startswith("/api/"):
            return "anonymous"  # pages and the admin do not look at tokens
        return "editor" if self.scope == "write" else "viewer"

    def expected(self, route: Route, key: str, whose: str) -> bool:
        acts_as = self._acts_as(key)
        if self.scope and acts_as != "anonymous":
            if self.scope == "read" and not key.startswith("GET "):
                return False
            if route.ok == SOURCE_CREATOR and self.role != "editor":
                return False  # who added the source decides, not the role
        return (acts_as, whose) in route.ok

    def sees_as(self, key: str) -> str:
        """The role whose forbidden markers apply (a token sees what its role sees in "own")."""
        return self._acts_as(key)


SESSIONS = tuple(Lane(role) for role in ROLES)
TOKENS = (
    Lane("viewer", "read"),
    Lane("editor", "read"),
    Lane("editor", "write"),
    Lane("org_admin", "write"),  # a token never administers
    Lane("admin", "write"),  # a network admin's token is an editor of one organisation
)


def _cases(route: Route, lanes: tuple[Lane, ...]) -> list[tuple[Lane, str]]:
    whoses = WHOSE if route.obj else (NO_OBJECT,)
    return [(lane, whose) for lane in lanes for whose in whoses]


# The PATCH bodies in ROUTES change these fields and nothing else.
# (An anonymous organisation's acronym is kept with its real name, in protected_name.)
PATCHED_FIELDS = {
    *("notes", "injuries", "idps", "publisher", "status", "acronym", "protected_name", "channel"),
    # A held row's fix: its cells, and the outcome (applied, or still held with new reasons).
    *("cells", "reasons", "applied_run"),
    "purpose",
    *("spent_on", "source"),  # a spending's day, a rate's source
}
MATRIX_KEYS = [key for key in DISCOVERED if key in ROUTES]


def _admin_paths() -> list[str]:
    paths = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        paths.append(f"/admin/{meta.app_label}/{meta.model_name}/")
    return paths


def test_matrix(db):
    """Every route in one world: each request runs in a savepoint rolled back after it."""
    world = World()
    problems = []
    for key in MATRIX_KEYS:
        problems.extend(_try_route(world, key))
    assert not problems, "\n".join(problems)


def test_matrix_with_tokens(db):
    """Every route again, asked with API tokens (Authorization: Bearer) instead of sessions."""
    world = World()
    for lane in TOKENS:
        issued = tokens.token_create(
            by=None,
            user=world.users[lane.role],
            organisation=world.orgs["own"],
            scope=lane.scope,
            name="matrix",
        )
        world.clients[lane.name] = Client(headers={"Authorization": f"Bearer {issued.text}"})
    problems = []
    for key in MATRIX_KEYS:
        problems.extend(_try_route(world, key, TOKENS))
    assert not problems, "\n".join(problems)


def _try_route(world: World, key: str, lanes: tuple[Lane, ...] = SESSIONS) -> list[str]:
    route = ROUTES[key]
    method = key.split(" ", 1)[0]
    problems = []
    for lane, whose in _cases(route, lanes):
        client = world.clients[lane.name]
        obj = world.objects[route.obj][whose] if route.obj and whose != NO_OBJECT else None
        takes_pk = "{pk}" in key or ":pk>" in key
        paths = (
            _admin_paths()
            if key == "GET admin/*"
            else [_path(key, route, obj if takes_pk else None)]
        )
        expected = lane.expected(route, key, whose)
        for path in paths:
            with transaction.atomic():
                body = None
                extras: dict = {}
                before = None
                if route.body is not None:
                    body = route.body(world, whose)
                    extras = _hostile_extras(world, key, route.obj)
                    body = {**extras, **body}
                if obj is not None and takes_pk and method == "PATCH":
                    before = _guarded(type(obj).objects.get(pk=obj.pk))
                answer = _request(client, method, path, body, route.query)
                text = answer.content.decode(errors="replace")
                succeeded = 200 <= answer.status_code < 300
                where = f"{lane.name} on {whose}: {method} {path} -> {answer.status_code}"
                if succeeded and not expected:
                    problems.append(f"UNEXPECTED SUCCESS {where}")
                elif expected and not succeeded:
                    problems.append(f"refused but the table allows it: {where} {text[:200]}")
                if answer.status_code >= 500 or "Traceback" in text:
                    problems.append(f"server error or stack trace: {where}")
                for marker, meaning in world.forbidden_markers(lane.sees_as(key)).items():
                    if marker in text:
                        problems.append(f"LEAK {where}: shows {meaning} ({marker})")
                if succeeded and body is not None:
                    problems.extend(
                        _mass_assignment(world, lane.role, method, obj, before, answer, where)
                    )
                transaction.set_rollback(True)
    return [f"{key}: {problem}" for problem in problems]


def _mass_assignment(
    world: World, role: str, method: str, obj: Any, before: dict | None, answer: Any, where: str
) -> list[str]:
    problems = []
    if uuid.UUID(HOSTILE_ID) in {
        m.objects.filter(pk=HOSTILE_ID).values_list("pk", flat=True).first()
        for m in World.MODELS.values()
    }:
        problems.append(f"MASS ASSIGNMENT {where}: a record took the id sent in the body")
    if method == "PATCH" and obj is not None and before is not None:
        after = _guarded(type(obj).objects.get(pk=obj.pk))
        unexpected = {k for k in before if before[k] != after[k]} - PATCHED_FIELDS
        if unexpected:
            problems.append(f"MASS ASSIGNMENT {where}: changed {sorted(unexpected)}")
    if method == "POST" and answer.status_code == 201:
        created_id = answer.json().get("id")
        for model in World.MODELS.values():
            created = model.objects.filter(pk=created_id).first()
            if created is not None and created.created_by_id != world.users[role].pk:
                problems.append(f"MASS ASSIGNMENT {where}: created_by was taken from the body")
    return problems
