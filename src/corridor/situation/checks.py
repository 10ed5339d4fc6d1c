"""The figure rules that read the database: a jump against the last figure (decision 0215).

``situation/rules.py`` decides (``figure_jump_problems``); this finds the figure each is
compared with — the one that counted the day before its date, by the one latest-figure rule
(decision 0177) — for one figure (the services) or a batch of imported rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from corridor.core.rules import Problem
from corridor.situation.models import DisplacementFigure
from corridor.situation.queries import latest_figures
from corridor.situation.rules import JUMP_COUNTS, figure_jump_problems


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
