"""Reading one cell as a number, a date, a month or a code, with a reason when it cannot.

Parsers raise ``CellError`` with a message a person can act on; the pipeline adds the file,
row and column. Myanmar digits (၀-၉) are read as digits because Burmese forms use them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from corridor.exchange.safety import restore
from corridor.geo.names import has_burmese, to_unicode

_MYANMAR_DIGITS = str.maketrans("၀၁၂၃၄၅၆၇၈၉", "0123456789")
_GROUPING = re.compile(r"(?<=\d)[,\u00a0\u202f ](?=\d{3}\b)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$")
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_WORDY_DATE = re.compile(r"^(\d{1,2})[ -]([A-Za-z]+)[ -,]*(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WORDY_MONTH = re.compile(r"^([A-Za-z]+)[ -](\d{4})$")

# Dates outside this window are almost certainly typing mistakes (e.g. 2204 for 2024). The
# dates of records are read without it: their window is a rule (corridor.core.rules), worded
# the same at every entry point.
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
# Digits a count may have at all; whether it is a possible number of people is a record rule
# (corridor.core.rules.TOWNSHIP_CEILING), worded the same at every entry point.
MAX_DIGITS = 15


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason."""


def text(value: str) -> str:
    """Cell text as stored: trimmed, apostrophe-quoting undone, Zawgyi converted to Unicode."""
    value = restore(value.strip())
    if has_burmese(value):
        value = to_unicode(value)
    return value


def count(value: str) -> int:
    raw = value.strip().translate(_MYANMAR_DIGITS)
    cleaned = _GROUPING.sub("", raw)
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not cleaned.isdigit():
        if cleaned.lstrip("-").isdigit():
            raise CellError(_("must be 0 or more, not %(value)s") % {"value": raw})
        raise CellError(_("not a whole number: %(value)s") % {"value": repr(raw)})
    if len(cleaned) > MAX_DIGITS:
        raise CellError(_("not a count of people: %(value)s") % {"value": repr(raw)})
    return int(cleaned)


def decimal(value: str, *, signed: bool = False) -> Decimal:
    """A decimal number; ``signed`` reads a negative one too, for a caller whose record rules
    say in their own words why it is refused (the ledger's amounts: funds/rules.py)."""
    raw = value.strip().translate(_MYANMAR_DIGITS)
    try:
        number = Decimal(_GROUPING.sub("", raw))
    except InvalidOperation:
        raise CellError(_("not a number: %(value)s") % {"value": repr(raw)}) from None
    if not number.is_finite():
        raise CellError(_("not a number: %(value)s") % {"value": repr(raw)})
    if number < 0 and not signed:
        raise CellError(_("must be 0 or more, not %(value)s") % {"value": raw})
    return number


def coordinate(value: str) -> float:
    raw = value.strip().translate(_MYANMAR_DIGITS)
    try:
        return float(raw)
    except ValueError:
        raise CellError(_("not a coordinate: %(value)s") % {"value": repr(raw)}) from None


def _checked(year: int, month: int, day: int, raw: str, window: bool) -> dt.date:
    try:
        result = dt.date(year, month, day)
    except ValueError:
        raise CellError(_("no such date: %(value)s") % {"value": repr(raw)}) from None
    if window and not EARLIEST <= result <= LATEST:
        raise CellError(
            _("date %(date)s is outside %(first)s-%(last)s")
            % {"date": result, "first": EARLIEST.year, "last": LATEST.year}
        )
    return result


def date(value: str, *, window: bool = True) -> dt.date:
    """ISO (2024-03-10), 2024/03/10, day-first 10/03/2024, or 10 March 2024.

    ``window=False`` for a record's own dates, which the record rules bound.
    """
    raw = value.strip().translate(_MYANMAR_DIGITS)
    for pattern in (_ISO_DATE, _SLASH_DATE):
        match = pattern.match(raw)
        if match:
            return _checked(int(match[1]), int(match[2]), int(match[3]), raw, window)
    match = _DAY_FIRST.match(raw)
    if match:
        return _checked(int(match[3]), int(match[2]), int(match[1]), raw, window)
    match = _WORDY_DATE.match(raw)
    if match and match[2].lower() in _MONTHS:
        return _checked(int(match[3]), _MONTHS[match[2].lower()], int(match[1]), raw, window)
    raise CellError(_("not a date: %(value)s (write YYYY-MM-DD)") % {"value": repr(raw)})


def month(value: str, *, window: bool = True) -> dt.date:
    """A reporting month as its first day: 2024-03, March 2024, or any date in the month."""
    raw = value.strip().translate(_MYANMAR_DIGITS)
    match = _ISO_MONTH.match(raw)
    if match:
        if not 1 <= int(match[2]) <= 12:
            raise CellError(_("no such month: %(value)s") % {"value": repr(raw)})
        return _checked(int(match[1]), int(match[2]), 1, raw, window)
    match = _WORDY_MONTH.match(raw)
    if match and match[1].lower() in _MONTHS:
        return _checked(int(match[2]), _MONTHS[match[1].lower()], 1, raw, window)
    try:
        return date(raw, window=window).replace(day=1)
    except CellError:
        raise CellError(
            _("not a month: %(value)s (write YYYY-MM)") % {"value": repr(raw)}
        ) from None


def record_id(value: str) -> uuid.UUID | None:
    """A record UUID written by an export, or None for any other identifier."""
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def code_key(value: str) -> str:
    """Comparable form of a code or label: 'Food Security' == 'food_security' == 'FOOD-SECURITY'."""
    return re.sub(r"[^0-9a-z\u1000-\u109f]+", "", value.lower())


class Choices:
    """Codes of one of our enums, accepted as code, English label, Burmese label or synonym."""

    def __init__(
        self, name: Any, choices: type[models.Choices], synonyms: dict[str, str] | None = None
    ) -> None:
        # ``name`` is what a person calls the field ("sector"), translated when shown.
        self.name = name
        self.lookup: dict[str, str] = {}
        for code, label in choices.choices:
            self.lookup[code_key(code)] = code
            self.lookup[code_key(str(label))] = code
            with translation.override("my"):
                self.lookup.setdefault(code_key(str(label)), code)
        for word, code in (synonyms or {}).items():
            self.lookup[code_key(word)] = code
        self.codes = [code for code, _ in choices.choices]

    def __call__(self, value: str) -> str:
        found = self.lookup.get(code_key(value))
        if found is None:
            raise CellError(
                _("unknown %(field)s %(value)s; use one of %(codes)s")
                % {"field": self.name, "value": repr(value.strip()), "codes": ", ".join(self.codes)}
            )
        return found
