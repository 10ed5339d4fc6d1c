"""JSON API of the exchange app: upload a file to import, download its error report.

Uploads are copied to a private temporary file, read by the pipeline and deleted; they are
never stored, executed or served back. The error report is served as an attachment of
neutralised CSV (text/csv, nosniff), never inline.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from corridor.core.errors import InvalidInput, NotAllowed
from corridor.exchange.queries import import_runs_visible_to
from corridor.exchange.services import file_import, organisation_find

router = Router(tags=["exchange"], auth=django_auth)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class ImportOut(Schema):
    run_id: uuid.UUID
    file: str
    format: str
    kind: str
    status: str
    rows: int
    created: int
    changed: int
    unchanged: int
    error_count: int
    errors: list[RowErrorOut]
    ignored: list[str]
    error_report_url: str | None


@router.post("/imports", response=ImportOut, summary="Import an HXL, ACLED or KoBo file")
def import_upload(
    request: Any,
    file: File[UploadedFile],
    format: Form[str | None] = None,
    kind: Form[str | None] = None,
    org: Form[str | None] = None,
    dry_run: Form[bool] = False,
) -> dict:
    """All-or-nothing: any error refuses the whole file; the errors are listed and reported."""
    if file.size and file.size > MAX_UPLOAD_BYTES:
        raise HttpError(413, "the file is larger than 200 MB")
    name = Path(file.name or "upload").name[:255]
    with tempfile.TemporaryDirectory(prefix="corridor-upload-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            organisation = organisation_find(org) if org else None
            result = file_import(
                by=request.user,
                path=path,
                name=name,
                format=format or None,
                kind=kind or None,
                organisation=organisation,
                dry_run=dry_run,
            )
        except NotAllowed as exc:
            raise HttpError(403, str(exc)) from None
        except InvalidInput as exc:
            raise HttpError(400, str(exc)) from None
    return {
        "run_id": result.run_id,
        "file": result.file,
        "format": result.format,
        "kind": result.kind,
        "status": result.status,
        "rows": result.rows,
        "created": result.created,
        "changed": result.changed,
        "unchanged": result.unchanged,
        "error_count": result.error_count,
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
            for e in result.errors[:200]
        ],
        "ignored": result.ignored,
        "error_report_url": (
            f"/api/exchange/imports/{result.run_id}/errors.csv" if result.error_count else None
        ),
    }


@router.get("/imports/{run_id}/errors.csv", summary="Error report of an import, as CSV")
def import_errors(request: Any, run_id: uuid.UUID) -> HttpResponse:
    run = import_runs_visible_to(request.user).filter(pk=run_id).first()
    if run is None:
        raise HttpError(404, "no such import")
    response = HttpResponse(run.error_report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
