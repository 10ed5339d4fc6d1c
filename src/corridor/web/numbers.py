"""Numbers and months written the way the reader's language writes them.

Burmese readers expect Myanmar digits (၀–၉) and Burmese month names; the digits are
swapped here after grouping.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import get_language, pgettext_lazy

MYANMAR_DIGITS = str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")


def _burmese() -> bool:
    return (get_language() or "").startswith("my")


def digits(text: str) -> str:
    """The text with its digits in the active language's script."""
    return text.translate(MYANMAR_DIGITS) if _burmese() else text


def number(value: int | float | None, places: int = 0) -> str:
    """A grouped number (12,345) in the active language's digits; '–' when unknown."""
    if value is None:
        return "–"
    # Both interface languages group by thousands with a comma; Django ships no number
    # formats for "my", so the grouping is done here rather than by formats.number_format.
    text = f"{value:,.{places}f}"
    return text.translate(MYANMAR_DIGITS) if _burmese() else text


def percent(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    # Small but non-zero coverage must not read as "0%": that is the difference between
    # nobody reached and a few.
    places = 1 if 0 < ratio < 0.1 else 0
    return number(ratio * 100, places) + "%"


#: Month names, translated when shown (one lookup a label, not twelve).
_MONTHS = (
    pgettext_lazy("month", "January"),
    pgettext_lazy("month", "February"),
    pgettext_lazy("month", "March"),
    pgettext_lazy("month", "April"),
    pgettext_lazy("month", "May"),
    pgettext_lazy("month", "June"),
    pgettext_lazy("month", "July"),
    pgettext_lazy("month", "August"),
    pgettext_lazy("month", "September"),
    pgettext_lazy("month", "October"),
    pgettext_lazy("month", "November"),
    pgettext_lazy("month", "December"),
)


def month_label(day: dt.date | None) -> str:
    """'March 2024' / 'မတ် ၂၀၂၄'."""
    if day is None:
        return "–"
    year = str(day.year)
    if _burmese():
        year = year.translate(MYANMAR_DIGITS)
    return f"{_MONTHS[day.month - 1]} {year}"


def date_label(day: dt.date | None) -> str:
    """'15 March 2024' / '၁၅ မတ် ၂၀၂၄'."""
    if day is None:
        return "–"
    text = f"{day.day} {month_label(day)}"
    return text.translate(MYANMAR_DIGITS) if _burmese() else text
