"""The rollup places an import's rows left and reached (decision 0370).

The monthly reach rollups (decision 0225) are kept per (month, township). An import used to
recompute every place where any organisation named in the file had a row, which for a
coalition-wide monthly file on a ten-year hub was ten years of rollups. It now recomputes
only the places of the rows it wrote: for each row the writer sends (new or changed; the
unchanged ones are left out before sending), where the row is now and, when it was stored
already, where it was; and the places of the records it removed or restored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from corridor.aid.services import rollup_places, rollups_refresh
from corridor.exchange.kinds.columns import Kind
from corridor.exchange.writer import Upsert

Place = tuple[dt.date | None, str]


def _month(value: Any) -> dt.date | None:
    # SQLite hands stored dates back as text; built rows and PostgreSQL as dates.
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class ReachPlaces:
    """Collects the (month, township) places an import moved rows in or out of."""

    def __init__(self, spec: Kind) -> None:
        self.enabled = spec.rollups
        self.places: set[Place] = set()
        if self.enabled:
            self._month_at = spec.columns.index("reporting_month")
            self._place_at = spec.columns.index("admin_unit_id")

    def watch(self, upsert: Upsert, stored: Any) -> None:
        """Learn from ``upsert`` the rows it sends; ``stored()`` gives the batch's stored values
        (the writer's ``stored``: key -> ``upsert.compared`` values) when the batch is sent."""
        if not self.enabled:
            return
        before_month = upsert.compared.index("reporting_month")
        before_place = upsert.compared.index("admin_unit_id")
        month_at, place_at = self._month_at, self._place_at
        places = self.places

        def sent(rows: Sequence[Sequence[Any]]) -> None:
            # Each distinct (month, township) of the batch once: a batch repeats a few.
            now = set(map(itemgetter(month_at, place_at), rows))
            places.update((_month(month), place) for month, place in now)
            found = stored()
            if not found:  # none of the rows was stored before (a first import)
                return
            keys = upsert.keys(row[0] for row in rows)
            for key in keys:
                before = found.get(key)
                if before is not None:
                    places.add((_month(before[before_month]), before[before_place]))

        upsert.on_sent = sent

    def add_records(self, pks: Iterable[Any]) -> None:
        """The places of stored records (removed ones too): those an import removes or
        restores; the place of a record does not change when it is removed."""
        if self.enabled:
            self.places |= rollup_places(pks)

    def refresh(self) -> None:
        if self.enabled and self.places:
            rollups_refresh(self.places)
