"""Bulk upload through the exchange pipeline: check the file first (a dry run with its report
of row, column and reason), then import it, all or nothing.

The same service as `corridor import` and POST /api/exchange/imports (exchange.services
.file_import) does the work and checks, row by row, that the person may report for the
organisation (accounts.policy).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.errors import CorridorError
from corridor.exchange.services import file_import
from corridor.web.forms import UploadForm
from corridor.web.uploads import hold_cookie, hold_put, hold_take, holds_sweep
from corridor.web.views.entry import reporting_organisations

ERRORS_SHOWN = 200


def _page(request: Any, form: UploadForm, result: Any = None, status: int = 200) -> HttpResponse:
    labels = {
        "created": _("New, for example"),
        "changed": _("Changed, for example"),
        "removed": _("Removed, for example"),
        "not_in_file": _("Not in this file (kept), for example"),
    }
    samples = [(labels[what], lines) for what, lines in result.samples.items()] if result else []
    return render(
        request,
        "web/upload.html",
        {
            "form": form,
            "result": result,
            "errors": result.errors[:ERRORS_SHOWN] if result else [],
            "samples": samples,
        },
        status=status,
    )


def _columns(text: str) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


@login_required
def upload_page(request: Any) -> HttpResponse:
    organisations = reporting_organisations(request.user)
    holds_sweep()
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
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
            )
            if result.ok:
                browser_half = hold_put(
                    request,
                    result.run_id,
                    path,
                    {
                        "name": name,
                        "format": result.format,
                        "kind": result.kind,
                        "organisation": str(data["organisation"].pk),
                        "key": data["key"],
                        "replace": "1" if data["replace"] else "",
                    },
                )
    except CorridorError as exc:
        form.add_error(None, str(exc))
        return _page(request, form, status=400)
    response = _page(request, form, result)
    if browser_half:
        hold_cookie(response, browser_half)
    return response


@login_required
@require_POST
def upload_apply(request: Any) -> HttpResponse:
    organisations = reporting_organisations(request.user)
    with hold_take(request, request.POST.get("run", "")) as held:
        if held is None:
            messages.error(request, _("The checked file is no longer held. Choose it again."))
            return redirect("web:upload")
        path, meta = held
        organisation = organisations.filter(pk=meta["organisation"]).first()
        if organisation is None:
            messages.error(request, _("You may no longer report for that organisation."))
            return redirect("web:upload")
        form = UploadForm(organisations=organisations)
        try:
            result = file_import(
                by=request.user,
                path=path,
                name=meta["name"],
                format=meta["format"],
                kind=meta["kind"],
                organisation=organisation,
                dry_run=False,
                key=_columns(meta.get("key", "")),
                replace=bool(meta.get("replace")),
            )
        except CorridorError as exc:
            form.add_error(None, str(exc))
            return _page(request, form, status=400)
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
