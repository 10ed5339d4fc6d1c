"""Nothing a signed-in person sees is kept by a browser or a proxy: ``Cache-Control: no-store``.

A shared computer in an office or an internet shop keeps its browser cache on disk, and a
proxy may keep what passes it: a page of activities, an API answer with a site's coordinates or
an export must not stay behind after the person signs out. So every response to a request that
carries a session (signed in, half signed in, just signed out) and every API answer says
``no-store``.

A response that sets its own ``Cache-Control`` keeps it: only reference data shipped with
Corridor does so (the gazetteer's boundary GeoJSON), besides the sign-in pages' ``never_cache``;
a test lists the places that may (core/tests/test_middleware.py). Static files never get here:
WhiteNoise, earlier in settings.MIDDLEWARE, answers them with their own long-lived caching.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

NO_STORE = "no-store"


def _private(request: Any) -> bool:
    if request.path.startswith("/api/"):
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and _private(request):
            response["Cache-Control"] = NO_STORE
        return response
