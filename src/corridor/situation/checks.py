"""The figure rules that read the database: a jump against the last figure (decision 0215);
and, for an import, the file's memory of its rows: a figure given twice in one file (0281).

``situation/rules.py`` decides (``figure_jump_problems``); this finds the figure each is
compared with — the one that counted the day before its date, by the one latest-figure rule
(decision 0177) — for one figure (the services) or a batch of imported rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from corridor.core.rules import InFile, Problem, in_file_earlier
from corridor.situation.models import DisplacementFigure
from corridor.situation.queries import latest_figures
from corridor.situation.rules import (
    FIGURE_NUMBERS,
    JUMP_COUNTS,
    figure_jump_problems,
    figure_key,
    figure_repeat_problems,
)


def figure_repeats(
    rows: Sequence[tuple[Any, Mapping[str, Any]]], *, numbers: Sequence[int], in_file: InFile
) -> list[list[Problem]]:
    """For each imported (id, values), the problem of repeating an earlier row of its file
    (``in_file``: the file's memory, kept by the pipeline between batches, updated here): the
    same row again, else the same township, date, source and sector with other numbers."""
    found = []
    for number, (pk, values) in zip(numbers, rows, strict=True):
        key = figure_key(values)
        whole = (*key, *(values.get(name) for name in FIGURE_NUMBERS))
        same, _ = in_file_earlier(in_file, ("row", *whole), number, str(pk))
        keyed, _ = in_file_earlier(in_file, ("key", *key), number, str(pk))
        if same is not None:
            found.append(figure_repeat_problems(same, same_numbers=True))
        else:
            found.append(figure_repeat_problems(keyed, same_numbers=False))
    return found


def figure_jumps(rows: Sequence[tuple[Any, Mapping[str, Any]]]) -> list[list[Problem]]:
    """For each (id, values) — ``admin_unit`` a p-code — the jumps against its township's
    last figure. A sector's row (people in need only) is not compared. One query per date
    in the rows, and one for the rows' stored counts."""
    counted = [
        (pk, values)
        for pk, values in rows
        if not values.get("sector") and values.get("as_of") and values.get("admin_unit")
    ]
    last: dict[tuple[str, dt.date], Mapping[str, Any]] = {}
    by_day: dict[dt.date, set[str]] = {}
    for _, values in counted:
        by_day.setdefault(values["as_of"], set()).add(str(values["admin_unit"]))
    for day, pcodes in by_day.items():
        figures = DisplacementFigure.objects.filter(admin_unit_id__in=pcodes)
        for pcode, ref in latest_figures(figures, day - dt.timedelta(days=1)).items():
            last[(pcode, day)] = {"as_of": ref.as_of, "idps": ref.idps, "refugees": ref.refugees}
    ids = [pk for pk, _ in counted if pk is not None]
    stored = (
        {
            str(pk): dict(zip(JUMP_COUNTS, counts, strict=True))
            for pk, *counts in DisplacementFigure.objects.filter(pk__in=ids).values_list(
                "id", *JUMP_COUNTS
            )
        }
        if ids
        else {}
    )
    found = []
    for pk, values in rows:
        place = (str(values.get("admin_unit")), values.get("as_of"))
        if values.get("sector") or place not in last:
            found.append([])
            continue
        own = stored.get(str(uuid.UUID(str(pk)))) if pk is not None else None
        found.append(figure_jump_problems(values, last[place], own))
    return found
