"""The JSON API root (django-ninja): one router per domain app, OpenAPI docs at /api/docs."""

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError
from ninja import NinjaAPI

from corridor import __version__
from corridor.core.errors import InvalidInput, NotAllowed

api = NinjaAPI(
    title="Corridor API",
    version=__version__,
    description="Who does what where, the situation, gaps and money flows — scoped to the caller.",
    urls_namespace="api",
)


# Domain errors become 4xx answers with a clear message, never a 500 with a stack trace.
def _answer(status: int, detail: str, **extra):
    return lambda request, exc: api.create_response(
        request, {"detail": detail or str(exc), **extra}, status=status
    )


def _invalid(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(
        request, {"detail": "; ".join(exc.messages), "errors": errors}, status=400
    )


api.add_exception_handler(NotAllowed, _answer(403, ""))
api.add_exception_handler(InvalidInput, _answer(400, ""))
api.add_exception_handler(ValidationError, _invalid)
api.add_exception_handler(IntegrityError, _answer(409, "conflicts with a record that exists"))
api.add_exception_handler(DataError, _answer(400, "a value cannot be stored (too large?)"))

# Each domain app exposes `router` in its api.py; add it here, one line per app:
# api.add_router("/geo/", "corridor.geo.api.router")
api.add_router("/gaps/", "corridor.gaps.api.router")
api.add_router("/aid/", "corridor.aid.api.router")
api.add_router("/situation/", "corridor.situation.api.router")
api.add_router("/funds/", "corridor.funds.api.router")
api.add_router("/orgs/", "corridor.orgs.api.router")
api.add_router("/geo/", "corridor.geo.api.router")
api.add_router("/exchange/", "corridor.exchange.api.router")
api.add_router("/web/", "corridor.web.api.router")
