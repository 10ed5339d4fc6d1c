"""The JSON API root (django-ninja): one router per domain app, OpenAPI docs at /api/docs.

A caller signs in with a session (the pages' sign-in; writes then need the CSRF token) or with
a personal API token, ``Authorization: Bearer crd_...`` (no CSRF: no browser sends that header
on its own). Routers keep ``auth=django_auth``: ``token_or_session`` runs before it on every
operation and, for a token, makes ``request.user`` the token's owner as the token narrows them
(docs/security/api-tokens.md).
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger, _csrf_needed

from corridor import __version__
from corridor.accounts.tokens import Refusal, token_authenticate
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.core.rules import CONFIRMABLE


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's installed files, never its CDN page.

    django-ninja picks the CDN page unless "ninja" is an installed app; settings instead add its
    template and static folders (decision 0231), so this renders its local template directly.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title="Corridor API",
    version=__version__,
    description=(
        "Who does what where, the situation, gaps and money flows — scoped to the caller. "
        "Sign in with a session, or send a personal API token as `Authorization: Bearer "
        "<token>` (make one under /accounts/tokens/ or with `corridor tokens create`)."
    ),
    urls_namespace="api",
    docs=LocalSwagger(),
)


def token_or_session(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an operation: a Bearer token, when sent, decides who the caller is."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            outcome = token_authenticate(credential, method=request.method or "GET")
            if isinstance(outcome, Refusal):
                answer = api.create_response(
                    request, {"detail": outcome.detail}, status=outcome.status
                )
                if outcome.status == 401:
                    answer["WWW-Authenticate"] = 'Bearer realm="corridor"'
                return answer
            # The token, not a cookie, is the credential: a session sent alongside is ignored,
            # and there is nothing for a forged cross-site request to ride on.
            request.user = outcome
            request._ninja_csrf_exempt = True  # type: ignore[attr-defined]
        return run(request, *args, **kwargs)

    return wrapper


api.add_decorator(token_or_session, mode="view")


# Domain errors become 4xx answers with a clear message, never a 500 with a stack trace.
def _answer(status: int, detail: str, **extra):
    return lambda request, exc: api.create_response(
        request, {"detail": detail or str(exc), **extra}, status=status
    )


def _invalid(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    body = {"detail": "; ".join(exc.messages), "errors": errors}
    # Only likely mistakes (a duplicate, a jump): sending it again with "confirm": true saves
    # it (decision 0215).
    if hasattr(exc, "error_dict"):
        codes = [error.code for errors in exc.error_dict.values() for error in errors]
    else:
        codes = [error.code for error in exc.error_list]
    if codes and all(code in CONFIRMABLE for code in codes):
        body["confirmable"] = True
    return api.create_response(request, body, status=400)


api.add_exception_handler(NotAllowed, _answer(403, ""))
api.add_exception_handler(InvalidInput, _answer(400, ""))
api.add_exception_handler(ValidationError, _invalid)
api.add_exception_handler(IntegrityError, _answer(409, "conflicts with a record that exists"))
api.add_exception_handler(DataError, _answer(400, "a value cannot be stored (too large?)"))

# Each domain app exposes `router` in its api.py; add it here, one line per app:
api.add_router("/gaps/", "corridor.gaps.api.router")
api.add_router("/aid/", "corridor.aid.api.router")
api.add_router("/situation/", "corridor.situation.api.router")
api.add_router("/funds/", "corridor.funds.api.router")
api.add_router("/orgs/", "corridor.orgs.api.router")
api.add_router("/geo/", "corridor.geo.api.router")
api.add_router("/exchange/", "corridor.exchange.api.router")
api.add_router("/web/", "corridor.web.api.router")
api.add_router("/screening/", "corridor.screening.api.router")
api.add_router("/statements/", "corridor.statements.api.router")
