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

# Each domain app exposes `router` in its api.py; add it here, one line per app:
# api.add_router("/geo/", "corridor.geo.api.router")
api.add_router("/gaps/", "corridor.gaps.api.router")
