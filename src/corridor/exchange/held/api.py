"""API of the rows a partial import held (decision 0205), under /api/exchange/held/: list them,
show one with its cells, fix one (it is applied at once through the import pipeline, as
`corridor held fix` and the review page do), drop one with a reason.

The same reads and services as the CLI and the page: ``held_visible_to`` decides which rows a
caller finds (another organisation's rows answer 404, as missing ones do), ``held_view``
gives the cells and reasons and leaves one audit entry per answer that shows them (decision
0245), ``held_fix`` and ``held_drop`` check the policy (a viewer gets 403). Every route is an
internal output: a person's own organisation's rows, back to them.

No ``from __future__ import annotations`` here: django-ninja resolves string annotations in the
globals of the function it is given, which for a marked route is the mark's wrapper.
"""

import uuid
from typing import Any, Literal

from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from corridor.accounts import policy
from corridor.disclosure import internal_output
from corridor.exchange.held.queries import held_visible_to
from corridor.exchange.held.services import HeldView, held_drop, held_fix, held_view
from corridor.exchange.models import HeldStatus
from corridor.exchange.queries import import_runs_visible_to

router = Router(tags=["exchange"], auth=django_auth)

# Rows one answer lists at most; ``offset`` pages on.
MOST = 500


class ReasonOut(Schema):
    column: str
    value: str
    reason: str


class TownshipOut(Schema):
    pcode: str
    name_en: str
    name_my: str


class HeldOut(Schema):
    id: uuid.UUID
    run_id: uuid.UUID
    file: str
    row: int = Field(description="Row number in the file, as a spreadsheet counts it.")
    status: str
    kind: str
    organisation: uuid.UUID | None
    reasons: list[ReasonOut]
    townships: list[TownshipOut] = Field(
        description="While held: the townships an unsettled place name could be; fix with one."
    )
    applied_run_id: uuid.UUID | None


class CellOut(Schema):
    column: str
    value: str


class HeldDetailOut(HeldOut):
    cells: list[CellOut]


class HeldListOut(Schema):
    count: int
    items: list[HeldOut]


class HeldFixIn(Schema):
    cells: dict[str, str] = Field(
        default_factory=dict,
        description="New values by column: its header, hashtag or Corridor field name.",
    )
    township: str = Field("", description="The township's p-code, one of the row's townships.")


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class HeldFixOut(Schema):
    id: uuid.UUID
    applied: bool
    status: str
    run_id: uuid.UUID | None = Field(description="The import run that applied the row (or tried).")
    created: int
    changed: int
    unchanged: int
    errors: list[RowErrorOut] = Field(description="Why the row is still held, when it is.")


class HeldDropIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why the row is dropped.")


class HeldDropOut(Schema):
    id: uuid.UUID
    status: str


def _out(view: HeldView) -> dict[str, Any]:
    held = view.held
    return {
        "id": held.pk,
        "run_id": held.run_id,
        "file": held.file_name,
        "row": held.row,
        "status": held.status,
        "kind": held.table.get("kind", ""),
        "organisation": held.organisation_id,
        "reasons": [r.__dict__ for r in view.reasons],
        "townships": [t.__dict__ for t in view.townships],
        "applied_run_id": held.applied_run_id,
    }


def _find(request: Any, pk: uuid.UUID) -> Any:
    found = held_visible_to(request.user, status=None).filter(pk=pk).first()
    if found is None:
        raise HttpError(404, "no such held row")
    return found


@router.get("/", response=HeldListOut, summary="Rows partial imports held for review")
@internal_output(
    "api.exchange.held_list",
    role=policy.VIEW_PROTECTED,
    what="held rows and their reasons, to the uploader, their organisation and coordinators",
)
def held_list(
    request: Any,
    run: uuid.UUID | None = None,
    status: Literal["held", "applied", "dropped", "all"] = "held",
    limit: int = 100,
    offset: int = 0,
) -> dict:
    """The held rows you may see, oldest file first, with why each is held; ``run``: those
    of one import. At most 500 rows an answer (``limit``; ``offset`` pages on). Fix one with
    PATCH, drop one with POST .../drop."""
    if not 1 <= limit <= MOST or offset < 0:
        raise HttpError(400, f"limit is 1 to {MOST} and offset 0 or more")
    rows = held_visible_to(request.user, status=None if status == "all" else status)
    if run is not None:
        rows = rows.filter(run_id=run)
        if not rows.exists() and not import_runs_visible_to(request.user).filter(pk=run).exists():
            raise HttpError(404, "no such import")
    views = held_view(by=request.user, rows=rows[offset : offset + limit], where="api")
    return {"count": rows.count(), "items": [_out(v) for v in views]}


@router.get("/{pk}", response=HeldDetailOut, summary="One held row with its cells")
@internal_output(
    "api.exchange.held_show",
    role=policy.VIEW_PROTECTED,
    what="a held row's cells and reasons, to the uploader, their organisation and coordinators",
)
def held_show(request: Any, pk: uuid.UUID) -> dict:
    """Every cell of the row as its file gave it (with any fixes), by column."""
    (view,) = held_view(by=request.user, rows=[_find(request, pk)], where="api")
    cells = [{"column": c, "value": v} for c, v in zip(view.labels, view.cells, strict=False)]
    return {**_out(view), "cells": cells}


@router.patch("/{pk}", response=HeldFixOut, summary="Fix a held row and apply it")
@internal_output(
    "api.exchange.held_fix",
    role=policy.CHANGE,
    what="the outcome of fixing a held row: counts, and the caller's own values if still held",
)
def held_fix_route(request: Any, pk: uuid.UUID, payload: HeldFixIn) -> dict:
    """Set cells and/or the township, then apply the row through the import pipeline: the same
    rules as any row of any file. ``applied`` false: it stays held, the fix kept, ``errors``
    say why."""
    held = _find(request, pk)
    result = held_fix(by=request.user, held=held, values=payload.cells, township=payload.township)
    return {
        "id": held.pk,
        "applied": result.ok,
        "status": held.status,
        "run_id": result.run_id,
        "created": result.created,
        "changed": result.changed,
        "unchanged": result.unchanged,
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
            for e in result.errors
        ],
    }


@router.post("/{pk}/drop", response=HeldDropOut, summary="Drop a held row: it is not imported")
@internal_output(
    "api.exchange.held_drop",
    role=policy.CHANGE,
    what="the dropped row's id and status",
)
def held_drop_route(request: Any, pk: uuid.UUID, payload: HeldDropIn) -> dict:
    """The row is not imported and its cells are erased; the reason goes to the audit trail."""
    held = held_drop(by=request.user, held=_find(request, pk), reason=payload.reason)
    return {"id": held.pk, "status": HeldStatus(held.status).value}
