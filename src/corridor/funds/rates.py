"""Converting amounts between currencies with the rate table, saying which rate was used.

A rate is looked up for a day and a kind (official, market or agent): the latest row of that
kind on or before the day, for the pair as asked or its inverse (1 / rate). Nothing is guessed:
with no such row the conversion is refused (``MissingRate``) with a message saying which rate to
add; no rate is made up by crossing through a third currency (decision 0364). The result is
quantised to the target currency's minor unit (``core.money.quantize``).

Reports in a chosen currency (the donor report, custody, reconciliation; page, CSV, API and
command line) read what the person asked with ``reporting_choice`` and value amounts with
a ``RateBook``: the one home of "this amount in currency X by rate kind K on
day D" (docs/money.md, "Reports in another currency").
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.core.money import CURRENCY_TABLE, quantize, quantum, rate_text
from corridor.funds.models import ExchangeRate, RateKind

#: ``rates=both``: official and market side by side, with the difference (reports only).
BOTH = "both"


class MissingRate(InvalidInput):
    """The table has no rate of ``kind`` for the pair (or its inverse) on or before ``on``."""

    def __init__(self, kind: str, from_currency: str, to_currency: str, on: dt.date) -> None:
        self.kind, self.from_currency, self.to_currency, self.on = (
            kind, from_currency, to_currency, on
        )  # fmt: skip
        super().__init__(
            _(
                "no %(kind)s rate %(from)s→%(to)s (or %(to)s→%(from)s) on or before %(day)s: "
                "add one with `corridor funds rates add` or import a rates file"
            )
            % {"kind": kind, "from": from_currency, "to": to_currency, "day": on.isoformat()}
        )

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "from": self.from_currency, "to": self.to_currency,
                "on": self.on.isoformat()}  # fmt: skip


@dataclass(frozen=True)
class UsedRate:
    """The row a conversion used, as reports show it (``inverse``: divided by it)."""

    on: dt.date
    from_currency: str
    to_currency: str
    rate: Decimal
    kind: str
    source: str
    inverse: bool

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "on": self.on.isoformat(),
            "from": self.from_currency,
            "to": self.to_currency,
            "rate": rate_text(self.rate),
            "kind": self.kind,
            "source": self.source,
            "inverse": self.inverse,
        }


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    currency: str
    rate: UsedRate | None  # None: the amount was in the currency asked for already


class RateBook:
    """The rate table of one kind, read once, to convert many amounts (custody, reports)."""

    def __init__(self, kind: str, rows: list[ExchangeRate] | None = None) -> None:
        self.kind = kind
        if rows is None:
            rows = list(ExchangeRate.objects.filter(kind=kind).order_by("on", "source", "id"))
        self._pairs: dict[tuple[str, str], list[ExchangeRate]] = {}
        for row in rows:
            if row.kind == kind:
                self._pairs.setdefault((row.from_currency, row.to_currency), []).append(row)
        for found in self._pairs.values():
            found.sort(key=lambda r: r.on)  # stable: same-day rows keep source order
        self._days = {pair: [r.on for r in found] for pair, found in self._pairs.items()}
        #: Each (from, to, day) asked once: a grant's hops fall on a few hundred days.
        self._asked: dict[tuple[str, str, dt.date], UsedRate] = {}
        self.used: dict[tuple[dt.date, str, str, str], UsedRate] = {}
        #: Pairs ``try_value`` found no rate for, with the earliest day asked: a rate of that
        #: pair on or before it would convert every amount left out.
        self.missing: dict[tuple[str, str], dt.date] = {}

    def _latest(self, pair: tuple[str, str], on: dt.date) -> ExchangeRate | None:
        # The last row on or before ``on`` (of same-day rows, the last in source order).
        found = bisect_right(self._days.get(pair, []), on)
        return self._pairs[pair][found - 1] if found else None

    def rate(self, from_currency: str, to_currency: str, on: dt.date) -> UsedRate:
        asked = self._asked.get((from_currency, to_currency, on))
        if asked is None:
            asked = self._asked[(from_currency, to_currency, on)] = self._rate(
                from_currency, to_currency, on
            )
        return asked

    def _rate(self, from_currency: str, to_currency: str, on: dt.date) -> UsedRate:
        direct = self._latest((from_currency, to_currency), on)
        inverse = self._latest((to_currency, from_currency), on)
        # The newer of the two; on the same day the pair as asked.
        if direct is not None and (inverse is None or direct.on >= inverse.on):
            row, flipped = direct, False
        elif inverse is not None:
            row, flipped = inverse, True
        else:
            raise MissingRate(self.kind, from_currency, to_currency, on)
        used = UsedRate(
            on=row.on,
            from_currency=row.from_currency,
            to_currency=row.to_currency,
            rate=row.rate,
            kind=row.kind,
            source=row.source,
            inverse=flipped,
        )
        self.used[(row.on, row.from_currency, row.to_currency, row.source)] = used
        return used

    def convert(
        self, amount: Decimal, from_currency: str, to_currency: str, on: dt.date
    ) -> Conversion:
        if from_currency == to_currency:
            return Conversion(quantize(amount, to_currency), to_currency, None)
        used = self.rate(from_currency, to_currency, on)
        value = amount / used.rate if used.inverse else amount * used.rate
        return Conversion(quantize(value, to_currency), to_currency, used)

    def value(self, amount: Decimal, from_currency: str, to_currency: str, on: dt.date) -> Decimal:
        """``convert``'s amount, without building a ``Conversion``: custody values every leg
        of a grant this way (bench/reconcile.py). A float is refused as ``convert`` refuses
        it (Decimal arithmetic with a float raises TypeError)."""
        if from_currency == to_currency:
            return quantize(amount, to_currency)
        used = self._asked.get((from_currency, to_currency, on))
        if used is None:
            used = self.rate(from_currency, to_currency, on)
        value = amount / used.rate if used.inverse else amount * used.rate
        return value.quantize(quantum(to_currency), rounding=ROUND_HALF_EVEN)

    def try_value(
        self, amount: Decimal, from_currency: str, to_currency: str, on: dt.date
    ) -> Decimal | None:
        """``value``, or None when the table has no rate for it: the pair is kept in
        ``missing`` so that a report can name the rate to add instead of refusing to render."""
        try:
            return self.value(amount, from_currency, to_currency, on)
        except InvalidInput:
            pair = (from_currency, to_currency)
            self.missing[pair] = min(on, self.missing.get(pair, on))
            return None

    def rates_missing(self) -> list[dict[str, str]]:
        """The rates ``try_value`` lacked, one per pair, as reports name them."""
        return [
            {"from": pair[0], "to": pair[1], "on": day.isoformat(), "kind": self.kind}
            for pair, day in sorted(self.missing.items())
        ]

    def rates_used(self) -> list[dict[str, str | bool]]:
        return [self.used[key].as_dict() for key in sorted(self.used)]


def convert(
    amount: Decimal, from_currency: str, to_currency: str, on: dt.date, *, kind: str
) -> Conversion:
    """One conversion with the table as it is now (many: make one ``RateBook``)."""
    return RateBook(kind).convert(amount, from_currency, to_currency, on)


@dataclass(frozen=True)
class ReportingChoice:
    """What a person asked a report to value in: a currency (None: the grant's own), the rate
    kinds (one, or official and market for ``both``) and the day holdings are valued on."""

    currency: str | None
    kinds: tuple[str, ...]
    on: dt.date

    @property
    def kind(self) -> str:
        """The one kind asked (the first with ``both``: official)."""
        return self.kinds[0]

    @property
    def both(self) -> bool:
        return len(self.kinds) > 1

    def currency_for(self, own: str) -> str:
        return self.currency or own

    def is_default(self, own: str) -> bool:
        """Asked nothing beyond what reports always did: the grant's own currency, one kind."""
        return not self.both and self.currency in (None, own)


def reporting_choice(
    *,
    currency: str | None,
    rates: str | None,
    on: str | dt.date | None,
    today: dt.date,
    allow_both: bool = True,
) -> ReportingChoice:
    """Read ``?currency=&rates=&on=`` (or the command line's options), refusing in words: an
    unknown currency, a kind that is not official, market or agent (or ``both``, where a report
    can show two), a day that is not YYYY-MM-DD. Market rates and today by default."""
    code = (currency or "").strip().upper() or None
    if code is not None and code not in CURRENCY_TABLE:
        raise InvalidInput(
            _(
                "currency: %(code)s is not a currency Corridor knows; use an ISO 4217 code "
                "such as USD, EUR, THB or MMK"
            )
            % {"code": code}
        )
    kind = (rates or "").strip().lower() or RateKind.MARKET
    kinds: tuple[str, ...]
    if kind == BOTH and allow_both:
        kinds = (RateKind.OFFICIAL, RateKind.MARKET)
    elif kind in RateKind.values:
        kinds = (kind,)
    else:
        named = ", ".join([*RateKind.values, *([BOTH] if allow_both else [])])
        raise InvalidInput(
            _("rates: %(kind)s is not one of %(kinds)s") % {"kind": kind, "kinds": named}
        )
    day = today
    if isinstance(on, dt.date):
        day = on
    elif on:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError as exc:
            raise InvalidInput(_("on: %(day)s is not a day (YYYY-MM-DD)") % {"day": on}) from exc
    return ReportingChoice(currency=code, kinds=kinds, on=day)
