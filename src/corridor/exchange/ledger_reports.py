"""Money as it may leave the organisations that moved it: a grant's donor report, and the
network's public transparency ledger. Both are built here once, through the disclosure gate,
then rendered as pages, CSV and IATI (web/views/funds_reports.py, exchange/services.py).

Only confirmed legs count (decision 0236): the donor report follows ``funds.custody``, which
counts a hop only when its sender confirmed it and its arrival only when the receiver did; the
public ledger counts ``transfers_settled`` only. Neither ever shows a transfer's reference, its
intermediary (an agent or carrier), a person, or an anonymous organisation's name (decision
0265). The public ledger names no organisation and no route at all: totals by month and by
channel family, sector or state/region, each cell shown only when enough distinct routes or
spenders stand behind it (decision 0266).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from corridor.aid.models import Sector
from corridor.core.errors import InvalidInput
from corridor.core.money import CURRENCY_TABLE, quantize
from corridor.disclosure import (
    NOT_NAMED,
    PublishedTable,
    latest_public_month,
    month_is_publishable,
    public_month,
    public_org_label,
    public_organisations,
    public_week_start,
    publish_table,
)
from corridor.funds.custody import EXCHANGE, HELD, Custody, custody
from corridor.funds.models import Grant, RateKind, ReportingRule, Spending, TransferChannel
from corridor.funds.queries import transfers_settled
from corridor.funds.rates import RateBook
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation

ZERO = Decimal(0)

#: Channels grouped as the public ledger shows them: a family says how money moved, never
#: through whom (decision 0266).
CHANNEL_FAMILY: dict[str, str] = {
    TransferChannel.BANK: "formal",
    TransferChannel.LICENSED_REMITTANCE: "formal",
    TransferChannel.INFORMAL: "informal",
    TransferChannel.CASH_CARRIED: "informal",
    TransferChannel.MOBILE_MONEY: "digital",
    TransferChannel.CRYPTO: "digital",
    TransferChannel.OTHER: "other",
}
FAMILY_LABELS = {
    "formal": _("Banks and licensed remittance"),
    "informal": _("Informal value transfer and carried cash"),
    "digital": _("Mobile money and crypto-assets"),
    "other": _("Other channels"),
}
PART_LABELS = {
    "not_yet_sent": _("Not yet sent by the donor"),
    "in_transit": _("Sent, not yet confirmed received"),
    "fees": _("Fees taken by the channels"),
    "unaccounted": _("Arrived short of the rate the channel promised"),
    "disputed": _("Under an open dispute"),
    "spent_on_activities": _("Spent on activities"),
    EXCHANGE: _("Exchange differences"),
}
PEOPLE = "people"


# --- The donor report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPart:
    key: str  # the custody part (held_by:<public label> for holdings)
    label: str
    value: Decimal
    complete: bool = True  # False: an amount of it could not be converted (a rate is missing)


@dataclass(frozen=True)
class ReportHop:
    week: dt.date  # the Monday of the week it was sent
    sender: str
    receiver: str
    family: str
    sent: Decimal
    currency: str
    fee: Decimal
    received: Decimal | None  # None: no confirmed arrival yet
    received_currency: str
    value: Decimal | None  # what was sent, in the grant's currency; None: a rate is missing


@dataclass(frozen=True)
class ReportSpending:
    month: str
    sector: str
    township: str
    township_name: str
    organisation: str
    amount: Decimal
    currency: str
    value: Decimal | None  # None: not converted, a rate is missing
    people: int | None  # None: suppressed (fewer than k, or hidden to protect another)


@dataclass
class DonorReport:
    grant_id: str
    title: str
    donor: str
    recipient: str
    amount: Decimal
    currency: str
    pledged_on: dt.date
    starts_on: dt.date
    ends_on: dt.date | None
    purpose: str
    sectors: list[str]
    reporting: str
    valued_on: dt.date
    rate_kind: str
    parts: list[ReportPart]
    hops: list[ReportHop]
    spending: list[ReportSpending]
    people_reached: int | None
    organisations: list[str]
    organisations_not_named: int | None
    rates: list[dict[str, str | bool]] = field(default_factory=list)
    #: Rates the table lacked: the amounts needing them are left out of the parts marked
    #: incomplete (``ReportPart.complete``), of their hops and spending lines.
    missing_rates: list[dict[str, str]] = field(default_factory=list)
    #: The grant's own amount and currency (``amount`` and ``currency`` are the report's:
    #: the grant's, or a currency the reader chose, decision 0364).
    grant_amount: Decimal | None = None
    grant_currency: str = ""

    @property
    def in_other_currency(self) -> bool:
        return self.currency != self.grant_currency

    @property
    def total(self) -> Decimal:
        return sum((p.value for p in self.parts), ZERO)


def _label(organisation: Organisation) -> str:
    return public_org_label(organisation) or NOT_NAMED


def donor_report(
    grant: Grant,
    *,
    valued_on: dt.date,
    rate_kind: str = RateKind.MARKET,
    book: RateBook | None = None,
    missing_rates: str = "refuse",
    currency: str | None = None,
) -> DonorReport:
    """The grant's report to its donor, from its chain of custody, through the disclosure gate.
    ``missing_rates``: as ``custody``'s ("note": render without what cannot be converted);
    ``currency``: value in it rather than in the grant's currency (as ``custody``'s).

    Amounts are the custody's, in the grant's currency, and add up exactly to the grant.
    Organisations appear by their public label (an anonymous one as NOT_NAMED, its holdings
    pooled with the others not named); dates as week starts (spending as months); people
    reached suppressed below k. Claims, disputes' notes, references, intermediaries and
    channels finer than their family are left out.
    """
    found: Custody = custody(
        grant, valued_on=valued_on, rate_kind=rate_kind, book=book, missing_rates=missing_rates,
        currency=currency,
    )  # fmt: skip
    chain: dict[str, Organisation] = {}
    for hop in found.hops:
        t = hop.transfer
        chain[t.from_organisation.name] = t.from_organisation
        chain[t.to_organisation.name] = t.to_organisation
    rows = list(
        Spending.objects.filter(grant=grant)
        .select_related("activity__organisation", "activity__admin_unit")
        .order_by("spent_on", "id")
    )
    for s in rows:
        chain[s.activity.organisation.name] = s.activity.organisation
    chain.setdefault(grant.donor.name, grant.donor)
    chain.setdefault(grant.recipient.name, grant.recipient)
    named = public_organisations(chain.values())

    parts: list[ReportPart] = []
    held: dict[str, Decimal] = defaultdict(lambda: ZERO)
    held_whole: dict[str, bool] = defaultdict(lambda: True)
    whole = {key: key not in found.incomplete for key in found.breakdown}
    for key, value in found.breakdown.items():
        if key.startswith(HELD):
            name = _label(chain[key[len(HELD) :]])
            held[name] += value
            held_whole[name] = held_whole[name] and whole[key]
        elif key != EXCHANGE:
            parts.append(ReportPart(key, str(PART_LABELS.get(key, key)), value, whole[key]))
    for name, value in sorted(held.items()):
        label = str(_("Held by %(name)s") % {"name": name})
        parts.append(ReportPart(HELD + name, label, value, held_whole[name]))
    # Last, as in custody: the rest, so that the parts add up exactly to the grant.
    parts.append(
        ReportPart(EXCHANGE, str(PART_LABELS[EXCHANGE]), found.breakdown[EXCHANGE],
                   whole[EXCHANGE])
    )  # fmt: skip

    hops = []
    for hop in found.hops:
        if not hop.counted:
            continue  # a claim, or under dispute: not yet anyone's word
        t = hop.transfer
        arrived = t.received_state == "confirmed"
        hops.append(
            ReportHop(
                week=public_week_start(t.sent_on),
                sender=_label(t.from_organisation),
                receiver=_label(t.to_organisation),
                family=CHANNEL_FAMILY.get(t.channel, "other"),
                sent=t.amount,
                currency=t.currency,
                fee=t.fee or ZERO,
                received=t.received_amount if arrived else None,
                received_currency=t.received_currency if arrived else "",
                value=None if hop.unvalued else hop.sent_value,
            )
        )

    people = {str(s.activity_id): s.activity.people_reached for s in rows}
    table = publish_table(
        {(pk, PEOPLE): n for pk, n in people.items()}, rows=list(people), columns=[PEOPLE]
    )
    spending = []
    # custody lists the spending in the same order as ``rows``, with its value.
    for s, line in zip(rows, found.spending, strict=True):
        a = s.activity
        spending.append(
            ReportSpending(
                month=public_month(s.spent_on),
                sector=a.sector,
                township=a.admin_unit.pcode,
                township_name=a.admin_unit.name_en,
                organisation=_label(a.organisation),
                amount=s.amount,
                currency=s.currency,
                value=Decimal(line["value"]) if line["value"] else None,
                people=table.cell(str(a.pk), PEOPLE),
            )
        )
    return DonorReport(
        grant_id=str(grant.pk),
        title=grant.title,
        donor=_label(grant.donor),
        recipient=_label(grant.recipient),
        amount=found.amount or ZERO,
        currency=found.currency,
        pledged_on=grant.pledged_on,
        starts_on=grant.starts_on,
        ends_on=grant.ends_on,
        purpose=grant.purpose,
        sectors=list(grant.sectors),
        reporting=str(ReportingRule(grant.reporting).label),
        valued_on=valued_on,
        rate_kind=rate_kind,
        parts=parts,
        hops=hops,
        spending=spending,
        people_reached=table.total() if people else 0,
        organisations=list(named.labels),
        organisations_not_named=named.not_named,
        rates=found.rates,
        missing_rates=found.missing_rates,
        grant_amount=grant.amount,
        grant_currency=grant.currency,
    )


def donor_report_rows(report: DonorReport) -> list[list[Any]]:
    """The report as CSV rows under one header (``DONOR_REPORT_HEADER``): the parts, then the
    hops, then the spending; a suppressed people figure is None (the caller shows the mark)."""
    cur = report.currency
    out: list[list[Any]] = [
        # The grant in its own currency, then its value in the report's (the same by default).
        ["grant", report.title, "", "", "", report.grant_amount, report.grant_currency,
         report.amount, ""],
    ]  # fmt: skip
    for part in report.parts:
        # A part an amount of which could not be converted is left empty, not understated.
        value = part.value if part.complete else ""
        out.append(["part", part.label, "", "", "", value, cur, value, ""])
    for h in report.hops:
        out.append(["sent", h.family, h.week.isoformat(), h.sender, h.receiver, h.sent,
                    h.currency, "" if h.value is None else h.value, ""])  # fmt: skip
        if h.fee:
            out.append(["fee", h.family, h.week.isoformat(), h.sender, h.receiver, h.fee,
                        h.currency, "", ""])  # fmt: skip
        if h.received is not None:
            out.append(["received", h.family, h.week.isoformat(), h.sender, h.receiver,
                        h.received, h.received_currency, "", ""])  # fmt: skip
    for s in report.spending:
        out.append(["spent", s.sector, s.month, s.organisation, s.township, s.amount,
                    s.currency, "" if s.value is None else s.value, s.people])  # fmt: skip
    out.append(["people_reached", "", "", "", "", "", "", "", report.people_reached])
    for m in report.missing_rates:
        # The rate to add: left-out values above need it (the first day they need).
        out.append(["missing_rate", f"{m['kind']} {m['from']}→{m['to']}", m["on"], "", "",
                    "", "", "", ""])  # fmt: skip
    return out


DONOR_REPORT_HEADER = [
    "line",
    "what",
    "when",
    "from",
    "to",
    "amount",
    "currency",
    "value_in_grant_currency",
    "people_reached",
]
VALUE_COLUMN = DONOR_REPORT_HEADER.index("value_in_grant_currency")


def donor_report_header(report: DonorReport) -> list[str]:
    """``DONOR_REPORT_HEADER``; in a currency the reader chose, its value column says which
    (``value_in_EUR``): the values are no longer in the grant's currency."""
    if not report.in_other_currency:
        return list(DONOR_REPORT_HEADER)
    header = list(DONOR_REPORT_HEADER)
    header[VALUE_COLUMN] = f"value_in_{report.currency}"
    return header


# --- The donor report at official and market rates, side by side (``rates=both``) -------------


@dataclass(frozen=True)
class Compared:
    """One line's value at official and at market rates; ``difference`` is market − official
    (None where either is missing)."""

    official: Decimal | None
    market: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.official is None or self.market is None:
            return None
        return self.market - self.official


@dataclass
class ComparedReport:
    """Two donor reports of one grant in one currency, at official and market rates, line by
    line: parts, hops and spending are the same lines in the same order (custody builds both
    from the same ledger); only their values differ."""

    official: DonorReport
    market: DonorReport
    amount: Compared
    parts: list[tuple[ReportPart, Compared]]
    hops: list[tuple[ReportHop, Compared]]
    spending: list[tuple[ReportSpending, Compared]]

    @property
    def rates(self) -> list[dict[str, str | bool]]:
        return self.official.rates + self.market.rates

    @property
    def total(self) -> Compared:
        return Compared(self.official.total, self.market.total)


def donor_report_compared(official: DonorReport, market: DonorReport) -> ComparedReport:
    """Put the two reports side by side (refusing two that do not describe the same lines)."""
    if [p.key for p in official.parts] != [p.key for p in market.parts] or (
        len(official.hops),
        len(official.spending),
    ) != (len(market.hops), len(market.spending)):
        raise ValueError("the official and market reports do not have the same lines")

    def side_by_side(lines_o: list[Any], lines_m: list[Any]) -> list[tuple[Any, Compared]]:
        return [(o, Compared(o.value, m.value)) for o, m in zip(lines_o, lines_m, strict=True)]

    return ComparedReport(
        official=official,
        market=market,
        amount=Compared(official.amount, market.amount),
        parts=side_by_side(official.parts, market.parts),
        hops=side_by_side(official.hops, market.hops),
        spending=side_by_side(official.spending, market.spending),
    )


def donor_report_compared_header(compared: ComparedReport) -> list[str]:
    cur = compared.official.currency
    header = list(DONOR_REPORT_HEADER)
    header[VALUE_COLUMN : VALUE_COLUMN + 1] = [
        f"official_value_in_{cur}", f"market_value_in_{cur}", "difference"
    ]  # fmt: skip
    return header


def donor_report_compared_rows(compared: ComparedReport) -> list[list[Any]]:
    """``donor_report_rows`` of the official report, its value column followed by the market
    value and the difference (market − official)."""
    out = []
    official = donor_report_rows(compared.official)
    market = donor_report_rows(compared.market)
    for o, m in zip(official, market, strict=True):
        value_o, value_m = o[VALUE_COLUMN], m[VALUE_COLUMN]
        difference: Any = ""
        if isinstance(value_o, Decimal) and isinstance(value_m, Decimal):
            difference = value_m - value_o
        row = [*o[:VALUE_COLUMN], value_o, value_m, difference, *o[VALUE_COLUMN + 1 :]]
        if o[0] == "part":
            row[5], row[6] = "", compared.official.currency  # the values follow
        out.append(row)
    return out


# --- The public transparency ledger -------------------------------------------------------------

BY_CHANNEL = "channel_family"
BY_SECTOR = "sector"
BY_STATE = "state"
DIMENSIONS = (BY_CHANNEL, BY_SECTOR, BY_STATE)


@dataclass(frozen=True)
class LedgerTable:
    """Totals of one dimension by month: ``amount(month, key)`` is None where suppressed."""

    dimension: str
    months: tuple[str, ...]
    keys: tuple[str, ...]
    labels: dict[str, str]
    amounts: dict[tuple[str | None, str | None], Decimal | None]
    published: PublishedTable

    def amount(self, month: str | None, key: str | None) -> Decimal | None:
        return self.amounts.get((month, key))


@dataclass
class PublicLedger:
    currency: str
    rate_kind: str
    until: str  # the last month shown (the publication delay)
    tables: list[LedgerTable]
    not_valued: int  # transfers and spending left out for want of a rate
    rates: list[dict[str, str | bool]] = field(default_factory=list)


def _published_amounts(
    cells: dict[tuple[str, str], Decimal], table: PublishedTable, currency: str
) -> dict[tuple[str | None, str | None], Decimal | None]:
    """Amounts for the figures the count table publishes; None where it suppresses one.

    The amounts share the counts' cells, so a hidden amount cannot be worked out from the
    shown ones any more than its count can (decision 0266).
    """
    out: dict[tuple[str | None, str | None], Decimal | None] = {}
    rows: dict[str, Decimal] = defaultdict(lambda: ZERO)
    columns: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (month, key), amount in cells.items():
        rows[month] += amount
        columns[key] += amount
    for row in table.rows:
        month = str(row)
        for column in table.columns:
            key = str(column)
            shown = table.cell(month, key)
            out[(month, key)] = (
                None if shown is None else quantize(cells.get((month, key), ZERO), currency)
            )
        out[(month, None)] = (
            None if table.row_total(month) is None else quantize(rows[month], currency)
        )
    for column in table.columns:
        key = str(column)
        out[(None, key)] = (
            None if table.column_total(key) is None else quantize(columns[key], currency)
        )
    out[(None, None)] = (
        None if table.total() is None else quantize(sum(cells.values(), ZERO), currency)
    )
    return out


def public_ledger(
    *,
    today: dt.date,
    currency: str = "USD",
    rate_kind: str = RateKind.MARKET,
    book: RateBook | None = None,
) -> PublicLedger:
    """The network's money by month, valued in ``currency`` with ``rate_kind`` rates.

    Transfers both sides confirmed with no open dispute (by channel family, in the month sent);
    spending on activities (by the activity's sector and state/region, in the month spent). A
    cell counts distinct routes (sender, receiver) or distinct spending organisations and is
    shown only with at least k of them; complementary suppression protects it. Whole months up
    to the publication cutoff only. No organisation, route, reference or intermediary appears;
    the organisations taking part are listed by public label with a count of those not named.
    """
    if currency not in CURRENCY_TABLE:
        raise InvalidInput(f"unknown currency {currency!r}")
    book = book or RateBook(rate_kind)
    not_valued = 0

    def value(amount: Decimal, code: str, on: dt.date) -> Decimal | None:
        try:
            return book.value(amount, code, currency, on)
        except InvalidInput:
            return None

    cells: dict[str, dict[tuple[str, str], Decimal]] = {
        d: defaultdict(lambda: ZERO) for d in DIMENSIONS
    }
    who: dict[str, dict[tuple[str, str], set]] = {d: defaultdict(set) for d in DIMENSIONS}
    transfers = transfers_settled().select_related("from_organisation", "to_organisation")
    for t in transfers.order_by("sent_on", "id"):
        if not month_is_publishable(t.sent_on.replace(day=1), today):
            continue
        worth = value(t.amount, t.currency, t.sent_on)
        if worth is None:
            not_valued += 1
            continue
        cell = (public_month(t.sent_on), CHANNEL_FAMILY.get(t.channel, "other"))
        cells[BY_CHANNEL][cell] += worth
        who[BY_CHANNEL][cell].add((t.from_organisation_id, t.to_organisation_id))
    spending = Spending.objects.select_related("activity__organisation", "activity__admin_unit")
    for s in spending.order_by("spent_on", "id"):
        if not month_is_publishable(s.spent_on.replace(day=1), today):
            continue
        worth = value(s.amount, s.currency, s.spent_on)
        if worth is None:
            not_valued += 1
            continue
        spender = s.activity.organisation
        month = public_month(s.spent_on)
        for dimension, key in (
            (BY_SECTOR, s.activity.sector),
            (BY_STATE, s.activity.admin_unit.pcode[:6]),
        ):
            cells[dimension][(month, key)] += worth
            who[dimension][(month, key)].add(spender.pk)

    states = dict(AdminUnit.objects.filter(level=1).values_list("pcode", "name_en"))
    labels = {
        BY_CHANNEL: {k: str(v) for k, v in FAMILY_LABELS.items()},
        BY_SECTOR: {k: str(v) for k, v in Sector.choices},
        BY_STATE: states,
    }
    tables = []
    for dimension in DIMENSIONS:
        months = sorted({m for m, _k in cells[dimension]})
        keys = sorted({k for _m, k in cells[dimension]})
        counts: dict[tuple[Hashable, Hashable], int] = {
            cell: len(found) for cell, found in who[dimension].items()
        }
        published = publish_table(counts, rows=months, columns=keys)
        tables.append(
            LedgerTable(
                dimension=dimension,
                months=tuple(months),
                keys=tuple(keys),
                labels={k: labels[dimension].get(k, k) for k in keys},
                amounts=_published_amounts(dict(cells[dimension]), published, currency),
                published=published,
            )
        )
    return PublicLedger(
        currency=currency,
        rate_kind=rate_kind,
        until=public_month(latest_public_month(today)),
        tables=tables,
        not_valued=not_valued,
        rates=book.rates_used(),
    )


def public_ledger_rows(ledger: PublicLedger) -> list[list[Any]]:
    """The ledger as CSV rows under ``PUBLIC_LEDGER_HEADER``: one per shown figure, None for a
    suppressed one (the caller shows the mark)."""
    out: list[list[Any]] = []
    for table in ledger.tables:
        for month in (*table.months, None):
            for key in (*table.keys, None):
                out.append([
                    table.dimension, month or "all", key or "all",
                    table.labels.get(key, "") if key else "",
                    table.amount(month, key), ledger.currency,
                ])  # fmt: skip
    return out


PUBLIC_LEDGER_HEADER = ["by", "month", "key", "label", "amount", "currency"]
