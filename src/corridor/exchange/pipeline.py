"""The one import pipeline: parse -> validate every row -> report -> apply.

Two ways to apply (docs/exchange.md, decision 0080):
- one transaction (default): rows are validated and written batch by batch inside a single
  transaction; one bad row anywhere and the whole file is rolled back;
- resumable batches (``resumable=True``, for very large files): the whole file is validated
  first without writing; then each batch commits on its own together with an ImportBatch row
  (file checksum + batch number), so a rerun after a crash skips the committed batches and a
  killed process never leaves part of a batch behind.

Either way the same file imported twice changes nothing: record ids are stable keys (the
file's own id column, or a uuid5 of the row's natural key) and the writer only rewrites rows
whose values differ.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.audit.services import Action, audit_record
from corridor.exchange.kinds import KINDS, SOURCE_COLUMNS, Context, Kind
from corridor.exchange.kinds.batches import batch_builder
from corridor.exchange.kinds.context import MAX_REVIEWS
from corridor.exchange.models import ImportBatch, ImportRun, RunStatus
from corridor.exchange.safety import neutralise
from corridor.exchange.table import RowError, Table
from corridor.exchange.writer import Background, Upsert, background_inserts, bulk_session
from corridor.geo.services import place_review_add
from corridor.situation.models import Incident, Source

DEFAULT_BATCH = 5000
# Rows read before they are built together (kinds.batches); independent of the batch size.
BUILD_CHUNK = 5000
# Errors kept for the report; the count stays exact beyond it.
MAX_REPORTED_ERRORS = 10_000
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
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    batches_skipped: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    reviews: int = 0
    reviews_left_out: int = 0
    # Organisations the file names that the importer cannot use (decision 0160): name,
    # acronym, type, rows (the first 50), row_count, created.
    organisations_to_create: list[dict[str, Any]] = field(default_factory=list)

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def report_csv(self) -> str:
        return error_report_csv(self.errors)


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
        self.links = spec.model is Incident
        columns = spec.columns
        self.rows = Upsert(spec.model, columns, spec.conflict, background=background)
        self.sources = Upsert(Source, SOURCE_COLUMNS, ("id",), update=False)
        if self.links:
            self.through = Incident.sources.through
            self.link_rows = Upsert(
                self.through,
                ("incident_id", "source_id"),
                ("incident_id", "source_id"),
                update=False,
            )
        self.owner_at = columns.index(spec.owner)
        self.stored: set | None = None

    def foreign(self, numbers: list[int], batch: list[tuple]) -> list[tuple[int, str]]:
        """Rows that would overwrite a record owned by another organisation.

        Keyed on ids, the lookup also tells ``write`` which rows are stored already.
        """
        spec = self.spec
        model = spec.model
        owner_at = self.owner_at
        problems = []
        self.stored = None
        if spec.conflict == ("id",):
            owners = self.rows.stored((values[0] for values in batch), spec.owner)
            self.stored = set(owners)
            key_of = self.rows.key
            labels: dict[Any, str | None] = {}
            for number, values in zip(numbers, batch, strict=True):
                found = owners.get(key_of(values[0]))
                if found is None:
                    continue
                owner = found[0]
                if owner not in labels:
                    labels[owner] = str(uuid.UUID(str(owner))) if owner else None
                if labels[owner] != values[owner_at]:
                    record = uuid.UUID(str(values[0]))
                    problems.append(
                        (
                            number,
                            _("record %(id)s belongs to another organisation") % {"id": record},
                        )
                    )
        else:
            sources = {values[6] for values in batch}
            existing = {
                (unit, as_of, str(source)): (str(owner) if owner else None)
                for unit, as_of, source, owner in model._default_manager.filter(
                    source_id__in=sources
                ).values_list("admin_unit_id", "as_of", "source_id", spec.owner)
            }
            for number, values in zip(numbers, batch, strict=True):
                key = (values[1], values[2], str(values[6]))
                if key in existing and existing[key] != values[owner_at]:
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

    def write(self, batch: list[tuple]) -> tuple[int, int]:
        """Write one batch checked by ``foreign``; returns (created, changed)."""
        by = self.ctx.by
        if self.ctx.new_orgs:
            self.ctx.create_new_orgs()
        if self.ctx.new_sources:
            self.sources.write(list(self.ctx.new_sources.values()), by=by)
            self.ctx.new_sources.clear()
        if not self.links:
            return self.rows.write(batch, by=by, stored=self.stored)
        written = self.rows.write([values[:-1] for values in batch], by=by, stored=self.stored)
        wanted = {(uuid.UUID(str(values[0])), s) for values in batch for s in values[-1]}
        ids = [values[0] for values in batch]
        stale = [
            pk
            for pk, incident, source in self.through.objects.filter(
                incident_id__in=ids
            ).values_list("pk", "incident_id", "source_id")
            if (incident, source) not in wanted
        ]
        if stale:
            self.through.objects.filter(pk__in=stale).delete()
        self.link_rows.write([(values[0], s) for values in batch for s in values[-1]], by=by)
        return written


def _is_blank(cells: list[str]) -> bool:
    # Every cell empty or whitespace; one join is cheaper than a test per cell.
    return not "".join(cells).strip()


def _validated(
    table: Table,
    ctx: Context,
    result: ImportResult,
    writer: _Writer,
    batch_size: int,
    on_batch: Callable[[int, list[int], list[tuple]], None],
) -> None:
    """Build every row, check ownership per batch, and hand full batches to ``on_batch``."""
    build = batch_builder(table, ctx, KINDS[table.kind].build)
    numbers: list[int] = []
    batch: list[tuple] = []
    count = 0

    def close_batch() -> None:
        nonlocal numbers, batch, count
        problems = writer.foreign(numbers, batch)
        if problems:
            result.add_errors([RowError(table.name, n, "", "", reason) for n, reason in problems])
        on_batch(count, numbers, batch)
        count += 1
        numbers, batch = [], []

    def take(chunk: list[tuple[int, list[str]]]) -> None:
        for number, values, errors in build(chunk):
            result.rows += 1
            if values is None:
                result.add_errors(errors)
                continue
            numbers.append(number)
            batch.append(values)
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
) -> ImportResult:
    checksum = file_checksum(path)
    if progress:
        progress.start(path.stat().st_size, f"Importing {name}")
    advance = progress.advance if progress else None
    table = read(path, name=name, kind=kind, progress=advance)
    result = ImportResult(
        file=name,
        format=format_name,
        kind=table.kind,
        checksum=checksum,
        dry_run=dry_run,
        ignored=list(table.ignored),
    )
    spec = KINDS[table.kind]
    with transaction.atomic():
        run = ImportRun.objects.create(
            file_name=name[:255],
            checksum=checksum,
            format=format_name,
            kind=table.kind,
            organisation=organisation,
            dry_run=dry_run,
            by=by if by is not None and by.pk else None,
        )
    result.run_id = run.pk

    def new_context(t: Table) -> Context:
        return Context(
            by=by,
            organisation=organisation,
            kind=t.kind,
            id_prefix=t.id_prefix,
            dry_run=dry_run,
            create_orgs=create_orgs,
            org_choices=org_choices,
        )

    ctx = new_context(table)
    try:
        with bulk_session():
            if resumable and not dry_run:
                _check_only(table, ctx, result, spec, batch_size)
                if result.ok:
                    again = read(path, name=name, kind=table.kind, progress=None)
                    checked = ctx
                    ctx = new_context(again)
                    ctx.reviews, ctx.reviews_left_out = checked.reviews, checked.reviews_left_out
                    _apply_batches(again, ctx, result, spec, batch_size, run)
            else:
                _apply_at_once(table, ctx, result, spec, batch_size, dry_run)
    finally:
        _queue_reviews(ctx, by, result)
        if not result.ok:
            for entry in ctx.new_orgs.values():
                entry.created = entry.created and resumable  # rolled back with the file
        result.organisations_to_create = ctx.organisations_to_create()
    if not result.ok:
        result.status = RunStatus.REFUSED
    elif dry_run:
        result.status = RunStatus.CHECKED
    else:
        result.status = RunStatus.APPLIED
    result.unchanged = max(result.rows - result.error_count - result.created - result.changed, 0)
    ImportRun.objects.filter(pk=run.pk).update(
        status=result.status,
        rows=result.rows,
        created=result.created,
        changed=result.changed,
        unchanged=result.unchanged if result.ok else 0,
        error_count=result.error_count,
        error_report=result.report_csv() if result.errors else "",
        notes=[f"ignored column: {c}" for c in result.ignored]
        + ([f"{result.blank_rows} blank rows skipped"] if result.blank_rows else [])
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


def _check_only(table: Table, ctx: Context, result: ImportResult, spec: Kind, size: int) -> None:
    writer = _Writer(spec, ctx)
    _validated(table, ctx, result, writer, size, lambda *_: None)


def _apply_at_once(
    table: Table, ctx: Context, result: ImportResult, spec: Kind, size: int, dry_run: bool
) -> None:
    with transaction.atomic():
        with background_inserts() as background:
            # Rows move into their table on a second thread while the next batch is built.
            writer = _Writer(spec, ctx, background)

            def on_batch(_: int, __: list[int], batch: list[tuple]) -> None:
                if result.ok and not dry_run:
                    created, changed = writer.write(batch)
                    result.created += created
                    result.changed += changed

            _validated(table, ctx, result, writer, size, on_batch)
        created, changed = writer.rows.settled()
        result.created += created
        result.changed += changed
        if not result.ok or dry_run:
            result.created = result.changed = 0
            transaction.set_rollback(True)
            return
        audit_record(
            by=ctx.by,
            action=Action.IMPORT,
            object_type=spec.model._meta.label_lower,
            changes=_audit_changes(result),
        )


def _apply_batches(
    table: Table, ctx: Context, result: ImportResult, spec: Kind, size: int, run: ImportRun
) -> None:
    writer = _Writer(spec, ctx)
    done = set(
        ImportBatch.objects.filter(
            checksum=result.checksum, kind=spec.name, batch_size=size
        ).values_list("number", flat=True)
    )
    rows_seen = result.rows
    result.rows = 0

    def on_batch(number: int, _: list[int], batch: list[tuple]) -> None:
        if not result.ok:
            return
        if number in done:
            result.batches_skipped += 1
            ctx.new_sources.clear()  # committed with that batch
            return
        with transaction.atomic():
            created, changed = writer.write(batch)
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

    _validated(table, ctx, result, writer, size, on_batch)
    result.rows = rows_seen


def _audit_changes(result: ImportResult) -> dict[str, Any]:
    return {
        "file": result.file,
        "checksum": result.checksum,
        "format": result.format,
        "rows": result.rows,
        "created": result.created,
        "changed": result.changed,
    }


def _queue_reviews(ctx: Context, by: Any, result: ImportResult) -> None:
    """Unresolved place names go to the gazetteer's review queue, even when the file fails.

    A dry run queues none (the context collects none); a real import at most MAX_REVIEWS
    distinct names, so a file of 2,000 invented names cannot flood the queue and the trail.
    """
    result.reviews_left_out = len(ctx.reviews_left_out)
    if not ctx.reviews:
        return
    with transaction.atomic():
        for (query, level, parent), where in ctx.reviews.items():
            place_review_add(by=by, query=query, context=where, level=level, parent=parent or "")
            result.reviews += 1
