"""Reads of held rows (decision 0205): those a person may see, one row's cells and reasons,
and the townships an ambiguous place name could be. The filter agrees with
``exchange.access.held_rule`` (VIEW)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.core.errors import InvalidInput
from corridor.exchange.models import HeldRow, HeldStatus
from corridor.geo.queries import place_candidates
from corridor.geo.resolver import MATCHED, get_resolver
from corridor.orgs.models import Visibility

# A person finds a row by the first characters of its id, as geo review items.
ID_PREFIX = 8


def held_visible_to(user: Any, *, status: str | None = HeldStatus.HELD) -> QuerySet[HeldRow]:
    """The held rows ``user`` may see (None: the instance operator), oldest file first."""
    rows = HeldRow.objects.select_related("organisation", "run").order_by("created_at", "row")
    if status:
        rows = rows.filter(status=status)
    if user is None or policy.is_admin(user):
        return rows
    if not policy.is_active_user(user):
        return rows.none()
    allowed = Q(created_by_id=user.pk) | Q(organisation_id__in=policy.organisation_ids(user))
    if policy.is_coordinator(user):
        allowed |= Q(organisation__isnull=True) | ~Q(organisation__visibility=Visibility.ANONYMOUS)
    return rows.filter(allowed)


def held_find(user: Any, text: str) -> HeldRow:
    """A held row by its id or its first ID_PREFIX or more characters, among those ``user``
    may see; hidden and missing answer alike."""
    wanted = text.strip().lower()
    if len(wanted) < ID_PREFIX:
        raise InvalidInput(_("give at least %(n)s characters of the id") % {"n": ID_PREFIX})
    found = [
        pk
        for pk in HeldRow.objects.filter(
            pk__in=held_visible_to(user, status=None).values("pk")
        ).values_list("pk", flat=True)
        if str(pk).startswith(wanted)
    ]
    if len(found) != 1:
        raise InvalidInput(
            _("no held row %(id)s") % {"id": text}
            if not found
            else _("%(id)s is the start of several ids; give more of it") % {"id": text}
        )
    return held_visible_to(user, status=None).get(pk=found[0])


def held_cells(held: HeldRow) -> list[str]:
    """The row's cells, decrypted. To show them, go through ``services.held_view`` (audited);
    only the held package reads them directly (a test checks it)."""
    return list(json.loads(held.cells or "[]"))


def held_edits(held: HeldRow, posted: dict[int, str]) -> dict[str, str]:
    """Of the cells a form sent back ({position: value}), those the person changed, by
    column label: an untouched cell stays as the file gave it."""
    labels = held.table.get("labels", [])
    cells = held_cells(held)
    return {
        labels[at]: value
        for at, value in posted.items()
        if at < len(labels) and value != (cells[at] if at < len(cells) else "")
    }


@dataclass(frozen=True)
class Reason:
    column: str
    value: str
    reason: str


def held_reasons(held: HeldRow) -> list[Reason]:
    return [Reason(**r) for r in json.loads(held.reasons or "[]")]


def held_township_column(meta: dict[str, Any]) -> str:
    """The column a picked township goes to: the file's township p-code column, else one
    added for it (the p-code is then read before the name, as in any file)."""
    positions = meta["plan"].get("adm3_code")
    return meta["labels"][positions[0]] if positions else "adm3_code"


@dataclass(frozen=True)
class Township:
    pcode: str
    name_en: str
    name_my: str


def held_candidates(held: HeldRow) -> list[Township]:
    """The townships the row's township name could be, when it was not settled (ambiguous,
    or only resembling some): the person picks one among the suggestions every review list
    shows (``geo.queries.place_candidates``). Empty when the place is not at fault."""
    meta = held.table
    plan = meta.get("plan", {})
    if not plan.get("adm3_name"):
        return []
    labels = meta["labels"]
    place_labels = {labels[at] for name in ("adm3_name", "adm3_code") for at in plan.get(name, [])}
    if not any(r.column in place_labels for r in held_reasons(held)):
        return []
    cells = held_cells(held)

    def cell(name: str) -> str:
        at = (plan.get(name) or [None])[0]
        return cells[at].strip() if at is not None and at < len(cells) else ""

    name = cell("adm3_name")
    if not name:
        return []
    found = get_resolver().resolve(
        name, level=3, parent=cell("adm1_code") or cell("adm1_name") or None
    )
    if found.status == MATCHED and found.accepted:
        return []
    suggestions = place_candidates(name, level=3, resolution=found)
    return [
        Township(c["pcode"], c["name_en"], c["name_my"])
        for c in suggestions.candidates
        if c["level"] == 3
    ]
