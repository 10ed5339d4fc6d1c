"""Importing a ledger: grants or transfers from a CSV or XLSX file, all or nothing per file.

Read with the exchange pipeline's reader (``exchange.reading``: encodings, delimiters, zipped
tables, workbooks and their sheets) and its cell parsers (``exchange.values``); written row by
row through the ledger's own services (``grant_record``, ``transfer_record``), so each row is
asked of the access policy, audited, and gets its legs' states by the same rule as a form: the
importer's own side confirmed, the other side's only claimed (decision 0236). The 4W pipeline's
bulk writer is not used: it would bypass that rule (decision 0269).

A file holds one kind, told by its header: ``donor`` and ``recipient`` make a grants file,
``from`` and ``to`` a transfers file. Every error names the file, the row and the column; one
error refuses the whole file. A cell is only read here (a date, a number, a code); whether its
value is allowed is asked of the ledger's rules (``funds.rules``) before anything is written, so a
row is refused in the words the form and the API use (decision 0280).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Q

from corridor.core.errors import InvalidInput
from corridor.core.rows import write_rows
from corridor.core.rules import Problem
from corridor.exchange import reading, values
from corridor.funds.models import Grant, ReportingRule, TransferChannel
from corridor.funds.queries import grants_visible_to
from corridor.funds.rules import grant_problems, transfer_problems
from corridor.funds.services import grant_record, transfer_record
from corridor.orgs.queries import organisation_find_visible

GRANTS = "grants"
TRANSFERS = "transfers"
MAX_ROWS = 100_000

# Header (normalised: lower case, spaces and hyphens as underscores) -> field.
ALIASES = {
    "from_organisation": "from", "sender": "from", "sent_by": "from",
    "to_organisation": "to", "receiver": "to", "received_by": "to",
    "sent_amount": "amount", "sent_currency": "currency", "date": "sent_on", "sent": "sent_on",
    "date_sent": "sent_on", "date_received": "received_on", "exchange_rate": "rate",
    "agent": "intermediary", "carrier": "intermediary", "grant_id": "grant",
    "grant_title": "grant", "pledged": "pledged_on", "start": "starts_on", "end": "ends_on",
    "sector": "sectors",
}  # fmt: skip
COLUMNS = {
    GRANTS: ("donor", "recipient", "title", "amount", "currency", "pledged_on", "starts_on",
             "ends_on", "purpose", "sectors", "reporting"),
    TRANSFERS: ("from", "to", "amount", "currency", "sent_on", "channel", "fee", "rate",
                "received_amount", "received_currency", "received_on", "grant", "reference",
                "intermediary"),
}  # fmt: skip
REQUIRED = {
    GRANTS: ("donor", "recipient", "title", "amount", "currency", "pledged_on", "starts_on"),
    TRANSFERS: ("from", "to", "amount", "currency", "sent_on", "channel"),
}
# Words people write for a channel -> our code (besides the codes and their labels).
CHANNEL_WORDS = {
    "hundi": TransferChannel.INFORMAL, "hawala": TransferChannel.INFORMAL,
    "informal": TransferChannel.INFORMAL, "cash": TransferChannel.CASH_CARRIED,
    "carried": TransferChannel.CASH_CARRIED, "mobile": TransferChannel.MOBILE_MONEY,
    "wave": TransferChannel.MOBILE_MONEY, "kbzpay": TransferChannel.MOBILE_MONEY,
    "remittance": TransferChannel.LICENSED_REMITTANCE, "wire": TransferChannel.BANK,
    "swift": TransferChannel.BANK, "crypto": TransferChannel.CRYPTO,
    "usdt": TransferChannel.CRYPTO,
}  # fmt: skip


@dataclass
class LedgerImport:
    file: str
    kind: str = ""
    rows: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_key(cell: str) -> str:
    key = cell.strip().lower().replace(" ", "_").replace("-", "_").lstrip("#")
    return ALIASES.get(key, key)


def _kind(header: list[str]) -> str | None:
    keys = {_header_key(c) for c in header}
    if {"donor", "recipient"} <= keys:
        return GRANTS
    if {"from", "to"} <= keys:
        return TRANSFERS
    return None


class _Row:
    """One row's cells by field, collecting errors that name the file, row and column."""

    def __init__(self, where: str, cells: dict[str, tuple[str, str]]) -> None:
        self.where = where
        self.cells = cells  # field -> (header as written, value)
        self.errors: list[str] = []
        self.failed: set[str] = set()  # fields that could not be read

    def raw(self, name: str) -> str:
        return self.cells.get(name, ("", ""))[1].strip()

    def fail(self, name: str, message: str) -> None:
        self.failed.add(name)
        column = self.cells.get(name, (name, ""))[0] or name
        self.errors.append(f"{self.where}, column {column}: {message}")

    def parse(self, name: str, parser: Any, *, required: bool = False) -> Any:
        text = self.raw(name)
        if not text:
            if required:
                self.fail(name, "is empty")
            return None
        try:
            return parser(text)
        except (values.CellError, InvalidInput, ValueError, ArithmeticError) as error:
            self.fail(name, str(error) or f"{text!r} is not valid here")
            return None


def _day(text: str) -> dt.date:
    return values.date(text)


def _record_day(text: str) -> dt.date:
    """A date the ledger's rules bound (sent, received, pledged): read, not judged here."""
    return values.date(text, window=False)


def _currency(text: str) -> str:
    """As typed, in capitals; whether Corridor knows it is the rules' word."""
    return text.strip().upper()


def _amount(text: str) -> Decimal:
    # Reads 1,500.00 and Burmese digits; a negative amount is read, and refused by the rules.
    return values.decimal(text, signed=True)


def _channel(text: str) -> str:
    wanted = values.code_key(text)
    for code, label in TransferChannel.choices:
        if wanted in (values.code_key(code), values.code_key(str(label))):
            return code
    for word, code in CHANNEL_WORDS.items():
        if word in wanted:
            return code
    raise InvalidInput(f"{text!r} is not a channel; use one of {', '.join(TransferChannel.values)}")


def _reporting(text: str) -> str:
    wanted = values.code_key(text)
    for code, label in ReportingRule.choices:
        if wanted in (values.code_key(code), values.code_key(str(label))):
            return code
    raise InvalidInput(f"{text!r} is not one of {', '.join(ReportingRule.values)}")


class _Lookups:
    """Organisations and grants named in the file, each looked up once, as ``by`` may name
    them (a hidden one answers exactly as one that does not exist)."""

    def __init__(self, by: Any) -> None:
        self.by = by
        self.orgs: dict[str, Any] = {}
        self.grants: dict[str, Grant] = {}

    def organisation(self, text: str) -> Any:
        key = text.strip().casefold()
        if key not in self.orgs:
            self.orgs[key] = organisation_find_visible(self.by, text)
        return self.orgs[key]

    def grant(self, text: str) -> Grant:
        key = text.strip()
        if key not in self.grants:
            visible = Grant.objects.all() if self.by is None else grants_visible_to(self.by)
            record_id = values.record_id(key) if len(key) == 36 else None
            found = list(visible.filter(Q(pk=record_id) if record_id else Q(title__iexact=key))[:2])
            if not found:
                raise InvalidInput(f"no grant {key!r}")
            if len(found) > 1:
                raise InvalidInput(f"{key!r} names several grants; give the grant's id")
            self.grants[key] = found[0]
        return self.grants[key]


def _grant_values(row: _Row, find: _Lookups) -> dict[str, Any]:
    out: dict[str, Any] = {
        "donor": row.parse("donor", find.organisation, required=True),
        "recipient": row.parse("recipient", find.organisation, required=True),
        "title": row.raw("title"),
        "amount": row.parse("amount", _amount, required=True),
        "currency": row.parse("currency", _currency, required=True),
        "pledged_on": row.parse("pledged_on", _record_day, required=True),
        "starts_on": row.parse("starts_on", _day, required=True),
        "ends_on": row.parse("ends_on", _day),
        "purpose": row.raw("purpose"),
        "sectors": [
            s.strip() for s in row.raw("sectors").replace(";", ",").split(",") if s.strip()
        ],
        "reporting": row.parse("reporting", _reporting) or ReportingRule.NONE,
    }
    if not out["title"]:
        row.fail("title", "is empty")
    return out


def _transfer_values(row: _Row, find: _Lookups) -> dict[str, Any]:
    out: dict[str, Any] = {
        "from_organisation": row.parse("from", find.organisation, required=True),
        "to_organisation": row.parse("to", find.organisation, required=True),
        "amount": row.parse("amount", _amount, required=True),
        "currency": row.parse("currency", _currency, required=True),
        "sent_on": row.parse("sent_on", _record_day, required=True),
        "channel": row.parse("channel", _channel, required=True),
        "fee": row.parse("fee", _amount),
        "rate": row.parse("rate", _amount),
        "grant": row.parse("grant", find.grant),
        "reference": row.raw("reference"),
        "intermediary": row.raw("intermediary"),
    }
    received = {
        "received_amount": row.parse("received_amount", _amount),
        "received_currency": row.parse("received_currency", _currency),
        "received_on": row.parse("received_on", _record_day),
    }
    if any(v is not None for v in received.values()):
        # A received leg is whole: what, in which currency (the sent one unless said) and when.
        if received["received_currency"] is None:
            received["received_currency"] = out["currency"]
        for name in ("received_amount", "received_on"):
            if received[name] is None and not row.raw(name):
                row.fail(name, "is empty, but the row says something arrived")
        out.update(received)
    return out


# Model field -> the file's column, for errors a service or model raises.
FIELD_COLUMN = {
    "from_organisation": "from", "to_organisation": "to",
    # What the grant's reporting rule asks of a receipt the file confirms (decision 0366).
    "photo": "received_amount", "received_note": "received_amount",
}  # fmt: skip


def _id(organisation: Any) -> Any:
    return organisation.pk if organisation is not None else None


def _rule_problems(kind: str, found: dict[str, Any]) -> list[Problem]:
    """What the ledger's rules say of a parsed row (organisations by id, as the model's
    ``clean`` gives them), before the service is asked."""
    checked = dict(found)
    if kind == GRANTS:
        checked["donor"], checked["recipient"] = _id(found["donor"]), _id(found["recipient"])
        return grant_problems(checked)
    checked["from_organisation"] = _id(found["from_organisation"])
    checked["to_organisation"] = _id(found["to_organisation"])
    # The service sets the received leg's state; any state makes the rules check the leg.
    checked["received_state"] = "received" if "received_amount" in found else ""
    return transfer_problems(checked)


def _check(row: _Row, kind: str, found: dict[str, Any]) -> None:
    """The rules' problems on their columns; a column that could not be read keeps its own
    error only."""
    unread = set(row.failed)
    for problem in _rule_problems(kind, found):
        name = FIELD_COLUMN.get(problem.field, problem.field)
        if name not in unread:
            row.fail(name, problem.message)


def ledger_import(*, by: Any, path: Path, name: str | None = None) -> LedgerImport:
    """Create every grant or transfer a CSV/XLSX file lists, or none (errors: file, row,
    column). ``by`` None is the instance's operator; anyone else is asked per row by the
    services, as on a form."""
    name = name or path.name
    result = LedgerImport(file=name)
    label, header, rows = reading.open_header_rows(
        path, name=name, progress=None, sniff=lambda head: _kind(head) is not None,
        wanted="a header with donor and recipient (grants) or from and to (transfers)",
    )  # fmt: skip
    kind = _kind(header)
    if kind is None:
        raise InvalidInput(
            f"{label}: the first row must name the columns: donor, recipient, ... for grants, "
            "or from, to, ... for transfers (docs/money.md, 'Importing a ledger')"
        )
    result.kind = kind
    fields = [_header_key(c) for c in header]
    unknown = [
        c for c, f in zip(header, fields, strict=True) if c.strip() and f not in COLUMNS[kind]
    ]
    if unknown:
        raise InvalidInput(
            f"{label}: unknown column(s) {', '.join(repr(c) for c in unknown)}; a {kind} file "
            f"has {', '.join(COLUMNS[kind])}"
        )
    missing = [c for c in REQUIRED[kind] if c not in fields]
    if missing:
        raise InvalidInput(f"{label}: missing column(s) {', '.join(missing)}")
    find = _Lookups(by)
    parsed: list[tuple[_Row, dict[str, Any]]] = []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise InvalidInput(f"{label}: more than {MAX_ROWS} rows; split the file")
        row = _Row(
            f"{label}, row {number}",
            {f: (h, c) for f, h, c in zip(fields, header, cells, strict=False) if f},
        )
        found = (_grant_values if kind == GRANTS else _transfer_values)(row, find)
        _check(row, kind, found)
        parsed.append((row, found))
        result.errors += row.errors
    if not result.rows:
        raise InvalidInput(f"{label}: no rows under the header")
    if not result.ok:
        return result
    write = grant_record if kind == GRANTS else transfer_record
    created, errors = write_rows(
        ((row.where, {"by": by, **found}) for row, found in parsed), write, columns=FIELD_COLUMN
    )
    result.created = created
    result.errors += errors
    return result
