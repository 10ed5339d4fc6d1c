"""Reads of saved mappings: by name, all of them, and the one made for a file's header."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.mapping.apply import fits
from corridor.exchange.mapping.propose import file_headers
from corridor.exchange.mapping.spec import Mapping, signature
from corridor.exchange.models import SavedMapping


def saved_mappings_visible_to(user: Any) -> QuerySet[SavedMapping]:
    """Every saved mapping, for anyone who reads Corridor's data (and the CLI operator).

    Mappings hold headers and codes, never records, so they are shared like the gazetteer.
    """
    if user is None or policy.can(user, policy.VIEW):
        return SavedMapping.objects.all()
    return SavedMapping.objects.none()


def mapping_of(saved: SavedMapping) -> Mapping:
    return Mapping.from_json(saved.spec, source=_("saved mapping %(name)r") % {"name": saved.name})


def saved_mapping_named(name: str, *, by: Any) -> Mapping:
    saved = saved_mappings_visible_to(by).filter(name=" ".join(name.split())).first()
    if saved is None:
        raise InvalidInput(
            _("no saved mapping %(name)r (see `corridor maps list`)") % {"name": name}
        )
    return mapping_of(saved)


def _heads(path: Path, name: str) -> list[list[list[str]]]:
    if reading.is_workbook(path):
        return [rows for _title, rows in reading.sheet_heads(path, name=name)]
    source = reading.csv_rows(path, name=name)
    try:
        return [[cells for _n, cells in islice(source, reading.HEAD_ROWS)]]
    finally:
        close = getattr(source, "close", None)  # a generator: closes the file it reads
        if close:
            close()


def _shapes(head: list[list[str]]) -> set[str]:
    """Signatures of every header this sheet could have: one row, or it and the one or two after."""
    found = set()
    for at in range(len(head)):
        for depth in (1, 2, 3):
            if at + depth <= len(head):
                found.add(signature(file_headers(head[at : at + depth])))
    return found


def saved_mapping_for_file(path: Path, *, name: str, by: Any) -> Mapping | None:
    """The saved mapping made for a file with this file's header, or None."""
    heads = _heads(path, name)
    shapes = set().union(*(_shapes(head) for head in heads))
    for saved in saved_mappings_visible_to(by).filter(signature__in=shapes).order_by("name"):
        mapping = mapping_of(saved)
        if any(fits(head, mapping) for head in heads):
            return mapping
    return None
