"""Bulk upload through the exchange pipeline: check the file first (a dry run with its report
of row, column and reason), then import it, all or nothing.

A coordinator (or admin) may leave the organisation empty for a file that names each row's
organisation; organisations the file names that Corridor does not know are listed on the
check's page, each with a tick box, acronym and type, and created with the import
(decision 0160).

The same service as `corridor import` and POST /api/exchange/imports (exchange.services
.file_import) does the work and checks, row by row, that the person may report for the
organisation (accounts.policy).
"""

from __future__ import annotations

import json
import tempfile
import uuid
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import policy
from corridor.core.errors import CorridorError, InvalidInput
from corridor.exchange import values
from corridor.exchange.fields import FIELDS, LEDGER_KINDS
from corridor.exchange.mapping import apply as mapped
from corridor.exchange.mapping.propose import propose
from corridor.exchange.mapping.queries import saved_mapping_for_file
from corridor.exchange.mapping.services import mapping_save
from corridor.exchange.mapping.spec import Mapping
from corridor.exchange.registry import detect
from corridor.exchange.services import file_import
from corridor.orgs.models import Organisation, OrgKind
from corridor.orgs.queries import organisations_visible_to
from corridor.web.forms import WEB_PARTIAL_ROWS, UploadForm
from corridor.web.uploads import hold_cookie, hold_put, hold_take, holds_sweep
from corridor.web.views.entry import reporting_organisations

ERRORS_SHOWN = 200
PREVIEW_ROWS = 10
# Organisations to create one review may list (a 5W names a few dozen).
NEW_ORGS_SHOWN = 500


def _creates_orgs(user: Any) -> bool:
    """Coordinators and admins: may file for any partner and create new ones."""
    return policy.can(user, policy.ADD, Organisation)


def _organisations(user: Any) -> Any:
    if _creates_orgs(user):
        return organisations_visible_to(user)
    return reporting_organisations(user)


def _form(request: Any, *args: Any) -> UploadForm:
    return UploadForm(
        *args,
        organisations=_organisations(request.user),
        organisation_required=not _creates_orgs(request.user),
    )


def _refused(form: UploadForm, message: str) -> UploadForm:
    """The refusal above the upload form. The apply and mapping steps' forms are unbound, and
    an unbound form has no cleaned data for ``add_error`` to look into."""
    if not form.is_bound:
        form.cleaned_data = {}
    form.add_error(None, message)
    return form


def _org_choices(post: Any) -> dict[str, dict[str, Any]]:
    """The review of organisations to create, by code_key of the name the file gives."""
    try:
        count = min(int(post.get("new-count") or 0), NEW_ORGS_SHOWN)
    except ValueError:
        count = 0
    choices: dict[str, dict[str, Any]] = {}
    for at in range(count):
        name = values.text(post.get(f"new-{at}-name", ""))
        if not name:
            continue
        kind = post.get(f"new-{at}-type", "")
        choices[values.code_key(name)] = {
            "create": post.get(f"new-{at}-create") == "on",
            "acronym": values.text(post.get(f"new-{at}-acronym", ""))[:32],
            "type": kind if kind in OrgKind.values else "",
        }
    return choices


def _partial(chosen: Any, result: Any) -> bool:
    """Whether the checked file is imported partially: asked for, or a large file."""
    return bool(chosen) or result.rows >= WEB_PARTIAL_ROWS


def _page(
    request: Any,
    form: UploadForm,
    result: Any = None,
    status: int = 200,
    mapping: dict[str, Any] | None = None,
    partial: bool = True,
) -> HttpResponse:
    labels = {
        "created": _("New, for example"),
        "changed": _("Changed, for example"),
        "removed": _("Removed, for example"),
        "not_in_file": _("Not in this file (kept), for example"),
    }
    # With rows held, --replace removes nothing (decision 0205): the "removed" are kept.
    kept = bool(result and result.replace and result.held)
    samples = (
        [
            (labels["not_in_file" if what == "removed" and kept else what], lines)
            for what, lines in result.samples.items()
        ]
        if result
        else []
    )
    # The check is a partial dry run: rows with problems are held, not refused. A small file
    # not asked to be partial (or a refused one) shows them as the file's problems.
    held_refused = bool(result and result.held and (not partial or not result.ok))
    problems = result.errors + (result.held_errors() if held_refused else []) if result else []
    return render(
        request,
        "web/upload.html",
        {
            "form": form,
            "result": result,
            "errors": problems[:ERRORS_SHOWN],
            "problem_count": result.error_count + (len(result.held_errors()) if held_refused else 0)
            if result
            else 0,
            "samples": samples,
            "mapping": mapping,
            "new_orgs": result.organisations_to_create[:NEW_ORGS_SHOWN] if result else [],
            "org_kinds": OrgKind.choices,
            "held_errors": result.held_errors()[:ERRORS_SHOWN] if result else [],
            "held_refused": held_refused,
            "partial": partial,
            "partial_from": WEB_PARTIAL_ROWS,
        },
        status=status,
    )


def _columns(text: str) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _untagged(path: Path, name: str, by: Any) -> bool:
    """A file no format recognises and no saved mapping fits: it needs a mapping."""
    try:
        detect(path, name)
    except InvalidInput:
        return saved_mapping_for_file(path, name=name, by=by) is None
    return False


def _preview(path: Path, name: str, mapping: Mapping) -> dict[str, Any]:
    """The mapping form's data: each column's choice and the first rows as they will be read."""
    table = mapped.read(path, name=name, kind=None, mapping=mapping)
    # The fields a column may take: those exchanged as HXL, and every field of the ledger's
    # kinds (which have no hashtags; decision 0367).
    fields = [
        f.name
        for f in FIELDS[mapping.kind]
        if f.hashtag or f.name in table.plan or mapping.kind in LEDGER_KINDS
    ]
    shown = [name for name in fields if name in table.plan]
    rows = []
    for number, cells in table.rows:
        rows.append((number, [cells[table.plan[n][0]] for n in shown]))
        if len(rows) >= PREVIEW_ROWS:
            break
    close = getattr(table.rows, "close", None)
    if close:
        close()
    # A field as a person reads it, with the name the docs and exported mappings use.
    labels = {
        f.name: f"{f.header} ({f.name})" if f.header else f.name for f in FIELDS[mapping.kind]
    }
    return {
        "columns": [c for c in mapping.columns if c.header],
        "fields": [(name, labels[name]) for name in fields],
        "shown": [labels[name] for name in shown],
        "rows": rows,
        "values": [
            (name, raw, code)
            for name, table in mapping.values.items()
            for raw, code in table.items()
        ],
        "unmapped_values": list(mapping.unmapped_values.items()),
        "notes": mapping.notes,
        "round_counts": mapping.round_counts,
    }


def _hold_mapping(
    request: Any, path: Path, meta: dict[str, str], mapping: Mapping
) -> tuple[str, dict[str, Any]]:
    """Hold the file while the person settles its mapping; the form's data and the key half."""
    hold = uuid.uuid4()
    data = _preview(path, meta["name"], mapping)
    half = hold_put(request, hold, path, {**meta, "mapping": json.dumps(mapping.to_json())})
    data["hold"] = str(hold)
    return half, data


@login_required
def upload_page(request: Any) -> HttpResponse:
    holds_sweep()
    form = _form(request, request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _page(request, form)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    upload = data["file"]
    name = Path(upload.name or "upload").name[:255]
    browser_half = None
    try:
        with tempfile.TemporaryDirectory(prefix="corridor-upload-") as folder:
            path = Path(folder) / "upload"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            mapping = None
            if not data["format"] and _untagged(path, name, request.user):
                # No header to map either: the import below says why the file is refused.
                with suppress(InvalidInput):
                    mapping = propose(path, name=name, kind=data["kind"] or None)
            if mapping is not None:
                chosen = data["organisation"]
                meta = {
                    "name": name,
                    "organisation": str(chosen.pk) if chosen else "",
                    "partial": "1" if data["partial"] else "",
                    "key": data["key"],
                    "replace": "1" if data["replace"] else "",
                }
                half, shown = _hold_mapping(request, path, meta, mapping)
                response = _page(request, form, mapping=shown)
                hold_cookie(response, half)
                return response
            result = file_import(
                by=request.user,
                path=path,
                name=name,
                format=data["format"] or None,
                kind=data["kind"] or None,
                organisation=data["organisation"],
                dry_run=True,
                key=_columns(data["key"]),
                replace=data["replace"],
                create_orgs=_creates_orgs(request.user),
                partial=True,
            )
            partial = _partial(data["partial"], result)
            if result.ok and (partial or not result.held):
                browser_half = hold_put(
                    request,
                    result.run_id,
                    path,
                    {
                        "name": name,
                        "format": result.format if not result.mapping else "",
                        "kind": result.kind,
                        "key": data["key"],
                        "replace": "1" if data["replace"] else "",
                        "organisation": str(data["organisation"].pk)
                        if data["organisation"]
                        else "",
                        "partial": "1" if partial and result.held else "",
                    },
                )
    except CorridorError as exc:
        form.add_error(None, str(exc))
        return _page(request, form, status=400)
    response = _page(request, form, result, partial=partial)
    if browser_half:
        hold_cookie(response, browser_half)
    return response


def _held_for(
    request: Any, held: tuple[Path, dict[str, str]] | None, organisations: Any
) -> tuple[Path, dict[str, str], Organisation | None] | None:
    """The held file, what was chosen for it and the organisation it was checked for (None:
    the file names its organisations), while it is one of ``organisations`` (those the person
    may still report for); else None, with the reason said to the person."""
    if held is None:
        messages.error(request, _("The checked file is no longer held. Choose it again."))
        return None
    path, meta = held
    organisation = None
    if meta["organisation"] or not _creates_orgs(request.user):
        organisation = organisations.filter(pk=meta["organisation"] or None).first()
        if organisation is None:
            messages.error(request, _("You may no longer report for that organisation."))
            return None
    return path, meta, organisation


@login_required
@require_POST
def upload_apply(request: Any) -> HttpResponse:
    organisations = _organisations(request.user)  # refuses who may not upload
    choices = _org_choices(request.POST)
    with hold_take(request, request.POST.get("run", "")) as held:
        if (taken := _held_for(request, held, organisations)) is None:
            return redirect("web:upload")
        path, meta, organisation = taken
        form = _form(request)
        try:
            mapping = None
            if meta.get("mapping"):
                mapping = Mapping.from_json(json.loads(meta["mapping"]), source=meta["name"])
            result = file_import(
                by=request.user,
                path=path,
                name=meta["name"],
                format=meta["format"] or None,
                kind=meta["kind"],
                organisation=organisation,
                dry_run=False,
                key=_columns(meta.get("key", "")),
                replace=bool(meta.get("replace")),
                mapping=mapping,
                create_orgs=any(c["create"] for c in choices.values()),
                org_choices=choices,
                partial=bool(meta.get("partial")),
            )
        except CorridorError as exc:
            _refused(form, str(exc))
            return _page(request, form, status=400)
        if result.ok and mapping is not None and meta.get("save_as"):
            # The file is in by now: a mapping that cannot be saved is said, not a refusal.
            try:
                mapping_save(by=request.user, name=meta["save_as"], mapping=mapping)
            except CorridorError as exc:
                messages.error(
                    request,
                    _("The mapping was not saved as %(name)s: %(reason)s")
                    % {"name": meta["save_as"], "reason": exc},
                )
            else:
                messages.success(
                    request,
                    _("Mapping saved as %(name)s: files with this header will use it.")
                    % {"name": meta["save_as"]},
                )
    if result.ok:
        messages.success(
            request,
            _(
                "Imported %(file)s: %(created)s new, %(changed)s changed, %(removed)s removed, "
                "%(unchanged)s unchanged."
            )
            % {
                "file": result.file,
                "created": result.created,
                "changed": result.changed,
                "removed": result.removed,
                "unchanged": result.unchanged,
            },
        )
    return _page(request, form, result)


@login_required
@require_POST
def upload_map(request: Any) -> HttpResponse:
    """Check the held file through the mapping as the person set it; then "Import now"."""
    organisations = _organisations(request.user)  # refuses who may not upload
    form = _form(request)
    with hold_take(request, request.POST.get("hold", "")) as held:
        if (taken := _held_for(request, held, organisations)) is None:
            return redirect("web:upload")
        path, meta, organisation = taken
        mapping = Mapping.from_json(json.loads(meta["mapping"]), source=meta["name"])
        known = {f.name for f in FIELDS[mapping.kind]}
        for column in mapping.columns:
            chosen = request.POST.get(f"field-{column.at}", column.field or "")
            if chosen != (column.field or ""):
                column.field = chosen if chosen in known else None
                column.confidence, column.reason = 1.0, _("chosen on the upload page")
        mapping.round_counts = request.POST.get("round_counts") == "on"
        save_as = " ".join(request.POST.get("save_as", "").split())
        try:
            mapping.check()
            result = file_import(
                by=request.user,
                path=path,
                name=meta["name"],
                organisation=organisation,
                dry_run=True,
                key=_columns(meta.get("key", "")),
                replace=bool(meta.get("replace")),
                mapping=mapping,
                create_orgs=_creates_orgs(request.user),
                partial=True,
            )
        except CorridorError as exc:
            _refused(form, str(exc))
            half, shown = _hold_mapping(request, path, meta, mapping)
            response = _page(request, form, status=400, mapping=shown)
            hold_cookie(response, half)
            return response
        partial = _partial(meta.get("partial"), result)
        if result.ok and (partial or not result.held):
            half = hold_put(
                request,
                result.run_id,
                path,
                {
                    "name": meta["name"],
                    "format": "",
                    "kind": result.kind,
                    "organisation": meta["organisation"],
                    "mapping": json.dumps(mapping.to_json()),
                    "save_as": save_as,
                    "key": meta.get("key", ""),
                    "replace": meta.get("replace", ""),
                    "partial": "1" if partial and result.held else "",
                },
            )
            response = _page(request, form, result, partial=partial)
        else:
            half, shown = _hold_mapping(request, path, meta, mapping)
            response = _page(request, form, result, mapping=shown, partial=partial)
    hold_cookie(response, half)
    return response
