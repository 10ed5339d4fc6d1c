"""Disclosure control: the one gate every public page, public API answer and aggregate export
passes through. Nothing here reads the database; callers fetch, this decides what may be shown.

- ``publish_table(counts, rows=..., columns=..., groups=..., cumulative=...)`` -> PublishedTable:
  counts below k suppressed (not zero), plus complementary suppression so that no suppressed
  figure can be narrowed to fewer than k values from the published ones (totals, state vs
  township, month vs running total).
- ``public_org_label(org)``, ``public_organisations(orgs)``: names, aliases, or only a count.
- ``public_endorsers(endorsers, order=..., previous=...)``: a joint statement's endorsers,
  grouped, the anonymous only counted; refused when one could be picked out (``endorsers.py``).
- ``public_place(unit)``: township p-code or coarser, never coordinates.
- ``public_date(d)``, ``public_week_start(d)``, ``public_month(d)``: ISO week or coarser.
- ``publication_cutoff(today)``, ``is_publishable(d, today)``, ``latest_public_month(today)``:
  nothing newer than the delay.
- ``public_record(mapping, today=...)``: one record stripped to its public fields, or None.
- ``shared_output(name, what=...)``, ``internal_output(name, role=..., what=...)``,
  ``reference_output(name, what=...)``: the marks every output carries (``outputs.py``); a
  shared output that skips the gate raises. ``SUPPRESSED`` / ``shown(value)`` and
  ``suppressed_legend()``: the one mark for a hidden figure and its explanation.

See docs/security/disclosure.md and decisions 0060-0063 and 0105.
"""

from corridor.disclosure.dates import (
    is_publishable,
    latest_public_month,
    month_is_publishable,
    public_date,
    public_month,
    public_week_start,
    publication_cutoff,
    publication_delay_days,
)
from corridor.disclosure.endorsers import (
    Endorser,
    PublicEndorsers,
    endorsers_of_snapshot,
    public_endorsers,
)
from corridor.disclosure.outputs import (
    INTERNAL,
    REFERENCE,
    REGISTER,
    SHARED,
    SUPPRESSED,
    Output,
    internal_output,
    output_of,
    reference_output,
    shared_output,
    shown,
    suppressed_legend,
)
from corridor.disclosure.records import (
    NOT_NAMED,
    PublicOrganisations,
    public_org_label,
    public_organisations,
    public_place,
    public_record,
)
from corridor.disclosure.tables import (
    MINIMUM_K,
    DisclosureError,
    Figure,
    PublishedTable,
    publish_table,
)

__all__ = [
    "INTERNAL",
    "MINIMUM_K",
    "NOT_NAMED",
    "REFERENCE",
    "REGISTER",
    "SHARED",
    "SUPPRESSED",
    "DisclosureError",
    "Endorser",
    "Figure",
    "Output",
    "PublicEndorsers",
    "PublicOrganisations",
    "PublishedTable",
    "endorsers_of_snapshot",
    "internal_output",
    "is_publishable",
    "latest_public_month",
    "month_is_publishable",
    "output_of",
    "public_date",
    "public_endorsers",
    "public_month",
    "public_org_label",
    "public_organisations",
    "public_place",
    "public_record",
    "public_week_start",
    "publication_cutoff",
    "publication_delay_days",
    "publish_table",
    "reference_output",
    "shared_output",
    "shown",
    "suppressed_legend",
]
