"""Answering an unchanged re-import from the run that applied the file (decision 0369).

Re-importing a file that nothing has changed since it was applied writes nothing, but the
full pipeline still reads, builds and checks every row to find that out (about 15,000 rows
per CPU second). An applied 4W import keeps, on its ``ImportRun.replay``, what it takes to
know that without the rows:

- ``options``: a digest of how the file was read and for whom (format, kind, key columns,
  saved mapping, organisation, person, organisations to create);
- ``stamp``: a digest of what the rules decide with (the code of the rules, importer,
  gazetteer and organisations modules, the shipped gazetteer files, the admin units, the
  place aliases, the organisations, the person's roles and the earliest date accepted);
- ``spans``: the file's scope (per organisation, its first and last month, scope.py) and
  three numbers read from the scope's stored records right after the run wrote them: how
  many there are (exactly the file's records: a run whose scope holds other records keeps
  nothing), the latest ``updated_at`` among them, and how many were written since the run
  started;
- ``result``: what the report says (rows, valid, blank rows, people, scope, notes, and the
  warnings without their cells' values).

A later import of a file with the same checksum, options and stamp is answered from it when
the scope's three numbers are still the same: every write of an activity (services, the
importer, removal and restore, sync) sets its ``updated_at`` to the time of the write, so an
edit, a removal, a restore, a new record or one moved in or out of the scope changes the
count or the latest time. Anything else takes the full path. Only 4W activities are kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q

import corridor
from corridor.accounts.models import Membership
from corridor.aid.models import Activity
from corridor.exchange.models import ImportRun, RunStatus
from corridor.exchange.scope import ActivityScope, Scope
from corridor.exchange.table import RowError
from corridor.geo.models import AdminUnit, PlaceAlias
from corridor.orgs.models import Organisation

VERSION = 1
# The packages whose code decides what a 4W row becomes (their tests and migrations aside).
RULE_PACKAGES = ("aid", "core", "exchange", "geo", "orgs", "accounts")


@functools.cache
def code_stamp() -> str:
    """A digest of the rules' code and the shipped gazetteer files, once per process."""
    digest = hashlib.sha256(corridor.__version__.encode())
    root = Path(corridor.__file__).parent
    for package in RULE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            parts = path.relative_to(root).parts
            if path.suffix not in (".py", ".csv") or "tests" in parts or "migrations" in parts:
                continue
            digest.update("/".join(parts).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)


def rules_stamp(by: Any) -> str:
    """What the rules decide a row with, as one digest: code, gazetteer, organisations, the
    person's roles and settings. Read in a few aggregate queries and one read of the admin
    units' names (about 20 ms)."""
    digest = hashlib.sha256(code_stamp().encode())
    for unit in AdminUnit.objects.order_by("pcode").values_list(
        "pcode", "level", "parent_id", "name_en", "name_my"
    ):
        digest.update(repr(unit).encode())
    for model in (PlaceAlias, Organisation):
        found = model.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
        digest.update(f"{model._meta.label}:{found['n']}:{_text(found['at'])}".encode())
    if by is not None and by.pk:
        digest.update(f"{by.pk}:{by.global_role}:{by.is_superuser}:{by.is_active}".encode())
        roles = Membership.objects.filter(user=by).order_by("organisation_id")
        for organisation, role in roles.values_list("organisation_id", "role"):
            digest.update(f"{organisation}:{role}".encode())
    digest.update(_text(settings.EARLIEST_DATE).encode())
    return digest.hexdigest()


def options_digest(
    *,
    by: Any,
    organisation: Any,
    format_name: str,
    kind: str | None,
    key: list[str] | tuple[str, ...],
    create_orgs: bool,
    org_choices: dict[str, dict[str, Any]] | None,
    read: Any,
) -> str | None:
    """How the file is read and for whom; None when it cannot be told (nothing is kept)."""
    mapping = None
    if format_name == "mapped":
        # A mapped file's reader is ``mapping.apply.read`` bound to its mapping (services).
        mapping = getattr(read, "keywords", {}).get("mapping")
        if mapping is None:
            return None
        mapping = mapping.to_json()
    described = {
        "by": str(by.pk) if by is not None and by.pk else "",
        "organisation": str(organisation.pk) if organisation is not None else "",
        "format": format_name,
        "kind": kind or "",
        "key": list(key),
        "create_orgs": create_orgs,
        "org_choices": org_choices or {},
        "mapping": mapping,
    }
    text = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _where(spans: list[list[str]]) -> Q:
    """The scope of ``ActivityScope._make_parts``, from the kept spans."""
    where = Q(pk__in=[])
    for org, first_text, last_text in spans:
        first, last = dt.date.fromisoformat(first_text), dt.date.fromisoformat(last_text)
        after = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        where |= Q(organisation_id=org) & (
            Q(reporting_month__gte=first, reporting_month__lte=last)
            | Q(reporting_month__isnull=True, start_date__gte=first, start_date__lt=after)
        )
    return where


def _records(spans: list[list[str]], started: str) -> dict[str, Any]:
    """The three numbers of the scope's stored records (removed ones are not counted)."""
    found = Activity.objects.filter(_where(spans)).aggregate(
        records=Count("pk"),
        latest=Max("updated_at"),
        since=Count("pk", filter=Q(updated_at__gte=dt.datetime.fromisoformat(started))),
    )
    return {**found, "latest": _text(found["latest"])}


def _first_import_numbers(
    scope: ActivityScope, result: Any, started: dt.datetime, stamped: tuple[Any, Any] | None
) -> dict[str, Any] | None:
    """The three numbers of ``_records`` for a first import, from what it wrote (decision
    0393), or None when they must be read. Every organisation of the scope had no current
    record before the file (``Scope.fresh``, decision 0373) and the run created every record
    of the file, none changed, removed or restored: the scope then holds exactly those
    records, each stamped by one of the run's batches (``stamped``: the first and last)."""
    if stamped is None:
        return None
    first, last = stamped
    organisations = {organisation for organisation, _month in scope.months}
    if (
        not organisations
        or not organisations <= scope.fresh
        or result.created != len(scope.seen)
        or result.changed
        or result.removed
        or result.restored
        or first < started
    ):
        return None
    return {"records": result.created, "latest": _text(last), "since": result.created}


def keep(
    *,
    scope: Scope,
    result: Any,
    started: dt.datetime,
    stamped: tuple[Any, Any] | None = None,
) -> dict[str, Any] | None:
    """What a later import of the same file needs to be answered from this run; inside the
    run's transaction, after every write. None when the run cannot be replayed. The caller
    adds the ``options`` and ``stamp`` it read before the run. ``stamped``: the first and
    last bookkeeping stamps of the run's writes, which spare a first import reading its
    scope back (decision 0393)."""
    if (
        not isinstance(scope, ActivityScope)
        or result.dry_run
        or not result.ok
        or result.held
        or result.partial
        # What a re-import flags is not what the first import flagged: rows stored as they
        # are were accepted once and are not flagged again (decision 0150), so a file with
        # warnings is read again rather than answered with the first run's.
        or result.warnings
    ):
        return None
    spans: dict[str, list[dt.date]] = {}
    for org, month in scope.months:
        span = spans.setdefault(org, [month, month])
        span[0], span[1] = min(span[0], month), max(span[1], month)
    kept_spans = [
        [org, first.isoformat(), last.isoformat()] for org, (first, last) in spans.items()
    ]
    numbers = _first_import_numbers(scope, result, started, stamped) or _records(
        kept_spans, started.isoformat()
    )
    if numbers["records"] != len(scope.seen):
        return None  # the scope holds records the file does not: a re-import reports them
    return {
        "version": VERSION,
        "spans": sorted(kept_spans),
        "started": started.isoformat(),
        **numbers,
        "result": {
            "rows": result.rows,
            "blank_rows": result.blank_rows,
            "valid": result.valid,
            "records": len(scope.seen),
            "people_reached": result.people_reached,
            "scope": result.scope,
            "ignored": result.ignored,
            "place_notes": result.place_notes,
            "warning_count": result.warning_count,
            # Without their values: a cell may hold what the trail keeps protected.
            "warnings": [[w.row, w.column, w.reason] for w in result.warnings],
        },
    }


def kept_run(*, checksum: str, options: str | None, organisation: Any, by: Any) -> Any:
    """The applied run this import can be answered from, or None (the full path).

    Checks, in order of cost: a run of this file with these options, the rules' stamp, and
    the scope's records as the run left them."""
    if options is None:
        return None
    run = (
        ImportRun.objects.filter(
            checksum=checksum,
            organisation=organisation,
            status=RunStatus.APPLIED,
            dry_run=False,
            replay__version=VERSION,
            replay__options=options,
        )
        .order_by("-created_at")
        .first()
    )
    if run is None:
        return None
    kept: dict[str, Any] = run.replay or {}
    if kept.get("stamp") != rules_stamp(by):
        return None
    now = _records(kept["spans"], kept["started"])
    if any(now[name] != kept[name] for name in ("records", "latest", "since")):
        return None
    return run


def replayed(kept: ImportRun, result: Any) -> None:
    """Fill ``result`` (made for this import) with the kept run's answer: every record of the
    file is stored unchanged."""
    state: dict[str, Any] = kept.replay or {}
    answer = state["result"]
    result.kind = kept.kind
    result.rows = answer["rows"]
    result.blank_rows = answer["blank_rows"]
    result.valid = answer["valid"]
    result.unchanged = answer["records"]
    result.people_reached = answer["people_reached"]
    result.scope = answer["scope"]
    result.ignored = answer["ignored"]
    result.place_notes = answer["place_notes"]
    result.warning_count = answer["warning_count"]
    result.warnings = [
        RowError(result.file, row, column, "", why) for row, column, why in answer["warnings"]
    ]
    result.replayed_from = str(kept.pk)
    result.replay = kept.replay
