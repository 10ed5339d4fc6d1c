"""Turning a validated row into database values, one kind of table at a time.

- ``columns``: each ``Kind`` (a table's model, columns, conflict key, owner and links, and the
  named ``record`` a built row is) and the ``IMPORT_KINDS`` registry;
- ``choices``: our codes with the synonyms importers accept; ``acled_events``: ACLED's event
  types as ours;
- ``context``: what the builders share for one file, made of one collaborator per job
  (``cells``, ``places``, ``owners``, ``sources``, ``keys``);
- ``builders``: one builder per kind (activities, figures, incidents), ``batches``: the
  activities' batch path;
- here: ``BUILDERS``, the builder of each kind.
"""

from __future__ import annotations

from collections.abc import Callable

from corridor.exchange.kinds.builders import build_activity, build_figure, build_incident
from corridor.exchange.kinds.columns import IMPORT_KINDS, SOURCE_COLUMNS, Kind, Link
from corridor.exchange.kinds.context import NAMESPACE, Context
from corridor.exchange.table import Row

__all__ = [
    "BUILDERS",
    "IMPORT_KINDS",
    "NAMESPACE",
    "SOURCE_COLUMNS",
    "Context",
    "Kind",
    "Link",
]

BUILDERS: dict[str, Callable[[Row, Context], tuple | None]] = {
    "activities": build_activity,
    "figures": build_figure,
    "incidents": build_incident,
}
