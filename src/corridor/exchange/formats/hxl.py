"""HXL (Humanitarian Exchange Language): hashtag rows under or instead of the header row.

Reading: the hashtag row is looked for in the first rows (libhxl's own limit); each column is
parsed with libhxl (``hxl.model.Column``) and matched against the kind's fields with libhxl tag
patterns, so attributes may come in any order and carry extras (``#adm3 +code +v_pcode``).
Columns no field claims are reported and ignored. Writing: a title row saying what the file
is, a text header row, the hashtag row, then the rows, with risky text neutralised
(safety.neutralise). Internal files are records (``write``); sharing files are tables that
passed the disclosure gate (``write_table``, built by exchange/sharing.py).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from hxl.model import Column, TagPattern

from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.fields import FIELDS, Field
from corridor.exchange.safety import neutralise
from corridor.exchange.table import Table

NAME = "hxl"
# libhxl looks this far for the hashtag row (the first rows detection reads, too).
HEADER_SEARCH_ROWS = reading.HEAD_ROWS


def _parse_row(cells: list[str]) -> tuple[list[Column | None], list[str]] | None:
    """A row whose every non-empty cell starts with "#": its hashtags and its malformed cells.

    None for any other row. libhxl's ``Column.parse`` returns False (not None) for a cell that
    starts with "#" but is no hashtag ("# Q1 report", ``#country/en``); those are kept apart
    here so that no caller ever meets that False.
    """
    parsed: list[Column | None] = []
    malformed: list[str] = []
    for cell in cells:
        text = cell.strip()
        if not text:
            parsed.append(None)
            continue
        if not text.startswith("#"):
            return None
        column = Column.parse(text)
        if isinstance(column, Column):
            parsed.append(column)
        else:
            parsed.append(None)
            malformed.append(text)
    return parsed, malformed


def hashtag_columns(cells: list[str]) -> list[Column | None] | None:
    """The row parsed as hashtags, or None when it is not a well-formed hashtag row."""
    found = _parse_row(cells)
    if found is None or found[1] or not any(found[0]):
        return None
    return found[0]


def _is_tag_row(cells: list[str]) -> bool:
    """Whether a row is meant as the hashtag row: at least one valid hashtag, all cells "#"."""
    found = _parse_row(cells)
    return found is not None and any(found[0])


def _patterns(field: Field) -> list[tuple[TagPattern, int]]:
    specs = ([field.hashtag] if field.hashtag else []) + list(field.patterns)
    compiled = []
    for spec in specs:
        pattern = TagPattern.parse(spec)
        compiled.append((pattern, len(pattern.include_attributes)))
    return compiled


_COMPILED: dict[str, list[tuple[Field, list[tuple[TagPattern, int]]]]] = {
    kind: [(f, _patterns(f)) for f in fields if f.hashtag] for kind, fields in FIELDS.items()
}


def plan_columns(columns: list[Column | None], kind: str) -> tuple[dict[str, list[int]], list[int]]:
    """Field -> column positions, and the positions of hashtag columns no field takes."""
    plan: dict[str, list[int]] = {}
    unused: list[int] = []
    for at, column in enumerate(columns):
        if column is None:
            continue
        best: tuple[int, Field] | None = None
        for field, patterns in _COMPILED[kind]:
            for pattern, weight in patterns:
                if pattern.match(column) and (best is None or weight > best[0]):
                    best = (weight, field)
        if best is None:
            unused.append(at)
            continue
        field = best[1]
        if field.name in plan and not field.many:
            unused.append(at)  # a repeated column: the first one counts
            continue
        plan.setdefault(field.name, []).append(at)
    return plan, unused


def guess_kind(columns: list[Column | None]) -> str:
    tags = {c.tag for c in columns if c is not None}
    if "#event" in tags:
        return "incidents"
    if "#reached" in tags:
        return "activities"
    # Need by sector (#inneed with #sector) is a figure, not a 4W row.
    if "#affected" in tags or "#inneed" in tags:
        return "figures"
    if "#sector" in tags:
        return "activities"
    raise InvalidInput(_("cannot tell what the HXL table holds; give --kind"))


def find_hashtags(
    path: Path, name: str, rows: Iterator[tuple[int, list[str]]]
) -> tuple[list[Column | None], list[str], int]:
    """The hashtag row, the row above it (its text headers) and its number.

    A row of "#" cells none of which is a hashtag ("# Q1 report") is a title and is passed
    over; a hashtag row with a cell that is not a hashtag refuses the file naming the cell, as
    reading it would drop that column without a word.
    """
    previous: list[str] = []
    passed: tuple[int, str] | None = None
    for number, cells in rows:
        found = _parse_row(cells)
        if found is not None and any(found[0]):
            columns, malformed = found
            if malformed:
                raise InvalidInput(
                    _(
                        "%(file)s, row %(row)s: not HXL hashtags: %(cells)s (a hashtag is # "
                        "and a name, then +attributes, e.g. #country+name+i_en)"
                    )
                    % {"file": name, "row": number, "cells": ", ".join(map(repr, malformed))}
                )
            return columns, previous, number
        if found is not None and found[1] and passed is None:
            passed = (number, found[1][0])
        if number >= HEADER_SEARCH_ROWS:
            break
        previous = cells
    reason = _(
        "%(file)s: no HXL hashtag row in the first %(rows)s rows "
        "(a row of #hashtags such as #org, #adm3+code, #reached)"
    ) % {"file": name, "rows": HEADER_SEARCH_ROWS}
    if passed is not None:
        reason += "; " + _("row %(row)s starts with # but %(cell)s is not an HXL hashtag") % {
            "row": passed[0],
            "cell": repr(passed[1]),
        }
    raise InvalidInput(reason)


def has_hashtags(head: list[list[str]]) -> bool:
    """Whether these first rows of a sheet hold a hashtag row (well-formed or not)."""
    return any(_is_tag_row(cells) for cells in head[:HEADER_SEARCH_ROWS])


def has_hash_rows(head: list[list[str]]) -> bool:
    """Whether these first rows hold a row of "#" cells, even with no valid hashtag in it."""
    return any(_parse_row(cells) for cells in head[:HEADER_SEARCH_ROWS] if "".join(cells).strip())


def read(path: Path, *, name: str, kind: str | None, progress: Any = None) -> Table:
    name, source = reading.open_rows(
        path,
        name=name,
        progress=progress,
        fits=has_hashtags,
        wanted=_("an HXL hashtag row in its first %(rows)s rows") % {"rows": HEADER_SEARCH_ROWS},
    )
    columns, header, _row = find_hashtags(path, name, source)
    kind = kind or guess_kind(columns)
    plan, unused = plan_columns(columns, kind)
    labels = []
    for at, column in enumerate(columns):
        text = header[at].strip() if at < len(header) else ""
        tag = str(column) if column is not None else ""
        labels.append(f"{tag} ({text})" if tag and text else tag or text or f"column {at + 1}")
    ignored = [labels[at] for at in unused]
    ignored += [
        labels[at]
        for at in range(len(columns))
        if columns[at] is None and at < len(header) and header[at].strip()
    ]
    return Table(
        name=name, format=NAME, kind=kind, plan=plan, labels=labels, rows=source, ignored=ignored
    )


# -- writing -----------------------------------------------------------------------------


def export_fields(kind: str) -> list[Field]:
    return [f for f in FIELDS[kind] if f.hashtag and f.exported]


def write(
    out: Any, kind: str, records: Iterable[dict[str, Any]], *, title: str, many: int = 1
) -> int:
    """Write records (field name -> value; lists for repeated fields) as HXL CSV.

    ``title`` is a row of its own above the header row (what the file is, e.g. that it is
    internal); libhxl and our importer look for the hashtag row below it.
    """
    header: list[str] = []
    tags: list[str] = []
    layout: list[tuple[str, int]] = []
    for field in export_fields(kind):
        for at in range(many if field.many else 1):
            header.append(field.header if at == 0 else f"{field.header} {at + 1}")
            tags.append(field.hashtag or "")
            layout.append((field.name, at if field.many else -1))
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(title)])
    writer.writerow(header)
    writer.writerow(tags)
    written = 0
    for record in records:
        cells = []
        for name, at in layout:
            value = record.get(name)
            if at >= 0:
                value = value[at] if value and at < len(value) else None
            cells.append("" if value is None else neutralise(value))
        writer.writerow(cells)
        written += 1
    return written


def write_table(
    out: Any,
    columns: Iterable[tuple[str, str]],
    rows: Iterable[Iterable[Any]],
    *,
    title: str,
) -> int:
    """Write a table already made safe (header, hashtag, cells per row) as HXL CSV."""
    columns = list(columns)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(title)])
    writer.writerow([header for header, _ in columns])
    writer.writerow([tag for _, tag in columns])
    written = 0
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
        written += 1
    return written
