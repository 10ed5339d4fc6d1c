"""API of the exchange app: import a file and download its error report; download exports.

Uploads are copied to a private temporary file, read by the pipeline and deleted; they are
never stored, executed or served back. The error report is served as an attachment of
neutralised CSV (text/csv, nosniff), never inline. Exports (HXL, IATI, the XLSForm field
forms) are the CLI's `corridor export` through the same services, which check the access
policy and audit each export; they too come as attachments. Every route carries one
disclosure mark (corridor.disclosure.outputs): the HXL tables for sharing and IATI are
shared outputs built through the gate; the internal HXL records and the importer's own
answers are internal; the field forms are reference data.

No ``from __future__ import annotations`` here: django-ninja resolves string annotations in the
globals of the function it is given, which for a marked route is the mark's wrapper.
"""

import io
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from corridor.accounts import policy
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.disclosure import internal_output, reference_output, shared_output
from corridor.exchange.fields import KIND_NAMES
from corridor.exchange.formats.xlsform import FORMS
from corridor.exchange.held.api import RowErrorOut
from corridor.exchange.held.api import router as held_router
from corridor.exchange.queries import import_runs_visible_to
from corridor.exchange.services import (
    file_import,
    hxl_export_internal,
    hxl_export_shared,
    iati_export,
    organisation_find,
    xlsform_export,
)
from corridor.orgs.queries import organisations_user_can_export, organisations_visible_to

router = Router(tags=["exchange"], auth=django_auth)
# Rows partial imports held for review: list, show, fix, drop (exchange/held/api.py).
router.add_router("/held", held_router)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class OrganisationToCreateOut(Schema):
    name: str
    acronym: str
    type: str
    rows: list[int]
    row_count: int
    created: bool


class ImportOut(Schema):
    run_id: uuid.UUID
    file: str
    format: str
    kind: str
    status: str
    rows: int
    valid: int
    held: int
    refused: int
    created: int
    changed: int
    removed: int
    unchanged: int
    missing: int
    scope: list[str]
    scope_kept: list[str]
    samples: dict[str, list[str]]
    people_reached: int | None
    error_count: int
    errors: list[RowErrorOut]
    warning_count: int = Field(
        0, description="Rows imported but flagged: likely duplicates, jumps (decision 0215)."
    )
    warnings: list[RowErrorOut] = []
    held_rows: list[RowErrorOut]
    ignored: list[str]
    error_report_url: str | None
    organisations_to_create: list[OrganisationToCreateOut]
    replayed_from: uuid.UUID | None = Field(
        None,
        description=(
            "An unchanged re-import answered from this earlier import run, without reading "
            "its rows (decision 0369); null when the rows were read."
        ),
    )


def _attachment(data: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/imports", response=ImportOut, summary="Import an HXL, ACLED or KoBo file")
@internal_output(
    "api.exchange.import_upload",
    role=policy.ADD,
    what="the answer to an upload: counts and the errors in the uploader's own file",
)
def import_upload(
    request: Any,
    file: File[UploadedFile],
    format: Form[str | None] = None,
    kind: Form[str | None] = None,
    org: Form[str | None] = None,
    dry_run: Form[bool] = False,
    key: Form[str | None] = None,
    replace: Form[bool] = False,
    create_orgs: Form[bool] = False,
    partial: Form[bool] = False,
) -> dict:
    """All-or-nothing: any error refuses the whole file; the errors are listed and reported.

    Counts are compared with what is stored, dry runs included. ``key``: comma-separated
    columns that identify a record; ``replace``: remove the stored records of the file's scope
    that it no longer holds (docs/exchange.md, "Re-importing an updated file").

    Rows naming their organisation are filed under it; ``org`` fills rows that name none.
    Names of organisations Corridor does not know come back in ``organisations_to_create``
    with the rows naming them; ``create_orgs`` (coordinators and admins) creates them, not
    public, in the import's transaction (docs/exchange.md, "A file with many organisations").

    ``partial``: apply the valid rows and hold the others for review (``held``, their reasons
    in ``held_rows``; docs/exchange.md, "Partial imports and the review list").
    """
    if file.size and file.size > MAX_UPLOAD_BYTES:
        raise HttpError(413, "the file is larger than 200 MB")
    name = Path(file.name or "upload").name[:255]
    with tempfile.TemporaryDirectory(prefix="corridor-upload-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            organisation = organisation_find(org, by=request.user) if org else None
            result = file_import(
                by=request.user,
                path=path,
                name=name,
                format=format or None,
                kind=kind or None,
                organisation=organisation,
                dry_run=dry_run,
                key=[c.strip() for c in key.split(",") if c.strip()] if key else (),
                replace=replace,
                create_orgs=create_orgs,
                partial=partial,
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
        "valid": result.valid,
        "held": result.held,
        "refused": result.refused,
        "created": result.created,
        "changed": result.changed,
        "removed": result.removed,
        "unchanged": result.unchanged,
        "missing": result.missing,
        "scope": result.scope,
        "scope_kept": result.scope_kept,
        "samples": result.samples,
        "people_reached": result.people_reached,
        "error_count": result.error_count,
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
            for e in result.errors[:200]
        ],
        "warning_count": result.warning_count,
        "warnings": [
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
            for e in result.warnings[:200]
        ],
        "held_rows": [
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
            for e in result.held_errors()[:200]
        ],
        "ignored": result.ignored,
        "error_report_url": (
            f"/api/exchange/imports/{result.run_id}/errors.csv" if result.error_count else None
        ),
        "organisations_to_create": result.organisations_to_create,
        "replayed_from": result.replayed_from or None,
    }


@router.get("/imports/{run_id}/errors.csv", summary="Error report of an import, as CSV")
@internal_output(
    "api.exchange.import_errors",
    role=policy.ADD,
    what="the error report of an import, to the person who ran it (and admins): their own rows",
)
def import_errors(request: Any, run_id: uuid.UUID) -> HttpResponse:
    run = import_runs_visible_to(request.user).filter(pk=run_id).first()
    if run is None:
        raise HttpError(404, "no such import")
    return _attachment(run.error_report, "text/csv; charset=utf-8", f"import-{run.pk}-errors.csv")


def _hxl(
    request: Any, export: Callable[..., int], kind: str, org: uuid.UUID | None, suffix: str
) -> HttpResponse:
    """One HXL download: the service's file, or 404/403/400 with the reason."""
    if kind not in KIND_NAMES:
        raise HttpError(404, f"no export of {kind!r}; use one of {', '.join(KIND_NAMES)}")
    organisation = None
    if org is not None:
        organisation = get_object_or_404(organisations_visible_to(request.user), pk=org)
    out = io.StringIO()
    try:
        export(by=request.user, kind=kind, out=out, organisation=organisation)
    except NotAllowed as exc:
        raise HttpError(403, str(exc)) from None
    except InvalidInput as exc:
        raise HttpError(400, str(exc)) from None
    return _attachment(
        "\ufeff" + out.getvalue(), "text/csv; charset=utf-8", f"corridor-{kind}-{suffix}.csv"
    )


@router.get(
    "/exports/hxl/{kind}.csv", summary="Activities, figures or incidents as HXL tables for sharing"
)
@shared_output(
    "api.exchange.export_hxl",
    what="the sharing HXL tables of exchange.hxl_export_shared, as a download",
)
def export_hxl(request: Any, kind: str, org: uuid.UUID | None = None) -> HttpResponse:
    """HXL CSV for sharing (docs/exchange.md, "HXL for sharing"): counts per township and
    month, suppressed below k, whole months up to the publication cutoff, organisations by
    their public label; no records, free text, sources or coordinates. ``org`` (activities
    only) keeps one organisation's rows.
    """
    return _hxl(request, hxl_export_shared, kind, org, "shared")


@router.get(
    "/exports/hxl-internal/{kind}.csv",
    summary="Activities, figures or incidents as HXL records, for use inside the organisation",
)
@internal_output(
    "api.exchange.export_hxl_internal",
    role=policy.ADD,
    what="the internal HXL records of exchange.hxl_export_internal, as a download",
)
def export_hxl_internal(request: Any, kind: str, org: uuid.UUID | None = None) -> HttpResponse:
    """HXL CSV of the records you may export, with ids, the real names you may see and exact
    coordinates, so it imports back unchanged. For people who may add these records (editors,
    organisation admins, admins); others get 403. The file's first row says it is internal.
    """
    return _hxl(request, hxl_export_internal, kind, org, "internal")


@router.get(
    "/exports/iati/{pk}.xml", summary="Export an organisation's activities and transfers as IATI"
)
@shared_output(
    "api.exchange.export_iati",
    what="the IATI file of exchange.iati_export, as a download",
)
def export_iati(request: Any, pk: uuid.UUID, identifier: str | None = None) -> HttpResponse:
    """IATI 2.03 activity XML of one of your organisations, checked against the schema."""
    organisation = get_object_or_404(organisations_user_can_export(request.user), pk=pk)
    out = io.BytesIO()
    try:
        iati_export(
            by=request.user, organisation=organisation, out=out, identifier=identifier or None
        )
    except NotAllowed as exc:
        raise HttpError(403, str(exc)) from None
    except InvalidInput as exc:
        raise HttpError(400, str(exc)) from None
    return _attachment(out.getvalue(), "application/xml", f"corridor-iati-{organisation.pk}.xml")


@router.get("/forms/{form}.xlsx", summary="The XLSForm of a field form, for KoBoToolbox or ODK")
@reference_output(
    "api.exchange.export_form",
    what="the blank field form of exchange.xlsform_export: codes and place names, no records",
)
def export_form(request: Any, form: str) -> HttpResponse:
    """The activity or displacement field form with today's gazetteer as its choice lists."""
    if form not in FORMS:
        raise HttpError(404, f"no form {form!r}; use one of {', '.join(FORMS)}")
    try:
        data = xlsform_export(form=form)
    except InvalidInput as exc:
        raise HttpError(400, str(exc)) from None
    return _attachment(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"corridor-{form}-form.xlsx",
    )
