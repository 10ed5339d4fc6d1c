"""The review list of rows a partial import held (decision 0205): each row with its reasons;
fix a value, pick the township among the candidates, or drop the row. A fixed row is applied
at once through the import pipeline (exchange.held.services), as `corridor held fix` does.
Each page shown is one audited view of the rows on it (``held_view``, decision 0245).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.errors import CorridorError
from corridor.exchange.held.queries import held_edits, held_visible_to
from corridor.exchange.held.services import held_drop, held_fix, held_view

# Rows one page shows; the CLI lists them all.
SHOWN = 200


def _entry(view: Any) -> dict[str, Any]:
    labels, cells = view.labels, view.cells
    fields = []
    for reason in view.reasons:
        at = labels.index(reason.column) if reason.column in labels else None
        fields.append(
            {
                "reason": reason.reason,
                "column": reason.column,
                "at": at,
                "value": cells[at] if at is not None and at < len(cells) else reason.value,
            }
        )
    return {"held": view.held, "problems": fields, "townships": view.townships}


@login_required
def held_page(request: Any) -> HttpResponse:
    rows = held_visible_to(request.user)
    total = rows.count()
    views = held_view(by=request.user, rows=rows[:SHOWN], where="web")
    return render(
        request,
        "web/held.html",
        {"entries": [_entry(v) for v in views], "total": total, "shown": SHOWN},
    )


def _held(request: Any, pk: Any) -> Any:
    found = held_visible_to(request.user, status=None).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def held_fix_page(request: Any, pk: Any) -> HttpResponse:
    held = _held(request, pk)
    posted = {
        at: request.POST[f"cell-{at}"].strip()
        for at in range(len(held.table.get("labels", [])))
        if f"cell-{at}" in request.POST
    }
    values = held_edits(held, posted)
    township = request.POST.get("township", "").strip()
    try:
        result = held_fix(by=request.user, held=held, values=values, township=township)
    except CorridorError as exc:
        messages.error(request, str(exc))
        return redirect("web:held")
    where = {"file": held.file_name, "row": held.row}
    if result.ok:
        messages.success(request, _("%(file)s, row %(row)s: fixed and imported.") % where)
    else:
        reasons = "; ".join(e.reason for e in result.errors[:3])
        messages.error(
            request,
            _("%(file)s, row %(row)s is still held: %(reasons)s") % {**where, "reasons": reasons},
        )
    return redirect("web:held")


@login_required
@require_POST
def held_drop_page(request: Any, pk: Any) -> HttpResponse:
    held = _held(request, pk)
    try:
        held_drop(by=request.user, held=held, reason=request.POST.get("reason", ""))
    except CorridorError as exc:
        messages.error(request, str(exc))
        return redirect("web:held")
    messages.success(
        request,
        _("%(file)s, row %(row)s dropped: it is not imported.")
        % {"file": held.file_name, "row": held.row},
    )
    return redirect("web:held")
