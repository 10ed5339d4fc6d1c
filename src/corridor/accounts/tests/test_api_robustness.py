"""Schemathesis against the API's own OpenAPI schema, in-process through the WSGI app.

For each role (anonymous, editor, admin) and every operation, a bounded number of generated
requests, valid and invalid ("negative data"), must give: no server error, no answer that
breaks its documented schema, and no stack trace. Bounded so a database lane stays under a
minute; run with CORRIDOR_FUZZ_EXAMPLES=50 for a deeper local search.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.middleware.csrf import get_token
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.testing.factories import (
    ActivityFactory,
    DisplacementFigureFactory,
    IncidentFactory,
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
    TransferFactory,
    UserFactory,
    township,
)
from corridor.testing.signin import signed_in_client

EXAMPLES = int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "3"))
STACK_TRACE_SIGNS = ("Traceback (most recent call last)", 'File "/', "django.core.exceptions")


def _world() -> dict[str, str]:
    """Records to aim at, so detail and write operations reach real rows, not only 404s."""
    township()
    own = OrganisationFactory()
    other = OrganisationFactory()
    return {
        "/api/aid/activities/{pk}/": str(ActivityFactory(organisation=own).pk),
        "/api/situation/incidents/{pk}/": str(IncidentFactory(reporting_organisation=own).pk),
        "/api/situation/figures/{pk}/": str(
            DisplacementFigureFactory(reporting_organisation=own).pk
        ),
        "/api/situation/sources/{pk}/": str(SourceFactory().pk),
        "/api/funds/transfers/{pk}/": str(
            TransferFactory(from_organisation=other, to_organisation=own).pk
        ),
        "/api/orgs/organisations/{pk}/": str(own.pk),
        "own": str(own.pk),
    }


def _credentials(role: str, own_pk: str) -> tuple[dict[str, str], dict[str, str]]:
    """Cookies and headers a signed-in browser would send, CSRF token included."""
    if role == "anonymous":
        return {}, {}
    if role == "admin":
        user = UserFactory(password=None, global_role=GlobalRole.ADMIN, is_superuser=True)
    else:
        user = UserFactory(password=None)
        MembershipFactory(user=user, organisation_id=own_pk, role=OrgRole.EDITOR)
    client = signed_in_client(user)
    token = get_token(RequestFactory().get("/"))
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: token,
    }
    return cookies, {"X-CSRFToken": token}


def _explore(
    strategy: Any,
    where: str,
    cookies: dict,
    headers: dict,
    failures: list[str],
    answered: list[tuple[str, int]],
) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        # schemathesis's WSGI transport does not undo gzip; compression has its own tests
        # (core/tests/test_compression.py).
        response = case.call(cookies=cookies, headers={**headers, "Accept-Encoding": "identity"})
        answered.append((case.method.upper(), response.status_code))
        if any(sign in response.text for sign in STACK_TRACE_SIGNS):
            failures.append(f"stack trace in answer: {where}")
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as exc:  # schemathesis reports failed checks as an exception group
            first = " | ".join(str(exc).strip().splitlines()[:4])
            failures.append(f"{where}: {response.status_code} {first}")

    run()


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["anonymous", "editor", "admin"])
def test_api_holds_under_generated_requests(role):
    world = _world()
    cookies, headers = _credentials(role, world["own"])
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    failures: list[str] = []
    answered: list[tuple[str, int]] = []

    for operation in _operations(schema):
        fixed = {"pk": world[operation.path]} if operation.path in world else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            where = f"{role} {mode.value} {operation.method.upper()} {operation.path}"
            _explore(strategy, where, cookies, headers, failures, answered)
    assert not failures, "\n".join(sorted(set(failures))[:40])
    # The search reached the handlers: signed-in writes got through authentication and CSRF
    # (some succeeded), invalid data was refused with a 4xx, anonymous callers got nothing.
    writes = {status for method, status in answered if method in ("POST", "PATCH", "DELETE")}
    if role == "anonymous":
        assert writes <= {401, 403, 405}, writes
    else:
        assert writes & {200, 201, 204}, f"no write succeeded as {role}: {sorted(writes)}"
        assert {400, 422} & {status for _, status in answered}
