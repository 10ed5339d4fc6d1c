"""The one import pipeline: parse -> validate every row -> report -> apply.

Two ways to apply (docs/exchange.md, decision 0080):
- one transaction (default): rows are validated and written batch by batch inside a single
  transaction; one bad row anywhere and the whole file is rolled back;
- resumable batches (``resumable=True``, for very large files): the whole file is validated
  first without writing; then each batch commits on its own together with an ImportBatch row
  (file checksum + batch number), so a rerun after a crash skips the committed batches and a
  killed process never leaves part of a batch behind.

Either way the same file imported twice changes nothing: record ids are stable keys (the
file's own id column, a declared key, or a uuid5 of the row's whole content; kinds/keys.py)
and the writer only rewrites rows whose values differ.

Counts are taken from the database, dry runs included: a dry run writes exactly as an import
does and rolls its transaction back, so "created", "changed" and "unchanged" are what the
import would do. The file's scope (scope.py) is compared with what is stored by identity
sets; with ``replace`` the stored records of the scope that the file no longer holds are
removed (removal.py), in the same transaction (decision 0150).
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.aid.services import rollup_places, rollups_refresh
from corridor.audit.services import Action, audit_record
from corridor.core.errors import InvalidInput
from corridor.core.rules import InFile
from corridor.exchange import replay
from corridor.exchange.flags import batch_warnings
from corridor.exchange.kinds import BUILDERS, IMPORT_KINDS, SOURCE_COLUMNS, Context, Kind
from corridor.exchange.kinds.batches import batch_builder
from corridor.exchange.kinds.columns import Record
from corridor.exchange.kinds.ledger import LEDGER_KINDS
from corridor.exchange.kinds.ledger_run import ledger_run
from corridor.exchange.kinds.places import MAX_REVIEWS
from corridor.exchange.models import ImportBatch, ImportRun, RunStatus
from corridor.exchange.reach_places import ReachPlaces
from corridor.exchange.removal import records_remove, records_restore
from corridor.exchange.safety import neutralise
from corridor.exchange.scope import SAMPLE, SCOPES, Scope
from corridor.exchange.table import RowError, Table
from corridor.exchange.writer import (
    Background,
    Upsert,
    background_inserts,
    bulk_session,
    collect_now_and_then,
)
from corridor.geo.services import place_review_add
from corridor.situation.models import Source

DEFAULT_BATCH = 5000
# Rows read before they are built together (kinds.batches); independent of the batch size.
BUILD_CHUNK = 5000
# Errors kept for the report; the count stays exact beyond it.
MAX_REPORTED_ERRORS = 10_000
# Rows a partial import may hold for review; a file with more is refused (decision 0205).
MAX_HELD = 10_000
REPORT_HEADER = ("file", "row", "column", "value", "reason")


class Progress(Protocol):
    def start(self, total: int, description: str) -> None: ...
    def advance(self, amount: int) -> None: ...


class Reader(Protocol):
    def __call__(self, path: Path, *, name: str, kind: str | None, progress: Any) -> Table: ...


@dataclass
class ImportResult:
    file: str
    format: str
    kind: str
    checksum: str
    dry_run: bool
    status: str = RunStatus.RUNNING
    run_id: Any = None
    rows: int = 0
    blank_rows: int = 0
    # Rows that passed every check (the rest are refused).
    valid: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    # Stored records of the file's scope that it no longer holds; removed with ``replace``.
    missing: int = 0
    removed: int = 0
    # Records an earlier replacing import removed that this file holds again (decision 0282).
    restored: int = 0
    replace: bool = False
    key: list[str] = field(default_factory=list)
    # What the file covers, one line per organisation; parts the person may not remove from.
    scope: list[str] = field(default_factory=list)
    scope_kept: list[str] = field(default_factory=list)
    # A few records each of created, changed, removed (or, without replace, not in the file).
    samples: dict[str, list[str]] = field(default_factory=dict)
    # People reached (4W) by the rows applied, or that a dry run would apply.
    people_reached: int | None = None
    batches_skipped: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Rows imported but flagged: a likely duplicate, a jump against the last figure (0215).
    warning_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    reviews: int = 0
    reviews_left_out: int = 0
    # Places read through the p-code crosswalk (retired or doubled MIMU codes): one line each.
    place_notes: list[str] = field(default_factory=list)
    # The saved mapping the file was read through ("" for none or one not saved).
    mapping: str = ""
    # Organisations the file names that the importer cannot use (decision 0160): name,
    # acronym, type, rows (the first 50), row_count, created.
    organisations_to_create: list[dict[str, Any]] = field(default_factory=list)
    # A partial import (decision 0205): rows with problems are held for review, not refused;
    # each as (row number, its cells as read, its errors).
    partial: bool = False
    held: int = 0
    held_rows: list[tuple[int, list[str], list[RowError]]] = field(default_factory=list)
    # An unchanged re-import answered from an earlier run (its id; replay.py, decision 0369),
    # and what this run keeps for the next one.
    replayed_from: str = ""
    replay: dict[str, Any] | None = None

    def run_fields(self, *, kind: str, organisation: Any, by: Any) -> dict[str, Any]:
        """What every ImportRun of this file records when it opens (the 4W path, a replayed
        re-import and a ledger file open theirs with it)."""
        return {
            "file_name": self.file[:255],
            "checksum": self.checksum,
            "format": self.format,
            "kind": kind,
            "organisation": organisation,
            "dry_run": self.dry_run,
            "by": by if by is not None and by.pk else None,
        }

    def hold(self, number: int, cells: list[str], errors: list[RowError]) -> None:
        self.held += 1
        if self.held == MAX_HELD + 1:
            reason = _(
                "more than %(count)s rows have problems: too many to hold for review; fix the "
                "file and import it again"
            ) % {"count": MAX_HELD}
            self.add_errors([RowError(self.file, number, "", "", reason)])
        if self.held <= MAX_HELD:
            self.held_rows.append((number, list(cells), errors))

    def held_errors(self) -> list[RowError]:
        return [e for _n, _c, errors in self.held_rows for e in errors]

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def add_warnings(self, warnings: list[RowError]) -> None:
        self.warning_count += len(warnings)
        room = MAX_REPORTED_ERRORS - len(self.warnings)
        if room > 0:
            self.warnings.extend(warnings[:room])

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def refused(self) -> int:
        return self.rows - self.valid - self.held

    def report_csv(self) -> str:
        return error_report_csv(self.errors + self.held_errors())

    def summary(self) -> dict[str, Any]:
        """The counts as one JSON object (`corridor import --json`, the API)."""
        return {
            "file": self.file,
            "format": self.format,
            "kind": self.kind,
            "status": str(self.status),
            "dry_run": self.dry_run,
            "rows": self.rows,
            "valid": self.valid,
            "held": self.held,
            "partial": self.partial,
            "refused": self.refused,
            "created": self.created,
            "changed": self.changed,
            "removed": self.removed,
            "restored": self.restored,
            "unchanged": self.unchanged,
            "missing": self.missing,
            "replace": self.replace,
            "key": self.key or None,
            "scope": self.scope,
            "scope_kept": self.scope_kept,
            "samples": self.samples,
            "mapping": self.mapping or None,
            "organisations_to_create": self.organisations_to_create,
            "place_notes": self.place_notes,
            "people_reached": self.people_reached,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "replayed_from": self.replayed_from or None,
        }


def error_report_csv(errors: list[RowError]) -> str:
    """The downloadable error report; every cell neutralised (values come from uploads)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    for e in errors:
        writer.writerow([neutralise(v) for v in (e.file, e.row, e.column, e.value, e.reason)])
    return out.getvalue()


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Writer:
    """Writes validated batches of one kind, with the sources they cite and incident links."""

    def __init__(self, spec: Kind, ctx: Context, background: Background | None = None) -> None:
        self.spec = spec
        self.ctx = ctx
        self.links = spec.links
        columns = spec.columns
        self.rows = Upsert(spec.model, columns, spec.conflict, background=background)
        self.sources = Upsert(Source, SOURCE_COLUMNS, ("id",), update=False)
        if self.links:
            self.link_rows = Upsert(
                self.links.through, self.links.columns, self.links.columns, update=False
            )
        self.owner_of = attrgetter(spec.owner)
        self.stored: dict[Any, tuple] | None = None

    def foreign(self, numbers: list[int], batch: list[Record]) -> list[tuple[int, str]]:
        """Rows that would overwrite a record owned by another organisation.

        Keyed on ids, the lookup also tells ``write`` which rows are stored already.
        """
        spec = self.spec
        model = spec.model
        owner_of = self.owner_of
        problems = []
        self.stored = None
        if spec.conflict == ("id",):
            # The values the upsert compares come with the owner, so that ``write`` leaves
            # out the stored rows that would not change.
            compared = self.rows.compared
            owners = self.rows.stored((values.id for values in batch), *compared)
            self.stored = owners
            owner_at = compared.index(spec.owner)
            keys = self.rows.keys(values.id for values in batch)
            labels: dict[Any, str | None] = {}
            for number, values, key in zip(numbers, batch, keys, strict=True):
                found = owners.get(key)
                if found is None:
                    continue
                owner = found[owner_at]
                if owner not in labels:
                    labels[owner] = str(uuid.UUID(str(owner))) if owner else None
                if labels[owner] != owner_of(values):
                    record = uuid.UUID(str(values.id))
                    problems.append(
                        (
                            number,
                            _("record %(id)s belongs to another organisation") % {"id": record},
                        )
                    )
        else:
            # The conflict key's columns, wherever the kind puts them (figures: place, date,
            # source and sector).
            conflict_of = attrgetter(*spec.conflict)
            sources = {values.source_id for values in batch}
            existing = {
                tuple(str(v) for v in found[:-1]): (str(found[-1]) if found[-1] else None)
                # The base manager: a removed figure still holds its key (decision 0180).
                for found in model._base_manager.filter(source_id__in=sources).values_list(
                    *spec.conflict, spec.owner
                )
            }
            for number, values in zip(numbers, batch, strict=True):
                key = tuple(str(v) for v in conflict_of(values))
                if key in existing and existing[key] != owner_of(values):
                    problems.append(
                        (
                            number,
                            _(
                                "the same figure (place, date, source) "
                                "was reported by another organisation"
                            ),
                        )
                    )
        return problems

    def write(self, batch: list[Record]) -> tuple[int, int]:
        """Write one batch checked by ``foreign``; returns (created, changed)."""
        by = self.ctx.by
        if self.ctx.owners.new_orgs:
            self.ctx.owners.create_new_orgs()
        if self.ctx.sources.new:
            self.sources.write(list(self.ctx.sources.new.values()), by=by)
            self.ctx.sources.new.clear()
        links = self.links
        if not links:
            return self.rows.write(batch, by=by, stored=self.stored)
        width = len(self.spec.columns)
        linked = attrgetter(links.field)
        written = self.rows.write([values[:width] for values in batch], by=by, stored=self.stored)
        wanted = {(uuid.UUID(str(values.id)), s) for values in batch for s in linked(values)}
        ids = [values.id for values in batch]
        through = links.through
        stale = [
            pk
            for pk, record, other in through.objects.filter(  # type: ignore[attr-defined]
                **{f"{links.columns[0]}__in": ids}
            ).values_list("pk", *links.columns)
            if (record, other) not in wanted
        ]
        if stale:
            through.objects.filter(pk__in=stale).delete()  # type: ignore[attr-defined]
        self.link_rows.write([(values.id, s) for values in batch for s in linked(values)], by=by)
        return written


def _is_blank(cells: list[str]) -> bool:
    # Every cell empty or whitespace; one join is cheaper than a test per cell.
    return not "".join(cells).strip()


PEOPLE = ("women", "men", "girls", "boys", "unspecified")


def _validated(
    table: Table,
    ctx: Context,
    result: ImportResult,
    writer: _Writer,
    batch_size: int,
    on_batch: Callable[[int, list[int], list[Record]], None],
    scope: Scope,
) -> None:
    """Build every row, check ownership per batch, and hand full batches to ``on_batch``.

    Each batch's identities and scope go to ``scope`` (kept or refused alike: a refused file
    applies nothing); with a declared key, a key met twice is an error on the later row.
    """
    build = batch_builder(table, ctx, BUILDERS[table.kind])
    numbers: list[int] = []
    batch: list[Record] = []
    count = 0
    identity = scope.identity
    seen = scope.seen
    key_at = ctx.keys.key_at
    firsts: dict[Any, int] | None = {} if key_at else None
    people_of = attrgetter(*PEOPLE) if table.kind == "activities" else None
    people = 0
    partial = result.partial
    # A partial import keeps each batch row's cells, to hold a row the batch check refuses.
    batch_cells: list[list[str]] = []
    in_file = InFile()  # the rows met so far, for the duplicates within the file

    def close_batch() -> None:
        nonlocal numbers, batch, count, people, batch_cells
        problems = writer.foreign(numbers, batch)
        if problems and partial:
            reasons: dict[int, list[RowError]] = {}
            for n, reason in problems:
                reasons.setdefault(n, []).append(RowError(table.name, n, "", "", reason))
            kept = [at for at, n in enumerate(numbers) if n not in reasons]
            for at, n in enumerate(numbers):
                if n in reasons:
                    result.hold(n, batch_cells[at], reasons[n])
            result.valid -= len(reasons)
            numbers = [numbers[at] for at in kept]
            batch = [batch[at] for at in kept]
        elif problems:
            result.add_errors([RowError(table.name, n, "", "", reason) for n, reason in problems])
            result.valid -= len({n for n, _ in problems})
        result.add_warnings(batch_warnings(table, writer.spec.columns, numbers, batch, in_file))
        batch_cells = []
        scope.add(batch)
        seen.update(map(identity, batch))
        if people_of is not None:
            people += sum(sum(people_of(v)) for v in batch)
        on_batch(count, numbers, batch)
        count += 1
        numbers, batch = [], []
        collect_now_and_then()

    def repeated(number: int, values: tuple, cells: list[str]) -> bool:
        assert firsts is not None
        first = firsts.setdefault(identity(values), number)
        if first == number:
            return False
        key = ", ".join(cells[at].strip() if at < len(cells) else "" for at in key_at)
        reason = _("the key (%(key)s) is the same as in row %(row)s") % {"key": key, "row": first}
        error = RowError(table.name, number, table.labels[key_at[0]], key, reason)
        if partial:
            result.hold(number, cells, [error])
        else:
            result.add_errors([error])
        return True

    def take(chunk: list[tuple[int, list[str]]]) -> None:
        for (number, values, errors), (__, cells) in zip(build(chunk), chunk, strict=True):
            result.rows += 1
            if values is None:
                if partial:
                    result.hold(number, cells, errors)
                else:
                    result.add_errors(errors)
                continue
            if firsts is not None and repeated(number, values, cells):
                continue
            result.valid += 1
            numbers.append(number)
            batch.append(values)
            if partial:
                batch_cells.append(cells)
            if len(batch) >= batch_size:
                close_batch()

    chunk: list[tuple[int, list[str]]] = []
    for number, cells in table.rows:
        if _is_blank(cells):
            result.blank_rows += 1
            continue
        chunk.append((number, cells))
        if len(chunk) >= BUILD_CHUNK:
            take(chunk)
            chunk = []
    take(chunk)
    if batch:
        close_batch()
    result.people_reached = people if people_of is not None else None
    scope.fresh = {organisation for organisation, fresh in in_file.fresh.items() if fresh}


def key_columns(table: Table, names: list[str]) -> tuple[int, ...]:
    """Positions of the declared key's columns: each named by its header, its hashtag or the
    field it fills (``#adm3+code``, ``Village``, ``adm3_code``), mapped or not."""
    if names and table.kind == "figures":
        raise InvalidInput(
            _(
                "%(file)s: displacement figures are identified by place, date and source; "
                "import them without a key"
            )
            % {"file": table.name}
        )
    found = []
    for name in names:
        wanted = name.strip().casefold()
        at = None
        for position, label in enumerate(table.labels):
            tag, _sep, text = label.partition(" (")
            forms = {label.casefold(), tag.strip().casefold(), text.rstrip(")").casefold()}
            if wanted in forms:
                at = position
                break
        if at is None and table.plan.get(wanted):
            at = table.plan[wanted][0]
        if at is None:
            raise InvalidInput(
                _("%(file)s: no column %(name)s for the key; the columns are: %(columns)s")
                % {"file": table.name, "name": repr(name), "columns": ", ".join(table.labels)}
            )
        found.append(at)
    return tuple(found)


def run_import(
    *,
    by: Any,
    path: Path,
    name: str,
    format_name: str,
    read: Reader,
    kind: str | None,
    organisation: Any,
    dry_run: bool = False,
    create_orgs: bool = False,
    org_choices: dict[str, dict[str, Any]] | None = None,
    resumable: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    key: list[str] | tuple[str, ...] = (),
    replace: bool = False,
    partial: bool = False,
) -> ImportResult:
    """Import one file; ``key``: columns that identify a record (kinds/keys.py); ``replace``:
    remove the stored records of the file's scope that it no longer holds (scope.py);
    ``partial``: apply the valid rows and hold the others for review (decision 0205)."""
    if partial and resumable:
        raise InvalidInput(
            _("a partial import is applied in one transaction: leave out --resumable")
        )
    checksum = file_checksum(path)
    if progress:
        progress.start(path.stat().st_size, f"Importing {name}")
    advance = progress.advance if progress else None
    options = replay.options_digest(
        by=by,
        organisation=organisation,
        format_name=format_name,
        kind=kind,
        key=key,
        create_orgs=create_orgs,
        org_choices=org_choices,
        read=read,
    )
    stamp = replay.rules_stamp(by) if options else ""
    kept = replay.kept_run(checksum=checksum, options=options, organisation=organisation, by=by)
    if kept is not None:
        # The file, how it is read, the rules and its records are as that run left them.
        result = ImportResult(name, format_name, kept.kind, checksum, dry_run, replace=replace)
        result.key, result.partial = list(key), partial
        replay.replayed(kept, result)
        result.status = RunStatus.CHECKED if dry_run else RunStatus.APPLIED
        with transaction.atomic():
            run = ImportRun.objects.create(
                **result.run_fields(kind=kept.kind, organisation=organisation, by=by),
                status=result.status,
                rows=result.rows,
                unchanged=result.unchanged,
                notes=[f"unchanged since run {kept.pk}: file, rules and records (replayed)"],
                replay=None if dry_run else kept.replay,
            )
            if not dry_run:
                audit_record(
                    by=by,
                    action=Action.IMPORT,
                    object_type=IMPORT_KINDS[kept.kind].model._meta.label_lower,
                    changes={**_audit_changes(result), "replayed_from": str(kept.pk)},
                )
        result.run_id = run.pk
        if advance:
            advance(path.stat().st_size)
        return result
    table = read(path, name=name, kind=kind, progress=advance)
    result = ImportResult(
        file=name,
        format=format_name,
        kind=table.kind,
        checksum=checksum,
        dry_run=dry_run,
        ignored=list(table.ignored),
        replace=replace,
        key=list(key),
        partial=partial,
    )
    if table.kind in LEDGER_KINDS:
        # Grants and transfers: row by row through the funds services (decision 0367).
        return ledger_run(
            table, result, by=by, organisation=organisation, dry_run=dry_run, partial=partial
        )
    key_at = key_columns(table, list(key))
    spec = IMPORT_KINDS[table.kind]
    with transaction.atomic():
        run = ImportRun.objects.create(
            **result.run_fields(kind=table.kind, organisation=organisation, by=by)
        )
    result.run_id = run.pk

    def new_context(t: Table) -> Context:
        return Context(
            by=by,
            organisation=organisation,
            kind=t.kind,
            id_prefix=t.id_prefix,
            dry_run=dry_run,
            key_at=key_at,
            create_orgs=create_orgs,
            org_choices=org_choices,
        )

    def new_scope(c: Context) -> Scope:
        return SCOPES[spec.name](spec, c.owners.org_label)

    ctx = new_context(table)
    try:
        with bulk_session():
            if resumable and not dry_run:
                _check_only(table, ctx, result, spec, batch_size, new_scope(ctx))
                if result.ok:
                    again = read(path, name=name, kind=table.kind, progress=None)
                    checked = ctx
                    ctx = new_context(again)
                    ctx.places.reviews = checked.places.reviews
                    ctx.places.reviews_left_out = checked.places.reviews_left_out
                    _apply_batches(again, ctx, result, spec, batch_size, run, new_scope(ctx))
            else:
                _apply_at_once(table, ctx, result, spec, batch_size, dry_run, new_scope(ctx))
    finally:
        _queue_reviews(ctx, by, result)
        result.place_notes = _place_notes(ctx)
        if not result.ok:
            for entry in ctx.owners.new_orgs.values():
                entry.created = entry.created and resumable  # rolled back with the file
        result.organisations_to_create = ctx.owners.organisations_to_create()
    if result.replay is not None:
        if options and replay.rules_stamp(by) == stamp:
            result.replay.update(options=options, stamp=stamp)
        else:
            result.replay = None  # not kept, or the rules changed while the file was imported
    if not result.ok:
        result.status = RunStatus.REFUSED
    elif dry_run:
        result.status = RunStatus.CHECKED
    else:
        result.status = RunStatus.APPLIED
    ImportRun.objects.filter(pk=run.pk).update(
        status=result.status,
        rows=result.rows,
        created=result.created,
        changed=result.changed,
        unchanged=result.unchanged if result.ok else 0,
        removed=result.removed,
        held=result.held if result.ok else 0,
        replay=result.replay,
        error_count=result.error_count,
        error_report=result.report_csv() if result.errors or result.held_rows else "",
        notes=[f"ignored column: {c}" for c in result.ignored]
        + [f"place: {line}" for line in result.place_notes]
        + [f"scope: {line}" for line in result.scope]
        + [f"scope left alone (no right to remove): {line}" for line in result.scope_kept]
        + (
            [f"{result.missing} records of the scope not in the file, kept (no --replace)"]
            if result.missing and not result.replace
            else []
        )
        + ([f"{result.blank_rows} blank rows skipped"] if result.blank_rows else [])
        + ([f"{result.held} rows held for review (partial import)"] if result.held else [])
        + (
            [f"{result.missing} records of the scope not removed: rows of the file are held"]
            if result.held and result.missing and result.replace
            else []
        )
        + (
            [f"{created} organisations created (--create-orgs)"]
            if (created := sum(o["created"] for o in result.organisations_to_create))
            else []
        )
        + (
            [
                f"{result.reviews_left_out} more unknown place names not queued for review "
                f"(at most {MAX_REVIEWS} a file)"
            ]
            if result.reviews_left_out
            else []
        ),
    )
    return result


def _check_only(
    table: Table, ctx: Context, result: ImportResult, spec: Kind, size: int, scope: Scope
) -> None:
    writer = _Writer(spec, ctx)
    _validated(table, ctx, result, writer, size, lambda *_: None, scope)
    # The applying pass counts the rows again.
    result.valid = 0


def _apply_at_once(
    table: Table,
    ctx: Context,
    result: ImportResult,
    spec: Kind,
    size: int,
    dry_run: bool,
    scope: Scope,
) -> None:
    """One transaction; a dry run writes the same way and rolls back, so its counts are true."""
    started = timezone.now()
    with transaction.atomic():
        with background_inserts() as background:
            # Rows move into their table on a second thread while the next batch is built.
            writer = _Writer(spec, ctx, background)
            touched = ReachPlaces(spec)
            touched.watch(writer.rows, lambda: writer.stored)

            def on_batch(_: int, __: list[int], batch: list[Record]) -> None:
                if result.ok:
                    created, changed = writer.write(batch)
                    result.created += created
                    result.changed += changed

            _validated(table, ctx, result, writer, size, on_batch, scope)
        created, changed = writer.rows.settled()
        result.created += created
        result.changed += changed
        if not result.ok:
            result.created = result.changed = 0
            result.people_reached = 0 if result.people_reached is not None else None
            transaction.set_rollback(True)
            return
        _settle(scope, ctx.by, result, spec, started, touched, stamped=writer.rows.stamped)
        if dry_run:
            transaction.set_rollback(True)
            return
        audit_record(
            by=ctx.by,
            action=Action.IMPORT,
            object_type=spec.model._meta.label_lower,
            changes=_audit_changes(result),
        )
        if result.held_rows:
            from corridor.exchange.held.services import held_store

            held_store(by=ctx.by, result=result, table=table, organisation=ctx.organisation)


def _settle(
    scope: Scope,
    by: Any,
    result: ImportResult,
    spec: Kind,
    started: Any,
    touched: ReachPlaces,
    *,
    stamped: tuple[Any, Any] | None = None,
) -> None:
    """Compare the written file with its scope: unchanged and missing records, the samples,
    and with ``replace`` the removal. Inside the import's transaction, after every batch;
    ``touched``: the rollup places the batches moved rows in or out of, not yet refreshed;
    ``stamped``: the first and last bookkeeping stamps the batches wrote, when one writer
    wrote them all."""
    model = spec.model
    missing, kept = scope.missing(by)
    result.scope = scope.describe()
    result.scope_kept = [part.text for part in kept]
    result.unchanged = max(len(scope.seen) - result.created - result.changed, 0)
    result.missing = len(missing)
    where = scope.where(scope.parts()) or Q(pk__in=[])
    samples: dict[str, list[str]] = {}
    if result.created:
        samples["created"] = scope.sample(where & Q(created_at__gte=started))
    if result.changed:
        samples["changed"] = scope.sample(
            where & Q(updated_at__gte=started, created_at__lt=started)
        )
    if missing:
        label = "removed" if result.replace else "not_in_file"
        samples[label] = scope.sample(Q(pk__in=missing[:SAMPLE]))
    result.samples = samples
    # A record a replacing import removed and this file holds again is back (decision 0282).
    again = scope.held_again(by)
    if again:
        touched.add_records(again)
        result.restored = records_restore(
            by=by,
            model=model,
            pks=again,
            changes={"file": result.file, "checksum": result.checksum, "scope": result.scope},
        )
    # A held row may be the new version of a stored record that cannot be told from the
    # others: nothing is removed while rows of the file are held (decision 0205).
    if result.replace and missing and not result.held:
        touched.add_records(missing)
        result.removed = records_remove(
            by=by,
            model=model,
            pks=missing,
            changes={"file": result.file, "checksum": result.checksum, "scope": result.scope},
        )
    # The monthly reach rollups of the places the file's written, removed and restored rows
    # left and reached (decisions 0225, 0370); a file that wrote, removed and restored
    # nothing (an unchanged re-import) touched none (decision 0357). A dry run's would be
    # rolled back with it.
    if not result.dry_run:
        touched.refresh()
    # What a re-import of the same file needs to be answered without its rows (0369).
    result.replay = replay.keep(scope=scope, result=result, started=started, stamped=stamped)


def _apply_batches(
    table: Table,
    ctx: Context,
    result: ImportResult,
    spec: Kind,
    size: int,
    run: ImportRun,
    scope: Scope,
) -> None:
    started = timezone.now()
    writer = _Writer(spec, ctx)
    done = set(
        ImportBatch.objects.filter(
            checksum=result.checksum, kind=spec.name, batch_size=size
        ).values_list("number", flat=True)
    )
    rows_seen = result.rows
    result.rows = 0

    def on_batch(number: int, _: list[int], batch: list[Record]) -> None:
        if not result.ok:
            return
        if number in done:
            result.batches_skipped += 1
            ctx.sources.new.clear()  # committed with that batch
            return
        with transaction.atomic():
            # Each batch commits on its own, so it refreshes the monthly rollups of the places
            # its rows left and reached (decision 0274): a run that stops half-way leaves
            # rollups that match the rows it committed.
            ids = [values.id for values in batch] if spec.rollups else []
            places = rollup_places(ids)
            created, changed = writer.write(batch)
            if ids:
                rollups_refresh(places | rollup_places(ids))
            ImportBatch.objects.create(
                checksum=result.checksum,
                kind=spec.name,
                batch_size=size,
                number=number,
                rows=len(batch),
                run=run,
            )
            audit_record(
                by=ctx.by,
                action=Action.IMPORT,
                object_type=spec.model._meta.label_lower,
                changes={**_audit_changes(result), "batch": number, "batch_rows": len(batch)},
            )
        result.created += created
        result.changed += changed

    _validated(table, ctx, result, writer, size, on_batch, scope)
    result.rows = rows_seen
    if result.ok:
        # After the last batch (a rerun after a crash gets here too): what the file no longer
        # holds is compared and, with replace, removed in a transaction of its own.
        with transaction.atomic():
            # The batches refreshed their own places; the removed and restored records' here.
            _settle(scope, ctx.by, result, spec, started, ReachPlaces(spec))


def _audit_changes(result: ImportResult) -> dict[str, Any]:
    return {
        "file": result.file,
        "checksum": result.checksum,
        "format": result.format,
        "rows": result.rows,
        "created": result.created,
        "changed": result.changed,
        "removed": result.removed,
        "held": result.held,
        "key": result.key,
    }


def _place_notes(ctx: Context) -> list[str]:
    """One line per crosswalk note, with how many rows and the first of them."""
    lines = []
    for note, numbers in ctx.places.place_notes.items():
        first = ", ".join(str(n) for n in sorted(numbers)[:5])
        more = "" if len(numbers) <= 5 else ", ..."
        lines.append(f"{note} ({len(numbers)} rows: {first}{more})")
    return lines


def _queue_reviews(ctx: Context, by: Any, result: ImportResult) -> None:
    """Unresolved place names go to the gazetteer's review queue, even when the file fails.

    A dry run queues none (the context collects none); a real import at most MAX_REVIEWS
    distinct names, so a file of 2,000 invented names cannot flood the queue and the trail.
    """
    result.reviews_left_out = len(ctx.places.reviews_left_out)
    if not ctx.places.reviews:
        return
    with transaction.atomic():
        for (query, level, parent), where in ctx.places.reviews.items():
            place_review_add(by=by, query=query, context=where, level=level, parent=parent or "")
            result.reviews += 1
