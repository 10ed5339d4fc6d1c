"""The ledger's kinds in the import pipeline: a grants or transfers row read into the values
the funds services take, judged by the ledger's rules and the import policy (decision 0367).

A cell is only *read* here (a date, a signed decimal, a currency code in capitals, a channel
by its everyday name); whether its value is allowed is asked of ``funds.rules``, the rules the
money pages, the API and the services ask, so a row is refused in their words (decision 0280).
Who may bring a row in is asked of ``funds.access.ledger_row_importable``: an editor of one of
its two sides. A row that matches a stored record (the same sender, receiver and reference; or
without a reference the same date, amount, currency and channel) is that record again: a
re-imported file updates what changed and creates nothing twice.

Organisations and grants are named as ``by`` may name them: a hidden one answers exactly as
one that does not exist, and an error repeats only what the file says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.core.rules import Problem
from corridor.exchange import values
from corridor.exchange.fields import LEDGER_KINDS
from corridor.exchange.table import Row, Table
from corridor.funds.access import ledger_row_importable
from corridor.funds.models import Grant, ReportingRule, Transfer, TransferChannel
from corridor.funds.queries import grants_visible_to
from corridor.funds.rules import grant_problems, transfer_problems
from corridor.orgs.queries import organisation_find_visible

__all__ = ["LEDGER_KINDS", "REQUIRED", "LedgerFile", "required_missing"]

GRANTS, TRANSFERS = LEDGER_KINDS
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
# Model field -> the field the file's column holds, for the rules' and services' problems.
FIELD_COLUMN = {
    "from_organisation": "from", "to_organisation": "to",
    # What the grant's reporting rule asks of a receipt the file confirms (decision 0366).
    "photo": "received_amount", "received_note": "received_amount",
}  # fmt: skip
# "Amount (USD)": a header that names the currency of its amounts.
_HEADER_CURRENCY = re.compile(r"[(\[]\s*([A-Za-z]{3})\s*[)\]]")
# What a matched transfer may have changed (the sides are its identity, never changed).
TRANSFER_FIELDS = ("amount", "currency", "sent_on", "channel", "fee", "rate", "grant",
                   "reference", "intermediary", "received_amount", "received_currency",
                   "received_on")  # fmt: skip
GRANT_FIELDS = ("title", "amount", "currency", "pledged_on", "starts_on", "ends_on", "purpose",
                "sectors", "reporting")  # fmt: skip


def required_missing(table: Table) -> list[str]:
    """The fields a ledger file must have a column for that it has none for. A file whose
    amount header names the currency ("Amount (USD)") needs no currency column."""
    missing = [name for name in REQUIRED[table.kind] if not table.plan.get(name)]
    if "currency" in missing and header_currency(table):
        missing.remove("currency")
    return missing


def header_currency(table: Table) -> str:
    """The currency the amount column's header names ("Amount (USD)" -> USD), or ""."""
    if not table.plan.get("amount"):
        return ""
    found = _HEADER_CURRENCY.search(table.label("amount"))
    return found.group(1).upper() if found else ""


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
    raise InvalidInput(
        _("%(value)r is not a channel; use one of %(codes)s")
        % {"value": text, "codes": ", ".join(TransferChannel.values)}
    )


def _reporting(text: str) -> str:
    wanted = values.code_key(text)
    for code, label in ReportingRule.choices:
        if wanted in (values.code_key(code), values.code_key(str(label))):
            return code
    raise InvalidInput(
        _("%(value)r is not one of %(codes)s")
        % {"value": text, "codes": ", ".join(ReportingRule.values)}
    )


class _Cells:
    """One row's cells read by field; every problem on the row, naming the column."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.failed: set[str] = set()

    def fail(self, name: str, message: str) -> None:
        self.failed.add(name)
        self.row.error(name, message)

    def parse(self, name: str, parser: Any, *, required: bool = False) -> Any:
        text = self.row.get(name)
        if not text:
            if required:
                self.fail(name, _("is empty"))
            return None
        try:
            return parser(text)
        except (values.CellError, InvalidInput, ValueError, ArithmeticError) as error:
            self.fail(name, str(error) or _("%(value)r is not valid here") % {"value": text})
            return None


@dataclass
class Written:
    """What one row does: create, change (``record`` and what differs) or nothing."""

    record: Any = None
    changes: dict[str, Any] | None = None


class LedgerFile:
    """The rows of one ledger file: organisations, grants and stored records looked up once,
    each as ``by`` may see them (None: the instance operator)."""

    def __init__(self, table: Table, by: Any) -> None:
        self.table = table
        self.kind = table.kind
        self.by = by
        self.currency = header_currency(table)
        self.orgs: dict[str, Any] = {}
        self.grants: dict[str, Grant] = {}
        self.stored: dict[tuple[Any, Any], list[Any]] = {}
        self.claimed: set[Any] = set()  # stored records a row of this file already is

    # --- lookups ----------------------------------------------------------------------------

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
                raise InvalidInput(_("no grant %(name)r") % {"name": key})
            if len(found) > 1:
                raise InvalidInput(
                    _("%(name)r names several grants; give the grant's id") % {"name": key}
                )
            self.grants[key] = found[0]
        return self.grants[key]

    # --- reading a row ----------------------------------------------------------------------

    def read(self, row: Row) -> dict[str, Any]:
        """The values of one row for the service, its problems on ``row.errors``: the cells
        read, then the ledger's rules, then who may import it."""
        cells = _Cells(row)
        found = self._grant(cells) if self.kind == GRANTS else self._transfer(cells)
        for problem in self._rule_problems(found):
            name = FIELD_COLUMN.get(problem.field, problem.field)
            if name not in cells.failed:
                cells.fail(name, problem.message)
        sides = (
            (found["donor"], found["recipient"])
            if self.kind == GRANTS
            else (found["from_organisation"], found["to_organisation"])
        )
        if None not in sides and not ledger_row_importable(self.by, sides):
            row.error(
                "",
                _(
                    "you may import only the grants and transfers of an organisation you edit "
                    "for; this row is between two others"
                ),
                value="",
            )
        return found

    def _grant(self, cells: _Cells) -> dict[str, Any]:
        row = cells.row
        out: dict[str, Any] = {
            "donor": cells.parse("donor", self.organisation, required=True),
            "recipient": cells.parse("recipient", self.organisation, required=True),
            "title": row.get("title"),
            "amount": cells.parse("amount", _amount, required=True),
            "currency": cells.parse("currency", _currency) or self.currency or None,
            "pledged_on": cells.parse("pledged_on", _record_day, required=True),
            "starts_on": cells.parse("starts_on", values.date, required=True),
            "ends_on": cells.parse("ends_on", values.date),
            "purpose": row.get("purpose"),
            "sectors": [
                s.strip() for s in row.get("sectors").replace(";", ",").split(",") if s.strip()
            ],
            "reporting": cells.parse("reporting", _reporting) or ReportingRule.NONE,
        }
        if out["currency"] is None:
            cells.fail("currency", _("is empty"))
        if not out["title"]:
            cells.fail("title", _("is empty"))
        return out

    def _transfer(self, cells: _Cells) -> dict[str, Any]:
        row = cells.row
        out: dict[str, Any] = {
            "from_organisation": cells.parse("from", self.organisation, required=True),
            "to_organisation": cells.parse("to", self.organisation, required=True),
            "amount": cells.parse("amount", _amount, required=True),
            "currency": cells.parse("currency", _currency) or self.currency or None,
            "sent_on": cells.parse("sent_on", _record_day, required=True),
            "channel": cells.parse("channel", _channel, required=True),
            "fee": cells.parse("fee", _amount),
            "rate": cells.parse("rate", _amount),
            "grant": cells.parse("grant", self.grant),
            "reference": row.get("reference"),
            "intermediary": row.get("intermediary"),
        }
        if out["currency"] is None:
            cells.fail("currency", _("is empty"))
        received = {
            "received_amount": cells.parse("received_amount", _amount),
            "received_currency": cells.parse("received_currency", _currency),
            "received_on": cells.parse("received_on", _record_day),
        }
        if any(v is not None for v in received.values()):
            # A received leg is whole: what, in which currency (the sent one unless said), when.
            if received["received_currency"] is None:
                received["received_currency"] = out["currency"]
            for name in ("received_amount", "received_on"):
                if received[name] is None and not row.get(name):
                    cells.fail(name, _("is empty, but the row says something arrived"))
            out.update(received)
        return out

    def _rule_problems(self, found: dict[str, Any]) -> list[Problem]:
        """What the ledger's rules say of a parsed row (organisations by id, as the model's
        ``clean`` gives them), before the service is asked."""
        checked = dict(found)
        if self.kind == GRANTS:
            checked["donor"], checked["recipient"] = _id(found["donor"]), _id(found["recipient"])
            return grant_problems(checked)
        checked["from_organisation"] = _id(found["from_organisation"])
        checked["to_organisation"] = _id(found["to_organisation"])
        # The service sets the received leg's state; any state makes the rules check the leg.
        checked["received_state"] = "received" if "received_amount" in found else ""
        return transfer_problems(checked)

    # --- the record a row is ----------------------------------------------------------------

    def match(self, found: dict[str, Any]) -> Written:
        """The stored record this row is (decision 0367), and what the row changes of it; a
        row that matches none is a new record. Each stored record is matched by one row of the
        file at most, so two equal rows stay two records."""
        fields: tuple[str, ...]
        if self.kind == GRANTS:
            sides = (found["donor"], found["recipient"])
            fields = GRANT_FIELDS
        else:
            sides = (found["from_organisation"], found["to_organisation"])
            fields = TRANSFER_FIELDS
        key = (sides[0].pk, sides[1].pk)
        if key not in self.stored:
            self.stored[key] = self._stored(*sides)
        for record in self.stored[key]:
            if record.pk in self.claimed or not self._same(record, found):
                continue
            self.claimed.add(record.pk)
            changes = {
                name: found[name]
                for name in fields
                if name in found and not _equal(getattr(record, name), found[name])
            }
            return Written(record=record, changes=changes)
        return Written()

    def _stored(self, first: Any, second: Any) -> list[Any]:
        # The two sides' own records: ``by`` is an editor of one of them (read() asked).
        if self.kind == GRANTS:
            return list(Grant.objects.filter(donor=first, recipient=second).order_by("created_at"))
        return list(
            Transfer.objects.filter(from_organisation=first, to_organisation=second)
            .select_related("from_organisation", "to_organisation", "grant")
            .order_by("created_at")
        )

    def _same(self, record: Any, found: dict[str, Any]) -> bool:
        if self.kind == GRANTS:
            return record.title.strip().casefold() == found["title"].strip().casefold()
        if found["reference"]:
            return record.reference.strip() == found["reference"].strip()
        return (
            record.sent_on == found["sent_on"]
            and record.amount == found["amount"]
            and record.currency == found["currency"]
            and record.channel == found["channel"]
        )


def _id(organisation: Any) -> Any:
    return organisation.pk if organisation is not None else None


def _equal(stored: Any, given: Any) -> bool:
    if isinstance(stored, models.Model) or isinstance(given, models.Model):
        return getattr(stored, "pk", stored) == getattr(given, "pk", given)
    if isinstance(stored, list) and isinstance(given, list):
        return sorted(stored) == sorted(given)
    return bool(stored == given)
