"""A ledger file as people keep it: grants or transfers under their own headers, CSV or XLSX.

No header is fixed: the file is read through the mapping proposed for it (exchange/mapping:
title rows passed over, merged header rows joined, English and Burmese headers and other
tools' names such as "Amount (USD)" or "Date sent" matched), exactly as a 5W without hashtags
is read on the upload page. The rows then go through the pipeline's ledger kinds
(kinds/ledger.py, decision 0367).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.exchange.fields import LEDGER_KINDS
from corridor.exchange.mapping import apply as mapped
from corridor.exchange.mapping.propose import head, propose_rows
from corridor.exchange.mapping.spec import Mapping
from corridor.exchange.table import Table

NAME = "ledger"
# The two organisations a row is between, per kind: a file is of the kind whose two it names.
PARTIES = {"grants": ("donor", "recipient"), "transfers": ("from", "to")}


def _mapped(mapping: Mapping) -> int:
    return sum(1 for column in mapping.columns if column.field)


def propose_ledger(path: Path, *, name: str, kind: str | None = None) -> Mapping:
    """The mapping of a ledger file: of ``kind``, else of the kind whose two parties it names
    (the one that maps more columns if it names both)."""
    if kind is not None and kind not in LEDGER_KINDS:
        raise InvalidInput(
            _("a ledger file holds grants or transfers, not %(kind)s") % {"kind": kind}
        )
    rows = head(path, name=name)
    if not rows:
        raise InvalidInput(_("%(file)s: the file is empty") % {"file": name})
    found = []
    for candidate in [kind] if kind else list(LEDGER_KINDS):
        try:
            mapping = propose_rows(rows, candidate)
        except InvalidInput:
            continue
        plan = mapping.plan()
        if kind or all(plan.get(party) for party in PARTIES[candidate]):
            found.append(mapping)
    if not found:
        raise InvalidInput(
            _(
                "%(file)s: no ledger header found: a grants file names the donor and the "
                "recipient, a transfers file who sent (from) and who received (to) "
                "(docs/money.md, 'Importing a ledger')"
            )
            % {"file": name}
        )
    return max(found, key=_mapped)


def read(path: Path, *, name: str, kind: str | None, progress: Any = None) -> Table:
    table = mapped.read(
        path,
        name=name,
        kind=None,
        progress=progress,
        mapping=propose_ledger(path, name=name, kind=kind),
    )
    table.format = NAME
    return table
