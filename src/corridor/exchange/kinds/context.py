"""What the builders share for one file: one collaborator per job (decision 0255).

- ``cells`` (cells.py): dates, months, counts and coded choices;
- ``places`` (places.py): p-codes through the gazetteer's resolver, names to review;
- ``owners`` (owners.py): the organisation a row belongs to, and whether it may be filed;
- ``sources`` (sources.py): the sources a row cites;
- ``keys`` (keys.py): a record's stable id.

Each turns cells into values and records each problem on the row (``Row.error``), so one pass
reports all of a row's errors. The builders call them through the shortcuts below.
"""

from __future__ import annotations

import uuid
from typing import Any

from corridor.core.rules import today
from corridor.exchange.kinds.cells import Cells
from corridor.exchange.kinds.columns import IMPORT_KINDS
from corridor.exchange.kinds.keys import NAMESPACE, StableKeys
from corridor.exchange.kinds.owners import Owners
from corridor.exchange.kinds.places import Places
from corridor.exchange.kinds.sources import Sources
from corridor.exchange.table import Row
from corridor.orgs.models import Organisation

__all__ = ["NAMESPACE", "Context"]


class Context:
    """What the builders share for one file: its cells, places, owners, sources and keys."""

    def __init__(
        self,
        *,
        by: Any,
        organisation: Organisation | None,
        kind: str,
        id_prefix: str = "",
        dry_run: bool = False,
        key_at: tuple[int, ...] = (),
        create_orgs: bool = False,
        org_choices: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.by = by
        self.organisation = organisation
        self.kind = kind
        # The record rules' clock, read once for the whole file.
        self.today = today()
        self.cells = Cells()
        self.places = Places(dry_run=dry_run)
        self.owners = Owners(
            by=by,
            organisation=organisation,
            kind=IMPORT_KINDS[kind],
            create_orgs=create_orgs,
            org_choices=org_choices,
        )
        self.sources = Sources()
        self.keys = StableKeys(kind, id_prefix, key_at)
        self.resolver = self.places.resolver
        # The builders' shortcuts (bound once: they are called for every row).
        self.date = self.cells.date
        self.month = self.cells.month
        self.count = self.cells.count
        self.choice = self.cells.choice
        self.place = self.places.place
        self.org = self.owners.org
        self.source_ids = self.sources.source_ids

    def stable_id(self, row: Row, content: str, scope: str = "") -> uuid.UUID:
        """The record id: the file's own id, else the declared key's cells, else ``content``
        (``keys.content_of`` the row's stored values; kinds/keys.py)."""
        return uuid.UUID(hex=self.keys(row.get("id"), content, scope, row.cells))
