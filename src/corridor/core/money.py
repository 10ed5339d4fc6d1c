"""Currencies and amounts. Money is a Decimal with an ISO 4217 code, never a float.

The currency table is data (``core/data/currencies.csv``, its provenance beside it in
``currencies.md``): the ISO 4217 code, name and minor units, and the minor units Corridor keeps
where practice differs from ISO (MMK: 0, decision 0235). Every amount is quantised to its
currency's minor unit with ``quantize``; rounding is half-to-even, so that many conversions do
not drift one way.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from corridor.core.errors import InvalidInput

TABLE = Path(__file__).parent / "data" / "currencies.csv"

AMOUNT_DIGITS = 18
AMOUNT_PLACES = 2
#: Exchange rates: units of the target currency for one unit of the source currency.
RATE_DIGITS = 24
RATE_PLACES = 10


@dataclass(frozen=True)
class Currency:
    code: str
    name: str
    iso_minor_units: int
    minor_units: int
    note: str

    @property
    def quantum(self) -> Decimal:
        """The smallest amount kept: Decimal('0.01') for USD, Decimal('1') for MMK."""
        return Decimal(1).scaleb(-self.minor_units)


def _read_table() -> dict[str, Currency]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["code"]: Currency(
            code=row["code"],
            name=row["name"],
            iso_minor_units=int(row["iso_minor_units"]),
            minor_units=int(row["minor_units"]),
            note=row["note"],
        )
        for row in rows
    }


# ISO 4217 codes most used by Myanmar aid flows first, then other common ones. A full list is not
# needed: an unknown code is refused, and adding one is a one-line change reviewed by a person.
CURRENCY_TABLE: dict[str, Currency] = _read_table()
CURRENCIES: dict[str, str] = {code: c.name for code, c in CURRENCY_TABLE.items()}
CURRENCY_CHOICES = [(code, f"{code} — {name}") for code, name in CURRENCIES.items()]


def currency(code: str) -> Currency:
    """The table's row for ``code``; InvalidInput naming the code when it is not in the table."""
    found = CURRENCY_TABLE.get(code)
    if found is None:
        raise InvalidInput(
            f"unknown currency {code!r}: give an ISO 4217 code from the table "
            f"({', '.join(CURRENCY_TABLE)})"
        )
    return found


def as_decimal(value: Any) -> Decimal:
    """A Decimal from a Decimal, an int or a decimal string; never a float (it is not exact)."""
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a Decimal or a decimal string")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    try:
        found = Decimal(value) if isinstance(value, int | str) else None
    except InvalidOperation:
        found = None
    if found is None or not found.is_finite():
        raise InvalidInput(f"{value!r} is not an amount (write digits, a '.' for decimals)")
    return found


#: Each currency's quantum, made once (custody and reconciliation round hundreds of thousands
#: of amounts; bench/reconcile.py).
_QUANTA: dict[str, Decimal] = {code: c.quantum for code, c in CURRENCY_TABLE.items()}


def quantum(code: str) -> Decimal:
    """The minor unit of the currency ``code`` (InvalidInput naming an unknown code)."""
    found = _QUANTA.get(code)
    return currency(code).quantum if found is None else found


def quantize(amount: Any, code: str) -> Decimal:
    """``amount`` rounded (half to even) to the minor unit of the currency ``code``."""
    return as_decimal(amount).quantize(quantum(code), rounding=ROUND_HALF_EVEN)


def is_exact(amount: Decimal, code: str) -> bool:
    """Whether ``amount`` has no more places than the currency keeps (1500.50 MMK has)."""
    return amount == quantize(amount, code)


def text(amount: Decimal, code: str) -> str:
    """An amount as files and JSON show it: a decimal string to the currency's minor unit."""
    return str(quantize(amount, code))


def rate_text(rate: Decimal) -> str:
    """A rate without trailing zeros and never in exponent form: '35.7', '3650'."""
    return format(rate.normalize(), "f")
