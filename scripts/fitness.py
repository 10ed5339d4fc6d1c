"""Fitness checks run by scripts/check: the layering, "only services write" (decision 0145) and
"reads through queries" (decision 0256).

    python scripts/fitness.py [--root src/corridor] [layering] [writes] [reads]

Each reads the source with ``ast`` (nothing is imported or run) and prints one line per finding,
``path:line: message``; the exit status is 1 when anything is found. Tests and migrations are not
checked. A known exception is an entry in ``LAYERING_ALLOWED``, ``WRITES_ALLOWED`` or
``READS_ALLOWED`` below (or a model in ``PUBLIC_MODELS``), with its reason; an entry that no
longer matches anything is reported too, so the lists stay true.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "corridor"

# -- Layering ----------------------------------------------------------------------------------
# Lowest first. A unit (an app or package under src/corridor, or a top-level module) may use a
# unit of a lower layer, never one of a higher layer nor a sibling in its own layer. "Use" is an
# import (module level or inside a function), a dotted module path in a string
# ("corridor.web.urls") or a model label in a string ("orgs.Organisation").
LAYERS: list[tuple[str, ...]] = [
    ("corridor", "config"),  # the package (__version__) and the catalogue of settings
    ("core",),
    ("audit",),
    ("accounts",),  # users and the one access policy every app asks
    ("geo", "orgs"),
    ("situation", "aid"),
    ("funds",),  # spending names the 4W activities a grant paid for (decision 0235)
    ("disclosure", "keys", "backup"),
    ("statements",),  # joint statements: orgs, situation sources, the disclosure gate
    ("exchange", "gaps", "demo", "sync"),  # sync: its bundles are marked outputs
    ("screening",),  # screens the money's counterparties; over funds and orgs (decision 0310)
    ("web",),
    ("api",),  # the root API: mounts every app's router
    ("urls",),
    ("wsgi",),
    ("settings",),  # names every app, middleware, urls and wsgi
    ("cli",),
    ("testing",),  # factories and helpers for tests
]

# (module path under src/corridor, unit it may use against the layers): reason.
LAYERING_ALLOWED: dict[tuple[str, str], str] = {
    ("accounts/models.py", "orgs"): (
        "Membership and TokenGrant point at orgs.Organisation by label: a role is held in an "
        "organisation; Django resolves the label lazily, so no import cycle"
    ),
    ("accounts/views.py", "orgs"): (
        "the token page offers the person's organisations through orgs.queries; the sign-in "
        "views are web code living in accounts"
    ),
    ("wsgi.py", "settings"): (
        "Django's wiring: the WSGI entry names its settings module, settings names the entry"
    ),
}


# -- Only services write -----------------------------------------------------------------------
# Calls that write through the ORM. Heuristic: the method name on any object, narrowed where a
# common non-ORM method shares the name (see _is_write).
ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create"}
NO_POSITIONAL = {"save", "delete", "create"}  # Model.save(), qs.delete(), objects.create(**kw)
QUERYSET_CALLS = {"filter", "exclude", "all", "select_for_update", "objects"}

# (module path, enclosing function, method): reason.
WRITES_ALLOWED: dict[tuple[str, str, str], str] = {
    ("accounts/models.py", "RecoveryDevice.verify_token", "update"): (
        "django-otp's device interface: a recovery code is spent as it is verified"
    ),
    ("accounts/models.py", "RecoveryDevice.verify_token", "save"): (
        "django-otp's device interface: the throttle and last use are kept on the device"
    ),
    ("accounts/panic.py", "user_panic", "save"): (
        "a service in all but name: by, policy.require, one transaction, audited"
    ),
    ("accounts/tokens.py", "token_create", "save"): (
        "the API token service (decision 0125): by, policy.require, audited"
    ),
    ("accounts/tokens.py", "token_revoke", "update"): "the API token service (decision 0125)",
    ("accounts/tokens.py", "_once_an_hour", "update"): (
        "the API token service: last use, throttled, not domain data"
    ),
    ("accounts/sessions.py", "sessions_purge", "delete"): (
        "Django's session table, not domain data; run by `corridor sessions purge`"
    ),
    ("accounts/throttle.py", "failure_record", "delete"): (
        "sign-in throttle bookkeeping (hashed keys), not domain data"
    ),
    ("accounts/throttle.py", "failure_record", "create"): "sign-in throttle bookkeeping",
    ("accounts/throttle.py", "failures_clear", "delete"): "sign-in throttle bookkeeping",
    ("cli/demo.py", "demo_authenticator", "create"): (
        "the demo instance's own authenticator (django-otp), made once by `corridor demo`"
    ),
    ("exchange/pipeline.py", "run_import", "create"): (
        "the import pipeline is the import service (decision 0080): runs, batches and rows are "
        "written in bulk with its own audit entries"
    ),
    ("exchange/pipeline.py", "run_import", "update"): "the import pipeline (decision 0080)",
    ("exchange/pipeline.py", "_apply_batches.on_batch", "create"): "the import pipeline",
    ("exchange/pipeline.py", "_Writer.write", "delete"): "the import pipeline: stale links go",
    ("exchange/kinds/ledger_run.py", "ledger_run", "create"): (
        "the import pipeline's run record of a ledger file (decision 0367): its rows are "
        "written by the funds services, the run as pipeline.run_import writes it"
    ),
    ("exchange/kinds/ledger_run.py", "ledger_run", "update"): "the ledger file's run record",
    ("exchange/removal.py", "records_remove", "update"): (
        "the import pipeline removes softly the records a scoped re-import no longer holds, "
        "after the policy check, with one audit entry (decisions 0150, 0282)"
    ),
    ("exchange/removal.py", "records_restore", "update"): (
        "the import pipeline restores the records a replacing import removed that a file "
        "holds again, after the policy check, with one audit entry (decision 0282)"
    ),
    ("demo/flows.py", "activities", "update"): (
        "a dict of dates (dict.update with keywords), not the ORM: the generator writes nothing"
    ),
    ("web/views/language.py", "language_switch", "update"): (
        "a person's own language preference, one column, no audit entry (not domain data)"
    ),
    ("audit/admin.py", "_admin_log", "bulk_create"): (
        "Django admin's own log (django_admin_log), not domain data: written as Django writes "
        "it but naming records by kind and id (the change itself is audited by AuditedAdmin)"
    ),
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _modules(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(root).parts)
    )


def _unit(relative: Path) -> str:
    if len(relative.parts) > 1:
        return relative.parts[0]
    return "corridor" if relative.stem == "__init__" else relative.stem


def _model_labels(root: Path) -> dict[str, str]:
    """'app.modelname' (lower case) -> app, from the classes of every models.py."""
    labels = {}
    for models in root.glob("*/models.py"):
        for node in ast.parse(models.read_text()).body:
            if isinstance(node, ast.ClassDef):
                labels[f"{models.parent.name}.{node.name.lower()}"] = models.parent.name
    return labels


def _absolute(node: ast.ImportFrom, relative: Path) -> str:
    if not node.level:
        return node.module or ""
    package = ["corridor", *relative.parent.parts]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _uses(tree: ast.AST, relative: Path, units: set[str], labels: dict[str, str]):
    """(line, unit, how) for every use of a corridor unit in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _dotted(node.lineno, alias.name, units, "imports")
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, relative)
            if module == "corridor":
                for alias in node.names:
                    unit = alias.name if alias.name in units else "corridor"
                    yield node.lineno, unit, f"imports corridor.{alias.name}"
            else:
                yield from _dotted(node.lineno, module, units, "imports")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if re.fullmatch(r"corridor(\.\w+)+", text):
                yield from _dotted(node.lineno, text, units, "names")
            elif text.lower() in labels:
                yield node.lineno, labels[text.lower()], f"names the model {text!r}"


def _dotted(line: int, module: str, units: set[str], how: str):
    parts = module.split(".")
    if parts[0] == "corridor" and len(parts) > 1 and parts[1] in units:
        yield line, parts[1], f"{how} {module}"


def check_layering(root: Path = ROOT) -> list[Finding]:
    layer = {unit: rank for rank, layer_units in enumerate(LAYERS) for unit in layer_units}
    labels = _model_labels(root)
    findings, used = [], set()
    for path in _modules(root):
        relative = path.relative_to(root)
        name, source = relative.as_posix(), _unit(relative)
        if source not in layer:
            findings.append(Finding(name, 1, f"{source!r} is in no layer of scripts/fitness.py"))
            continue
        for line, target, how in _uses(ast.parse(path.read_text()), relative, set(layer), labels):
            if target == source or layer[target] < layer[source]:
                continue
            if (name, target) in LAYERING_ALLOWED:
                used.add((name, target))
                continue
            direction = "a sibling" if layer[target] == layer[source] else "a higher layer"
            findings.append(Finding(name, line, f"{source} {how}: {target} is {direction}"))
    findings += [
        Finding(name, 0, f"allow-list entry for {target!r} matches nothing; remove it")
        for name, target in LAYERING_ALLOWED.keys() - used
        if root == ROOT
    ]
    return findings


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in ALWAYS_WRITES:
        return True
    if func.attr in NO_POSITIONAL:
        return not call.args  # book.save(stream), cache.delete(key) are not the ORM
    if func.attr == "update":
        # QuerySet.update(**fields); dict.update(other), hash.update(bytes) take a positional.
        receiver = func.value
        on_queryset = any(
            isinstance(node, ast.Attribute) and node.attr in QUERYSET_CALLS
            for node in ast.walk(receiver)
        )
        return on_queryset or (not call.args and bool(call.keywords))
    return False


def _writer_module(relative: Path) -> bool:
    parts = relative.parts
    return relative.name == "services.py" or "services" in parts[:-1] or parts[0] == "testing"


class _Writes(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[int, str, str]] = []

    def _enter(self, node: ast.AST, name: str) -> None:
        # Decorators are not visited: @router.delete("/x") declares a route.
        self.scope.append(name)
        for child in node.body:  # type: ignore[attr-defined]
            self.visit(child)
        self.scope.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._enter(node, node.name)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.visit(node.args)
        self._enter(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Call(self, node: ast.Call) -> None:
        if _is_write(node):
            method = node.func.attr  # type: ignore[attr-defined]
            self.found.append((node.lineno, ".".join(self.scope) or "<module>", method))
        self.generic_visit(node)


def _scoped_findings(
    root: Path,
    checked: Callable[[Path], bool],
    visitor: Callable[[], _Writes],
    allowed: dict[tuple[str, str, str], str],
    say: Callable[[str, str], str],
    entry: Callable[[str, str], str],
) -> list[Finding]:
    """What ``visitor`` finds in the ``checked`` modules, (module, function, what) entries of
    ``allowed`` aside; and each entry of ``allowed`` that matches nothing."""
    findings, used = [], set()
    for path in _modules(root):
        relative = path.relative_to(root)
        if not checked(relative):
            continue
        name = relative.as_posix()
        found = visitor()
        found.visit(ast.parse(path.read_text()))
        for line, scope, what in found.found:
            if (name, scope, what) in allowed:
                used.add((name, scope, what))
                continue
            findings.append(Finding(name, line, say(scope, what)))
    findings += [
        Finding(name, 0, f"allow-list entry for {entry(scope, what)} matches nothing; remove it")
        for name, scope, what in allowed.keys() - used
        if root == ROOT
    ]
    return findings


def check_writes(root: Path = ROOT) -> list[Finding]:
    return _scoped_findings(
        root,
        lambda relative: not _writer_module(relative),
        _Writes,
        WRITES_ALLOWED,
        lambda scope, method: f".{method}() in {scope} writes outside a services module",
        lambda scope, method: f"{scope}/.{method}()",
    )


# -- Reads through queries ----------------------------------------------------------------------
# Pages, API handlers and commands read records through the apps' queries.py (scoped to who asks),
# never a bare ``<Model>.objects`` (or ``_default_manager``/``_base_manager``) of a domain model,
# i.e. a class of a models.py under src/corridor.
READ_MANAGERS = {"objects", "_default_manager", "_base_manager"}

# Models anyone may read whole: public reference data, not records of who asks.
PUBLIC_MODELS: dict[str, str] = {
    "AdminUnit": "the gazetteer: MIMU p-codes, names and boundaries are public reference data",
}

# (module path, enclosing function, model): reason.
READS_ALLOWED: dict[tuple[str, str, str], str] = {
    ("cli/funds.py", "_grant", "Grant"): (
        "the instance operator (the command line has no --as here) may read every grant; "
        "funds.queries scope a signed-in person"
    ),
    ("cli/funds.py", "_grants", "Grant"): "the instance operator lists every grant",
    ("cli/funds.py", "_rates", "ExchangeRate"): "the instance operator lists the rate table",
    ("cli/sync.py", "_organisations", "Organisation"): (
        "the instance operator names the organisations a field peer is registered for "
        "(`corridor sync peer add --org`); no person's view is involved"
    ),
    ("cli/init.py", "ensure_admin", "User"): (
        "first-run setup asks whether any administrator exists, before anyone can sign in"
    ),
    ("cli/tokens.py", "run", "ApiToken"): (
        "the instance operator lists every API token (prefixes and states, never a secret)"
    ),
    ("web/views/records.py", "_owner_only", "Organisation"): (
        "the edit form's organisation field holds only the record's own owner, fixed; the "
        "page asked the policy before it let the person edit the record"
    ),
}


def _reader_module(relative: Path) -> bool:
    """Web views, every API module and the command line: where a person's request is read."""
    parts = relative.parts
    return parts[:2] == ("web", "views") or relative.name == "api.py" or parts[0] == "cli"


def _model_names(root: Path) -> set[str]:
    return {name.rsplit(".", 1)[1] for name in _model_labels(root)}


class _Reads(_Writes):
    def __init__(self, models: set[str]) -> None:
        super().__init__()
        self.models = models

    def visit_Call(self, node: ast.Call) -> None:  # the writes check's, not needed here
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        value = node.value
        named = isinstance(value, ast.Name) and value.id.lower() in self.models
        if node.attr in READ_MANAGERS and named:
            scope = ".".join(self.scope) or "<module>"
            self.found.append((node.lineno, scope, value.id))  # type: ignore[attr-defined]
        self.generic_visit(node)


def check_reads(root: Path = ROOT) -> list[Finding]:
    models = _model_names(root) - {name.lower() for name in PUBLIC_MODELS}
    return _scoped_findings(
        root,
        _reader_module,
        lambda: _Reads(models),
        READS_ALLOWED,
        lambda scope, model: f"{model}.objects in {scope}: read through a queries function",
        lambda scope, model: f"{scope}/{model}",
    )


CHECKS = {"layering": check_layering, "writes": check_writes, "reads": check_reads}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the corridor package to read")
    parser.add_argument("checks", nargs="*", help=f"some of {', '.join(CHECKS)}; default all")
    args = parser.parse_args(argv)
    unknown = set(args.checks) - CHECKS.keys()
    if unknown:
        parser.error(f"unknown check: {', '.join(sorted(unknown))}")
    findings = [f for check in args.checks or CHECKS for f in CHECKS[check](args.root.resolve())]
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
