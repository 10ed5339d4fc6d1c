"""A mapping: which of a file's columns holds which Corridor field, and how its values read.

The JSON form (``to_json``/``from_json``) is what ``corridor maps export`` writes and
``--map FILE`` reads back, so a person can edit it: columns are named by their header text
(with their position as a fallback), values by what the file says. A mapping never edits the
file; apply.py reads the file through it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.exchange.fields import FIELDS
from corridor.exchange.kinds.choices import CHANNELS, INCIDENT_TYPES, MODALITIES, SECTORS, STATUSES
from corridor.exchange.mapping.vocabulary import COUNTS, REACH, normalise
from corridor.exchange.values import Choices

FORMAT_VERSION = 1
# Fields whose values are recoded to our codes, per kind.
CHOICES: dict[str, dict[str, Choices]] = {
    "activities": {
        "sector": SECTORS,
        "modality": MODALITIES,
        "status": STATUSES,
        "channel": CHANNELS,
    },
    "figures": {},
    "incidents": {"incident_type": INCIDENT_TYPES},
    # The ledger's channel and reporting words are read by its own rows (kinds/ledger.py).
    "grants": {},
    "transfers": {},
}
# Fields several columns may add up into (age/sex groups).
SUMMED = frozenset(REACH.values()) | {"households"}


@dataclass
class Column:
    at: int  # position in the file, from 0
    header: str  # the file's own header text (merged header rows joined)
    field: str | None
    confidence: float = 1.0
    reason: str = ""


@dataclass
class Mapping:
    kind: str
    header_rows: list[int]  # the rows (as the file numbers them) that hold the headers
    columns: list[Column]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    round_counts: bool = False
    name: str = ""
    # What the proposal could not settle (shown, never saved).
    unmapped_values: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def signature(self) -> str:
        return signature(self.headers)

    def plan(self) -> dict[str, list[int]]:
        """Field -> the positions of the columns that hold it, in file order."""
        plan: dict[str, list[int]] = {}
        for column in self.columns:
            if column.field:
                plan.setdefault(column.field, []).append(column.at)
        return plan

    def to_json(self) -> dict[str, Any]:
        return {
            "corridor_mapping": FORMAT_VERSION,
            "name": self.name,
            "kind": self.kind,
            "header_rows": self.header_rows,
            "columns": [
                {
                    "column": c.header,
                    "at": c.at + 1,
                    "field": c.field,
                    **({"confidence": round(c.confidence, 2)} if c.field else {}),
                    **({"reason": c.reason} if c.reason else {}),
                }
                for c in self.columns
            ],
            "values": self.values,
            "round_counts": self.round_counts,
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str) -> Mapping:
        """A mapping as a person wrote or edited it; refused naming what is wrong."""

        def refuse(reason: str) -> InvalidInput:
            return InvalidInput(f"{source}: {reason}")

        if not isinstance(data, dict) or data.get("corridor_mapping") != FORMAT_VERSION:
            raise refuse(_('not a Corridor mapping (no "corridor_mapping": 1)'))
        kind = data.get("kind")
        if kind not in FIELDS:
            raise refuse(
                _("unknown kind %(kind)r; use one of %(kinds)s")
                % {
                    "kind": kind,
                    "kinds": ", ".join(FIELDS),
                }
            )
        rows = data.get("header_rows")
        if not (
            isinstance(rows, list) and rows and all(isinstance(n, int) and n > 0 for n in rows)
        ):
            raise refuse(_("header_rows must list the row numbers of the header, e.g. [1]"))
        known = {f.name for f in FIELDS[kind]}
        columns = []
        for n, entry in enumerate(data.get("columns") or [], start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("column", ""), str):
                raise refuse(
                    _('column entry %(n)s is not {"column": ..., "field": ...}') % {"n": n}
                )
            name = entry.get("field") or None
            if name is not None and name not in known:
                raise refuse(
                    _(
                        "column %(column)r: unknown field %(field)r for %(kind)s; "
                        "use one of %(fields)s"
                    )
                    % {
                        "column": entry.get("column", ""),
                        "field": name,
                        "kind": kind,
                        "fields": ", ".join(sorted(known)),
                    }
                )
            at = entry.get("at", n)
            if not isinstance(at, int) or at < 1:
                raise refuse(
                    _('column %(column)r: "at" must be its position from 1')
                    % {"column": entry.get("column", "")}
                )
            columns.append(
                Column(
                    at=at - 1,
                    header=entry.get("column", ""),
                    field=name,
                    confidence=float(entry.get("confidence", 1.0)),
                    reason=str(entry.get("reason", "")),
                )
            )
        if not any(c.field for c in columns):
            raise refuse(_("no column is mapped to a field"))
        values = data.get("values") or {}
        choices = CHOICES[kind]
        if not isinstance(values, dict):
            raise refuse(_('"values" must be {field: {value in the file: code}}'))
        for name, table in values.items():
            if name not in choices or not isinstance(table, dict):
                raise refuse(
                    _("values: %(field)r has no codes to map to (use one of %(fields)s)")
                    % {
                        "field": name,
                        "fields": ", ".join(choices) or "none",
                    }
                )
            for raw, code in table.items():
                if code not in choices[name].codes and code != "":
                    raise refuse(
                        _(
                            "values of %(field)s: %(raw)r -> unknown code %(code)r; "
                            "use one of %(codes)s"
                        )
                        % {
                            "field": name,
                            "raw": raw,
                            "code": code,
                            "codes": ", ".join(choices[name].codes),
                        }
                    )
        mapping = cls(
            kind=kind,
            header_rows=rows,
            columns=columns,
            values={k: dict(v) for k, v in values.items()},
            round_counts=bool(data.get("round_counts", False)),
            name=str(data.get("name") or ""),
        )
        mapping.check()
        return mapping

    def check(self) -> None:
        """Refuse a field given to several columns unless they add up (age/sex groups)."""
        known = {f.name: f for f in FIELDS[self.kind]}
        for name, positions in self.plan().items():
            if len(positions) > 1 and name not in SUMMED and not known[name].many:
                headers = [c.header for c in self.columns if c.field == name]
                raise InvalidInput(
                    _("%(field)s is given to several columns (%(columns)s); keep one")
                    % {"field": name, "columns": ", ".join(map(repr, headers))}
                )

    def describe(self) -> list[str]:
        """The mapping as lines a person reads (CLI ``--map auto`` and ``maps show``)."""
        lines = [f"kind: {self.kind}; header row(s): {', '.join(map(str, self.header_rows))}"]
        plan = self.plan()
        for c in self.columns:
            if not c.header and not c.field:
                continue
            if c.field:
                summed = len(plan[c.field]) > 1
                into = f"{c.field} (added up)" if summed else c.field
                line = f"  {c.header!r} -> {into}  [{c.confidence:.0%}]"
            else:
                line = f"  {c.header!r} -> not mapped"
            if c.reason:
                line += f"  {c.reason}"
            lines.append(line)
        for name, table in self.values.items():
            for raw, code in table.items():
                lines.append(f"  value of {name}: {raw!r} -> {code or '(empty)'}")
        for name, raws in self.unmapped_values.items():
            lines.append(
                f"  values of {name} with no code: {', '.join(map(repr, raws))} (add them under "
                '"values" in an exported mapping, or fix the file)'
            )
        if self.round_counts:
            lines.append("  counts with fractions are rounded (half up)")
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines


def signature(headers: list[str]) -> str:
    """The shape of a file: its normalised header cells, as a SHA-256."""
    text = "\x1f".join(normalise(h) for h in headers).rstrip("\x1f")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_count(name: str | None) -> bool:
    return name in COUNTS
