"""Applying a ledger file in the import pipeline: every row through the funds services.

``pipeline.run_import`` hands a table of grants or transfers here (decision 0367). The file
gets what every file gets — an ImportRun with its counts and error report, all or nothing
(or, with ``partial``, its rows with problems held for review on the upload page), a dry run
whose counts are the import's, one audit entry for the file — but its rows are written one at
a time by ``grant_record``/``transfer_record`` (and ``grant_update``/``transfer_update`` for a
row that is a stored record again), never by the bulk writer: the services set each leg's
state from who writes it and ask the access policy per row (decisions 0236, 0269).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.audit.services import Action, audit_record
from corridor.core.errors import CorridorError, InvalidInput
from corridor.exchange.held.services import held_store
from corridor.exchange.kinds.ledger import FIELD_COLUMN, GRANTS, LedgerFile, required_missing
from corridor.exchange.models import ImportRun, RunStatus
from corridor.exchange.table import Row, Table
from corridor.funds.models import Grant, Transfer
from corridor.funds.services import grant_record, grant_update, transfer_record, transfer_update

# As many rows as the old ledger import took (decision 0269); a bigger ledger is split.
MAX_ROWS = 100_000


class _Rollback(Exception):
    """Undoes the file's transaction: refused, or a dry run."""


def _write(row: Row, file: LedgerFile, found: dict[str, Any], by: Any) -> str:
    """Write one checked row in a savepoint: "created", "changed" or "unchanged"; a refusal
    of the service goes on ``row.errors`` and leaves nothing of the row."""
    written = file.match(found)
    try:
        with transaction.atomic():
            if written.record is None:
                (grant_record if file.kind == GRANTS else transfer_record)(by=by, **found)
                return "created"
            if not written.changes:
                return "unchanged"
            if file.kind == GRANTS:
                grant_update(by=by, grant=written.record, **written.changes)
            else:
                transfer_update(by=by, transfer=written.record, **written.changes)
            return "changed"
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                row.error(FIELD_COLUMN.get(name, name), message)
    except CorridorError as error:
        row.error("", str(error), value="")
    return "refused"


def _run_values(result: Any) -> dict[str, Any]:
    return {
        "status": result.status,
        "rows": result.rows,
        "created": result.created,
        "changed": result.changed,
        "unchanged": result.unchanged if result.ok else 0,
        "held": result.held if result.ok else 0,
        "error_count": result.error_count,
        "error_report": result.report_csv() if result.errors or result.held_rows else "",
        "notes": [f"ignored column: {c}" for c in result.ignored]
        + ([f"{result.blank_rows} blank rows skipped"] if result.blank_rows else [])
        + ([f"{result.held} rows held for review (partial import)"] if result.held else []),
    }


def ledger_run(
    table: Table,
    result: Any,
    *,
    by: Any,
    organisation: Any,
    dry_run: bool,
    partial: bool,
) -> Any:
    """Apply a ledger table; ``result`` is the pipeline's ImportResult, filled and returned."""
    missing = required_missing(table)
    if missing:
        raise InvalidInput(
            _("%(file)s: missing column(s) %(columns)s")
            % {"file": table.name, "columns": ", ".join(missing)}
        )
    with transaction.atomic():
        run = ImportRun.objects.create(
            **result.run_fields(kind=table.kind, organisation=organisation, by=by)
        )
    result.run_id = run.pk
    file = LedgerFile(table, by)
    try:
        with transaction.atomic():
            _apply(table, file, result, by=by, partial=partial)
            if not result.ok or dry_run:
                raise _Rollback
            audit_record(
                by=by,
                action=Action.IMPORT,
                object_type=(Grant if table.kind == GRANTS else Transfer)._meta.label_lower,
                changes={
                    "file": result.file,
                    "checksum": result.checksum,
                    "format": result.format,
                    "rows": result.rows,
                    "created": result.created,
                    "changed": result.changed,
                    "held": result.held,
                },
            )
            if result.held_rows:
                held_store(by=by, result=result, table=table, organisation=organisation)
    except _Rollback:
        if not result.ok:
            result.created = result.changed = 0
    if not result.ok:
        result.status = RunStatus.REFUSED
    elif dry_run:
        result.status = RunStatus.CHECKED
    else:
        result.status = RunStatus.APPLIED
    ImportRun.objects.filter(pk=run.pk).update(**_run_values(result))
    return result


def _apply(table: Table, file: LedgerFile, result: Any, *, by: Any, partial: bool) -> None:
    """Read, check and write every row; a row with problems is held (``partial``) or refuses
    the file. Rows are written as they are checked: the file's transaction undoes them all
    when one is refused."""
    for number, cells in table.rows:
        if not "".join(cells).strip():
            result.blank_rows += 1
            continue
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise InvalidInput(
                _("%(file)s: more than %(rows)s rows; split the file")
                % {"file": table.name, "rows": MAX_ROWS}
            )
        row = Row(table, number, cells)
        found = file.read(row)
        if not row.errors and result.ok:
            done = _write(row, file, found, by)
            if done != "refused":
                result.valid += 1
                if done == "created":
                    result.created += 1
                elif done == "changed":
                    result.changed += 1
                else:
                    result.unchanged += 1
        if row.errors:
            if partial:
                result.hold(number, list(cells), list(row.errors))
            else:
                result.add_errors(list(row.errors))
    if not result.rows:
        raise InvalidInput(_("%(file)s: no rows under the header") % {"file": table.name})
