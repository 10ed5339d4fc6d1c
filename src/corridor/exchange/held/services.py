"""Writes of held rows: hold them (the pipeline), show them, fix and apply one, drop one
(decision 0205).

Showing a held row's cells or reasons is audited, because they may hold protected values
(decision 0245): every face (``corridor held``, the review page, the API) gets them from
``held_view``, which leaves one audit entry per view.

A fixed row is read again exactly as its file gave it (the stored plan of fields to columns
and labels) and goes through the one import pipeline (``pipeline.run_import``): the same row
builders, record rules, ownership checks and writer as any row of any file. No second
validator. It is applied as the person who fixes it, never with ``replace``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.audit.services import Action, audit_record
from corridor.core.errors import InvalidInput
from corridor.exchange.held.queries import (
    Reason,
    Township,
    held_candidates,
    held_cells,
    held_reasons,
    held_township_column,
)
from corridor.exchange.models import HeldRow, HeldStatus, ImportRun
from corridor.exchange.table import RowError, Table

FORMAT = "held"
STORE_CHUNK = 500


def _reasons(errors: list[RowError]) -> str:
    return json.dumps(
        [{"column": e.column, "value": e.value, "reason": e.reason} for e in errors],
        ensure_ascii=False,
    )


def held_store(*, by: Any, result: Any, table: Table, organisation: Any) -> int:
    """Keep the rows a partial import held; inside the import's transaction, after its audit
    entry. ``table`` gives what reading a row again needs; no values are in it."""
    meta = {
        "name": table.name,
        "format": table.format,
        "kind": table.kind,
        "plan": table.plan,
        "labels": list(table.labels),
        "id_prefix": table.id_prefix,
        "place_columns": table.place_columns,
        "key": list(result.key),
    }
    person = by if by is not None and by.pk else None
    # The same file imported again: its rows already in review (held, fixed or dropped)
    # are not held twice.
    known = set(
        HeldRow.objects.filter(
            run__checksum=result.checksum, run__kind=table.kind, file_name=result.file[:255]
        ).values_list("row", flat=True)
    )
    rows = [
        HeldRow(
            run_id=result.run_id,
            organisation=organisation,
            file_name=result.file[:255],
            row=number,
            table=meta,
            cells=json.dumps(cells, ensure_ascii=False),
            reasons=_reasons(errors),
            created_by=person,
            updated_by=person,
        )
        for number, cells, errors in result.held_rows
        if number not in known
    ]
    HeldRow.objects.bulk_create(rows, batch_size=STORE_CHUNK)
    audit_record(
        by=person,
        action=Action.CREATE,
        object_type=HeldRow._meta.label_lower,
        changes={
            "file": result.file,
            "run": str(result.run_id),
            "held": len(rows),
            "already_in_review": len(result.held_rows) - len(rows),
        },
    )
    return len(rows)


@dataclass(frozen=True)
class HeldView:
    """One held row as a person is shown it: its cells by column, why it is held, and the
    townships to pick from (only while it is held)."""

    held: HeldRow
    labels: list[str]
    cells: list[str]
    reasons: list[Reason]
    townships: list[Township]


def held_view(*, by: Any, rows: Iterable[HeldRow], where: str) -> list[HeldView]:
    """The cells and reasons of held rows, to be shown to ``by``; one audit entry for this
    view, naming every row shown and where (``where``: "cli", "web", "api"). Call it only for
    what will be shown. ``by`` None: the instance operator."""
    rows = list(rows)
    if by is not None:
        for held in rows:
            policy.require(by, policy.VIEW_PROTECTED, held)
    views = [
        HeldView(
            held=held,
            labels=list(held.table.get("labels", [])),
            cells=held_cells(held),
            reasons=held_reasons(held),
            townships=held_candidates(held) if held.status == HeldStatus.HELD else [],
        )
        for held in rows
    ]
    if rows:
        person = by if by is not None and by.pk else None
        with transaction.atomic():
            audit_record(
                by=person,
                action=Action.VIEW_PROTECTED,
                object_type=HeldRow._meta.label_lower,
                object_id=str(rows[0].pk) if len(rows) == 1 else "",
                changes={"rows": [str(held.pk) for held in rows], "where": where},
            )
    return views


def _open(by: Any, held: HeldRow) -> None:
    if by is not None:
        policy.require(by, policy.CHANGE, held)
    if held.status != HeldStatus.HELD:
        raise InvalidInput(
            _("row %(row)s of %(file)s is no longer held (%(status)s)")
            % {"row": held.row, "file": held.file_name, "status": held.get_status_display()}
        )


def _column(meta: dict[str, Any], name: str) -> int:
    """The position of a column named by its label, hashtag, header text or field name; a
    field the file has no column for gets one (e.g. a sector the file left out)."""
    from corridor.exchange.fields import FIELDS

    labels: list[str] = meta["labels"]
    wanted = name.strip().casefold()
    for position, label in enumerate(labels):
        tag, _sep, text = label.partition(" (")
        if wanted in {label.casefold(), tag.strip().casefold(), text.rstrip(")").casefold()}:
            return position
    plan: dict[str, list[int]] = meta["plan"]
    if plan.get(wanted):
        return plan[wanted][0]
    if wanted in {f.name for f in FIELDS[meta["kind"]]}:
        labels.append(wanted)
        plan[wanted] = [len(labels) - 1]
        return len(labels) - 1
    raise InvalidInput(
        _("no column %(name)s in %(file)s; the columns are: %(columns)s")
        % {"name": repr(name), "file": meta["name"], "columns": ", ".join(labels)}
    )


def held_fix(*, by: Any, held: HeldRow, values: dict[str, str], township: str = "") -> Any:
    """Set cells of a held row (by column) and/or its township (a p-code among the
    candidates), then apply it through the import pipeline. Returns the ImportResult: when it
    is ``ok`` the row is applied; otherwise it stays held with the new reasons (the fixes
    are kept, so the next fix starts from them)."""
    _open(by, held)
    if not values and not township:
        raise InvalidInput(_("nothing to fix: give COLUMN=VALUE or a township"))
    meta = dict(held.table)
    meta["labels"] = list(meta["labels"])
    meta["plan"] = {k: list(v) for k, v in meta["plan"].items()}
    cells = held_cells(held)
    changed: list[str] = []
    for name, value in values.items():
        at = _column(meta, name)
        cells += [""] * (at + 1 - len(cells))
        cells[at] = value
        changed.append(meta["labels"][at])
    if township:
        at = _column(meta, held_township_column(meta))
        cells += [""] * (at + 1 - len(cells))
        cells[at] = township.strip().upper()
        changed.append(meta["labels"][at])
    result = _apply(by, held, meta, cells)
    person = by if by is not None and by.pk else None
    with transaction.atomic():
        held.table = meta
        held.cells = json.dumps(cells, ensure_ascii=False)
        if result.ok:
            held.status = HeldStatus.APPLIED
            held.applied_run = ImportRun.objects.get(pk=result.run_id)
        else:
            held.reasons = _reasons(result.errors)
        held.updated_by = person
        held.save()
        audit_record(
            by=person,
            action=Action.UPDATE,
            obj=held,
            # The columns only: the values may be protected.
            changes={"fixed": changed, "status": held.status, "run": str(result.run_id)},
        )
    return result


def _apply(by: Any, held: HeldRow, meta: dict[str, Any], cells: list[str]) -> Any:
    """The one pipeline, over a table of this one row as its file gave it."""
    from corridor.exchange.pipeline import run_import

    def read(path: Path, *, name: str, kind: str | None, progress: Any) -> Table:
        return Table(
            name=meta["name"],
            format=meta["format"],
            kind=meta["kind"],
            plan=meta["plan"],
            labels=meta["labels"],
            rows=iter([(held.row, cells)]),
            id_prefix=meta.get("id_prefix", ""),
            place_columns=meta.get("place_columns", ""),
        )

    if by is not None and held.organisation is not None:
        policy.require(by, policy.IMPORT_FOR, held.organisation)
    with tempfile.TemporaryDirectory(prefix="corridor-held-") as folder:
        # What the run's checksum is taken of: the row as applied.
        path = Path(folder) / "row.json"
        path.write_text(
            json.dumps({"file": meta["name"], "row": held.row, "cells": cells}, ensure_ascii=False),
            encoding="utf-8",
        )
        return run_import(
            by=by,
            path=path,
            name=_("%(file)s row %(row)s (held)") % {"file": meta["name"], "row": held.row},
            format_name=FORMAT,
            read=read,
            kind=meta["kind"],
            organisation=held.organisation,
            key=meta.get("key") or (),
        )


def held_drop(*, by: Any, held: HeldRow, reason: str = "") -> HeldRow:
    """Drop a held row: it is not imported; its cells are erased (they may be protected).
    ``reason`` (why a person dropped it) is kept in the audit entry."""
    _open(by, held)
    person = by if by is not None and by.pk else None
    changes = {"status": "dropped"}
    if reason.strip():
        changes["reason"] = " ".join(reason.split())[:500]
    with transaction.atomic():
        held.status = HeldStatus.DROPPED
        held.cells = json.dumps([])
        held.updated_by = person
        held.save()
        audit_record(by=person, action=Action.DELETE, obj=held, changes=changes)
    return held
