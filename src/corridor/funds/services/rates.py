"""Writes to the exchange-rate table: one rate by hand, or a CSV file of them (all or nothing).

``by`` None is the instance operator at the command line; anyone else must be allowed to add
rates by the policy (coordinators and admins, decision 0237).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from corridor.accounts import policy
from corridor.audit.services import audited_create, audited_remove, audited_update
from corridor.core.errors import InvalidInput
from corridor.core.rows import write_rows
from corridor.funds.models import ExchangeRate, RateKind

#: The columns of a rates file, in the words of the form (docs/money.md).
COLUMNS = ("date", "from", "to", "rate", "kind", "source")


def rate_record(
    *,
    by: Any,
    on: dt.date,
    from_currency: str,
    to_currency: str,
    rate: Decimal,
    kind: str,
    source: str,
) -> ExchangeRate:
    """Record that on ``on`` one ``from_currency`` bought ``rate`` ``to_currency``."""
    if isinstance(rate, float):
        raise TypeError("a rate is never a float: pass a Decimal")
    row = ExchangeRate(
        on=on,
        from_currency=from_currency,
        to_currency=to_currency,
        rate=rate,
        kind=kind,
        source=source,
    )
    if by is not None:
        policy.require(by, policy.ADD, row)
    known = ExchangeRate.objects.filter(
        on=on, from_currency=from_currency, to_currency=to_currency, kind=kind, source=source
    ).exists()
    if known:
        raise InvalidInput(
            f"a {kind} rate {from_currency}→{to_currency} from {source!r} on {on} is recorded "
            "already"
        )
    return audited_create(row, by=by)


RATE_UPDATABLE = frozenset({"on", "from_currency", "to_currency", "rate", "kind", "source"})


def rate_update(*, by: Any, row: ExchangeRate, **values: Any) -> ExchangeRate:
    """Correct ``row`` of the rate table (a typing slip, the wrong source): every report that
    converts with it changes, so only those who may add rates may (decision 0237); audited."""
    unknown = sorted(set(values) - RATE_UPDATABLE)
    if unknown:
        raise InvalidInput(f"rate: field(s) {', '.join(unknown)} cannot be set")
    if isinstance(values.get("rate"), float):
        raise TypeError("a rate is never a float: pass a Decimal")
    if by is not None:
        policy.require(by, policy.CHANGE, row)
    key = {name: values.get(name, getattr(row, name))
           for name in ("on", "from_currency", "to_currency", "kind", "source")}  # fmt: skip
    if ExchangeRate.objects.filter(**key).exclude(pk=row.pk).exists():
        raise InvalidInput(
            f"a {key['kind']} rate {key['from_currency']}→{key['to_currency']} from "
            f"{key['source']!r} on {key['on']} is recorded already"
        )
    return audited_update(row, by=by, **values)


def rate_remove(*, by: Any, row: ExchangeRate, reason: str) -> ExchangeRate:
    """Remove a rate softly, with the reason (decision 0180): reports stop converting with it,
    and the same rate may be recorded again."""
    if by is not None:
        policy.require(by, policy.DELETE, row)
    return audited_remove(row, by=by, reason=reason)


@dataclass
class RatesImport:
    file: str
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(row: dict[str, str], name: str) -> str:
    return (row.get(name) or "").strip()


def _parse(where: str, row: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    values: dict[str, Any] = {}
    try:
        values["on"] = dt.date.fromisoformat(_cell(row, "date"))
    except ValueError:
        errors.append(f"{where}, column date: {_cell(row, 'date')!r} is not a date (YYYY-MM-DD)")
    for column, name in (("from", "from_currency"), ("to", "to_currency")):
        values[name] = _cell(row, column).upper()
    try:
        values["rate"] = Decimal(_cell(row, "rate"))
        if not values["rate"].is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(f"{where}, column rate: {_cell(row, 'rate')!r} is not a number")
    kind = _cell(row, "kind").lower()
    if kind not in RateKind.values:
        errors.append(f"{where}, column kind: {kind!r} is not one of {', '.join(RateKind.values)}")
    values["kind"] = kind
    values["source"] = _cell(row, "source")
    return values, errors


def rates_import(*, by: Any, path: Path) -> RatesImport:
    """Add every rate a CSV file lists (columns date, from, to, rate, kind, source), or none."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return rates_import_stream(by=by, name=path.name, handle=handle)


def rates_import_stream(*, by: Any, name: str, handle: IO[str]) -> RatesImport:
    """``rates_import`` for an open text stream (an upload through the API), named ``name``
    in every error."""
    result = RatesImport(file=name)
    if by is not None:
        policy.require(by, policy.ADD, ExchangeRate)
    reader = csv.DictReader(handle)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"{name}: missing column(s) {', '.join(missing)}")
    rows = list(reader)
    result.rows = len(rows)
    parsed = []
    for number, row in enumerate(rows, start=2):
        values, errors = _parse(f"{name}, row {number}", row)
        result.errors += errors
        parsed.append((number, values))
    if not result.ok:
        return result
    columns = {"on": "date", "from_currency": "from", "to_currency": "to"}
    created, errors = write_rows(
        ((f"{name}, row {number}", {"by": by, **values}) for number, values in parsed),
        rate_record,
        columns=columns,
    )
    result.created = created
    result.errors += errors
    return result
