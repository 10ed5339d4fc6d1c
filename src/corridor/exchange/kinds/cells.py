"""Cells read as values for one file: dates, months, counts and coded choices.

Each reader records a problem on the row (``Row.error``) and goes on, so one pass reports all
of a row's errors; a file repeats its dates and months, so each distinct text is read once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext as _

from corridor.exchange import values
from corridor.exchange.table import Row


class Cells:
    """Reads a row's cells as values; the dates and months of one file, each once."""

    def __init__(self) -> None:
        self._dates: dict[str, dt.date] = {}
        self._months: dict[str, dt.date] = {}

    def date(self, row: Row, name: str, *, required: bool = False) -> dt.date | None:
        raw = row.get(name)
        if not raw:
            if required:
                row.error(name, _("a date is required"))
            return None
        return _read_once(row, name, raw, self._dates, values.date)

    def month(self, row: Row, name: str) -> dt.date | None:
        raw = row.get(name)
        return _read_once(row, name, raw, self._months, values.month) if raw else None

    @staticmethod
    def count(row: Row, name: str, *, default: int | None = 0) -> int | None:
        raw = row.get(name)
        if not raw:
            return default
        if raw.isdigit() and len(raw) < 8:
            return int(raw)
        try:
            return values.count(raw)
        except values.CellError as exc:
            row.error(name, str(exc), raw)
            return default

    @staticmethod
    def choice(row: Row, name: str, choices: values.Choices, default: str | None = None) -> str:
        raw = row.get(name)
        if not raw:
            if default is None:
                row.error(name, _("a %(field)s is required") % {"field": choices.name})
                return ""
            return default
        try:
            return choices(raw)
        except values.CellError as exc:
            row.error(name, str(exc), raw)
            return ""


def _read_once(
    row: Row,
    name: str,
    raw: str,
    cache: dict[str, dt.date],
    read: Callable[..., dt.date],
) -> dt.date | None:
    """``read`` of a cell text, kept for the file's next cell of the same text."""
    found = cache.get(raw)
    if found is None:
        try:
            found = read(raw, window=False)
        except values.CellError as exc:
            row.error(name, str(exc), raw)
            return None
        cache[raw] = found
    return found
