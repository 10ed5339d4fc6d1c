"""Discovering what Corridor serves and writes, for tests that must cover all of it.

- ``discovered_routes()``: every page (from Django's URL resolver) and every API operation
  (from django-ninja's routers, checked against the OpenAPI schema), each with the function
  that answers it. Keys are named as the authorisation matrix names them: ``"GET gaps.csv"``
  for a page, ``"GET /api/gaps/"`` for an API operation, ``"GET admin/*"`` for the admin.
- ``discovered_commands()``: every ``corridor`` subcommand, with its module.
- ``discovered_file_writers()``: every function in an app's ``services`` module (or package)
  that produces a file: named ``*_export`` or ``*_write``, or taking an ``out`` stream.

Nothing is listed by hand, so a new route, command or export service is found the day it is
added (docs/decisions/0032 and 0105).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import corridor

ADMIN = "GET admin/*"
#: Packages that hold no domain services: the command line and the test helpers.
NOT_APPS = ("cli", "testing", "locale", "templates")
WRITER_NAME = re.compile(r"(_export|_write)$")
WRITER_PARAMETERS = ("out",)


@dataclass(frozen=True)
class Found:
    """One discovered route, command or file-writing function."""

    key: str
    target: Any  # the view function, the command module or the service function


# --- Routes -------------------------------------------------------------------------------------


def _patterns(patterns: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    from django.urls import URLResolver

    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, route)
        else:
            yield route, pattern.callback


def _as_openapi(route: str) -> str:
    """``api/aid/activities/<uuid:pk>/`` -> ``/api/aid/activities/{pk}/``."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).lstrip("/")


def api_operations(api: Any = None) -> list[Found]:
    """Every django-ninja operation, keyed ``"METHOD /api/path"``, with its view function."""
    from django.urls import reverse

    if api is None:
        from corridor.api import api
    root = reverse(f"{api.urls_namespace}:openapi-json").rsplit("/", 1)[0]

    def walk(prefix: str, router: Any) -> Iterator[Found]:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = re.sub("/+", "/", f"{root}/{prefix}/{path}")
                for method in operation.methods:
                    yield Found(f"{method.upper()} {full}", operation.view_func)
        for child in router._routers:
            yield from walk(f"{prefix}/{child[0]}", child[1])

    found: dict[str, Found] = {}
    for entry in api._routers:
        for item in walk(entry[0], entry[1]):
            found[item.key] = item
    return sorted(found.values(), key=lambda f: f.key)


def discovered_routes(urlconf: str | None = None, api: Any = None) -> list[Found]:
    """Every page (GET) and API operation the URL configuration serves."""
    from django.urls import get_resolver

    operations = api_operations(api)
    api_paths = {item.key.split(" ", 1)[1] for item in operations}
    found = {item.key: item for item in operations}
    for route, callback in _patterns(get_resolver(urlconf).url_patterns):
        if route.startswith("admin/") and route != "admin/login/":
            found.setdefault(ADMIN, Found(ADMIN, None))
            continue
        if _as_openapi(route) in api_paths:
            continue  # an API operation, found above with its own function
        found[f"GET {route}"] = Found(f"GET {route}", callback)
    return sorted(found.values(), key=lambda f: f.key)


# --- Commands -----------------------------------------------------------------------------------


def discovered_commands(commands: Sequence[ModuleType] | None = None) -> list[Found]:
    """Every ``corridor`` subcommand, keyed ``"corridor NAME"``, with its module."""
    if commands is None:
        from corridor.cli.main import COMMANDS

        commands = COMMANDS
    return [Found(f"corridor {module.NAME}", module) for module in commands]


# --- Services that write files ------------------------------------------------------------------


def services_modules() -> list[ModuleType]:
    """Each app's ``services`` module, and every module of a ``services`` package."""
    modules = []
    for package in pkgutil.iter_modules(corridor.__path__):
        if not package.ispkg or package.name in NOT_APPS:
            continue
        name = f"corridor.{package.name}.services"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        modules.append(module)
        if hasattr(module, "__path__"):
            for sub in pkgutil.walk_packages(module.__path__, f"{name}."):
                modules.append(importlib.import_module(sub.name))
    return modules


def writes_a_file(func: Callable[..., Any]) -> bool:
    """Named ``*_export`` / ``*_write``, or taking an ``out`` stream to write to."""
    parameters = inspect.signature(func).parameters
    return bool(WRITER_NAME.search(func.__name__)) or any(
        name in parameters for name in WRITER_PARAMETERS
    )


def discovered_file_writers(modules: Iterable[ModuleType] | None = None) -> list[Found]:
    """Every file-writing function defined in the given modules (default: the services)."""
    found = []
    for module in services_modules() if modules is None else modules:
        for name, func in inspect.getmembers(module, inspect.isfunction):
            defined_here = getattr(inspect.unwrap(func), "__module__", None) == module.__name__
            if defined_here and not name.startswith("_") and writes_a_file(func):
                found.append(Found(f"{module.__name__}.{name}", func))
    return sorted(found, key=lambda f: f.key)
