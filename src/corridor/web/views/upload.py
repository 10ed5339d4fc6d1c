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

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import policy
from corridor.core.errors import CorridorError
from corridor.exchange import values
from corridor.exchange.services import file_import
from corridor.orgs.models import Organisation, OrgKind
from corridor.orgs.queries import organisations_visible_to
from corridor.web.forms import UploadForm
from corridor.web.uploads import hold_cookie, hold_put, hold_take, holds_sweep
from corridor.web.views.entry import reporting_organisations

ERRORS_SHOWN = 200
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


def _page(request: Any, form: UploadForm, result: Any = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "web/upload.html",
        {
            "form": form,
            "result": result,
            "errors": result.errors[:ERRORS_SHOWN] if result else [],
            "new_orgs": result.organisations_to_create[:NEW_ORGS_SHOWN] if result else [],
            "org_kinds": OrgKind.choices,
        },
        status=status,
    )


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
            result = file_import(
                by=request.user,
                path=path,
                name=name,
                format=data["format"] or None,
                kind=data["kind"] or None,
                organisation=data["organisation"],
                dry_run=True,
                create_orgs=_creates_orgs(request.user),
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
                        "organisation": str(data["organisation"].pk)
                        if data["organisation"]
                        else "",
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
    organisations = _organisations(request.user)
    choices = _org_choices(request.POST)
    with hold_take(request, request.POST.get("run", "")) as held:
        if held is None:
            messages.error(request, _("The checked file is no longer held. Choose it again."))
            return redirect("web:upload")
        path, meta = held
        organisation = None
        if meta["organisation"] or not _creates_orgs(request.user):
            organisation = organisations.filter(pk=meta["organisation"] or None).first()
            if organisation is None:
                messages.error(request, _("You may no longer report for that organisation."))
                return redirect("web:upload")
        form = _form(request)
        try:
            result = file_import(
                by=request.user,
                path=path,
                name=meta["name"],
                format=meta["format"],
                kind=meta["kind"],
                organisation=organisation,
                dry_run=False,
                create_orgs=any(c["create"] for c in choices.values()),
                org_choices=choices,
            )
        except CorridorError as exc:
            form.add_error(None, str(exc))
            return _page(request, form, status=400)
    if result.ok:
        messages.success(
            request,
            _("Imported %(file)s: %(created)s new, %(changed)s changed, %(unchanged)s unchanged.")
            % {
                "file": result.file,
                "created": result.created,
                "changed": result.changed,
                "unchanged": result.unchanged,
            },
        )
    return _page(request, form, result)
