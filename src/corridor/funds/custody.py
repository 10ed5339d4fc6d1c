"""Chain of custody of one grant: where every part of its amount is now, in its currency.

The grant's money is followed hop by hop (its transfers) to the activities it paid for. Every
amount is valued in the grant's currency with one kind of reference rate (market by default;
official on request) from the rate table, on the day it happened; what is still held is valued
on the day of the report. The parts (``Custody.breakdown``):

- ``not_yet_sent``: the pledge less what the donor has sent;
- ``in_transit``: sent (confirmed by the sender), less the fee, but not yet confirmed received;
- ``fees``: what the channels took;
- ``unaccounted``: what arrived short of what the hop's own rate promised (or more: negative);
- ``disputed``: the amounts of transfers under an open dispute, counted nowhere else;
- ``spent_on_activities``: spending on 4W rows;
- ``held_by:<organisation>``: what each intermediary and the recipient still hold;
- ``exchange_differences``: the rest, so that the parts add up exactly to the grant: value lost
  (positive) or gained (negative) because money changed currency at rates other than the
  reference rates, and was held while rates moved, plus the rounding of each part to the
  currency's minor unit (decision 0238).

Only confirmed legs count: a leg one side claims for the other is listed in ``claims`` and
nowhere else until its own side confirms it (decision 0236).

In another currency (``currency=``, decision 0364): every flow is valued in it on the day it
happened, and the stocks (the grant's amount, what is not yet sent, what is held) on the report's
day; each part is rounded to that currency's minor unit and ``exchange_differences`` takes the
rest, rounding included, so that the parts still add up exactly (decision 0365).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField
from django.db.models.functions import Cast

from corridor.core.money import quantize, rate_text, text
from corridor.funds.models import Dispute, Grant, LegState, RateKind, Spending, Transfer
from corridor.funds.rates import RateBook
from corridor.orgs.models import Organisation
from corridor.orgs.queries import OrganisationNames

ZERO = Decimal(0)
FIXED_PARTS = (
    "not_yet_sent",
    "in_transit",
    "fees",
    "unaccounted",
    "disputed",
    "spent_on_activities",
)
HELD = "held_by:"
EXCHANGE = "exchange_differences"


@dataclass
class Hop:
    """One transfer of the grant, with its values in the grant's currency."""

    transfer: TransferRow
    counted: bool
    disputed: bool
    sent_value: Decimal = ZERO
    fee_value: Decimal = ZERO
    in_transit_value: Decimal = ZERO
    expected_received: Decimal | None = None  # in the received currency, at the hop's own rate
    shortfall: Decimal | None = None  # in the received currency
    unaccounted_value: Decimal = ZERO
    received_value: Decimal = ZERO
    unvalued: bool = False  # the sent amount could not be converted: a rate is missing

    def as_dict(self) -> dict[str, Any]:
        t = self.transfer
        return {
            "transfer": str(t.pk),
            "from": t.from_organisation.name,
            "to": t.to_organisation.name,
            "channel": t.channel,
            "sent": {"amount": text(t.amount, t.currency), "currency": t.currency,
                     "on": t.sent_on.isoformat(), "fee": text(t.fee or ZERO, t.currency),
                     "state": t.sent_state},
            "received": (
                {"amount": text(t.received_amount, t.received_currency),
                 "currency": t.received_currency,
                 "on": t.received_on.isoformat() if t.received_on else None,
                 "state": t.received_state}
                if t.received_state else None
            ),
            "rate": None if t.rate is None else rate_text(t.rate),
            "counted": self.counted,
            "disputed": self.disputed,
            "expected_received": _text(self.expected_received),
            "shortfall": _text(self.shortfall),
            "value": {
                "sent": str(self.sent_value),
                "fee": str(self.fee_value),
                "in_transit": str(self.in_transit_value),
                "unaccounted": str(self.unaccounted_value),
                "received": str(self.received_value),
            },
        }  # fmt: skip


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class Custody:
    grant: Grant
    valued_on: dt.date
    rate_kind: str
    breakdown: dict[str, Decimal]
    hops: list[Hop]
    holdings: dict[str, dict[str, Decimal]]  # organisation name -> currency -> amount
    spending: list[dict[str, Any]]
    people_reached: int
    claims: list[dict[str, Any]]
    rates: list[dict[str, str | bool]] = field(default_factory=list)
    #: Rates the table lacked (``missing_rates="note"``) and the parts that leave amounts out.
    missing_rates: list[dict[str, str]] = field(default_factory=list)
    incomplete: set[str] = field(default_factory=set)
    #: The currency the parts are in and the grant's amount in it (the grant's own when empty).
    currency: str = ""
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        self.currency = self.currency or self.grant.currency
        if self.amount is None:
            self.amount = self.grant.amount

    @property
    def in_other_currency(self) -> bool:
        return self.currency != self.grant.currency

    @property
    def total(self) -> Decimal:
        return sum(self.breakdown.values(), ZERO)

    def as_dict(self) -> dict[str, Any]:
        g = self.grant
        return {
            "grant": str(g.pk),
            "title": g.title,
            "donor": g.donor.name,
            "recipient": g.recipient.name,
            "amount": text(self.amount or ZERO, self.currency),
            "currency": self.currency,
            # In another currency: the grant's own amount too (not in the grant's currency,
            # whose answer stays as it was).
            **(
                {"grant_amount": text(g.amount, g.currency), "grant_currency": g.currency}
                if self.in_other_currency
                else {}
            ),
            "valued_on": self.valued_on.isoformat(),
            "rate_kind": self.rate_kind,
            "breakdown": {
                name: text(value, self.currency) for name, value in self.breakdown.items()
            },
            "hops": [hop.as_dict() for hop in self.hops],
            "holdings": {
                name: {cur: text(amount, cur) for cur, amount in sorted(held.items())}
                for name, held in self.holdings.items()
            },
            "activities": self.spending,
            "people_reached": self.people_reached,
            "claims": self.claims,
            "rates": self.rates,
            # Only when a rate was missing and noted (never in the refusing default).
            **(
                {"missing_rates": self.missing_rates, "incomplete": sorted(self.incomplete)}
                if self.missing_rates
                else {}
            ),
        }


@dataclass(slots=True)
class TransferRow:
    """A transfer as custody and reconciliation read it: its plain columns and its two
    organisations, without building a model instance per row (bench/reconcile.py: a grant
    may hold tens of thousands of transfers). Never saved; writes go through the services."""

    key: str  # the transfer's id as the database gives it as text (``pk`` makes the UUID)
    from_organisation_id: Any
    to_organisation_id: Any
    amount: Decimal
    currency: str
    fee: Decimal | None
    sent_on: dt.date
    sent_state: str
    received_amount: Decimal | None
    received_currency: str
    received_on: dt.date | None
    received_state: str
    rate: Decimal | None
    channel: str
    partner_confirmed_on: dt.date | None
    from_organisation: Organisation
    to_organisation: Organisation

    @property
    def pk(self) -> uuid.UUID:
        return uuid.UUID(self.key)

    @property
    def net_sent(self) -> Decimal:
        """What the channel passed on, in the sent currency: the amount less the fee."""
        return self.amount - (self.fee or ZERO)


ROW_COLUMNS = (
    "key", "from_organisation_id", "to_organisation_id", "amount", "currency", "fee", "sent_on",
    "sent_state", "received_amount", "received_currency", "received_on", "received_state",
    "rate", "channel", "partner_confirmed_on",
)  # fmt: skip


def grant_transfers(grant: Grant) -> list[TransferRow]:
    """The grant's transfers in the order they were sent, each with its two organisations
    (read once each). The ids are read as text, and the two organisation ids matched to the
    organisations read once: no UUID is made per row (bench/reconcile.py)."""
    as_text = {"key": Cast("pk", CharField()),
               "from_key": Cast("from_organisation_id", CharField()),
               "to_key": Cast("to_organisation_id", CharField())}  # fmt: skip
    columns = ("key", "from_key", "to_key", *ROW_COLUMNS[3:])
    rows = list(grant.transfers.order_by("sent_on", "id").annotate(**as_text).values_list(*columns))
    keys = {r[1] for r in rows} | {r[2] for r in rows}
    found = Organisation.objects.annotate(key=Cast("pk", CharField())).filter(key__in=keys)
    orgs = {org.key: org for org in found}
    return [
        TransferRow(r[0], orgs[r[1]].pk, orgs[r[2]].pk, *r[3:], orgs[r[1]], orgs[r[2]])
        for r in rows
    ]


def open_disputes(grant: Grant) -> set[str]:
    """The ids, as text (``TransferRow.key``), of the grant's transfers under an open dispute."""
    found = Dispute.objects.filter(transfer__grant=grant, resolved_on__isnull=True)
    return set(found.annotate(key=Cast("transfer_id", CharField())).values_list("key", flat=True))


def hop_rate(t: TransferRow | Transfer) -> Decimal | None:
    """The rate the hop itself used: as recorded, 1 within one currency, else implied."""
    if t.rate is not None:
        return t.rate
    if t.received_currency == t.currency:
        return Decimal(1)
    return None


def custody(
    grant: Grant,
    *,
    valued_on: dt.date,
    rate_kind: str = RateKind.MARKET,
    book: RateBook | None = None,
    missing_rates: str = "refuse",
    currency: str | None = None,
) -> Custody:
    """The grant's chain of custody valued on ``valued_on`` (see the module's docstring).

    An amount the rate table cannot convert is refused (InvalidInput naming the rate to add),
    or with ``missing_rates="note"`` left out: the parts it belongs to, and the exchange
    differences (the rest), are listed in ``Custody.incomplete`` and the rates it needed in
    ``Custody.missing_rates``, for a report to show beside its figures.

    ``currency``: value in this currency rather than the grant's (module docstring)."""
    if missing_rates not in ("refuse", "note"):
        raise ValueError(f"missing_rates: {missing_rates!r} is neither 'refuse' nor 'note'")
    book = book or RateBook(rate_kind)
    incomplete: set[str] = set()
    cur = currency or grant.currency
    other = cur != grant.currency
    # In another currency, what the donor sent is also counted in the grant's own currency:
    # the pledge less that is what it has not sent yet, a stock valued on the report's day.
    donor_sent_own = ZERO
    transfers = grant_transfers(grant)
    disputed_ids = open_disputes(grant)
    parts = dict.fromkeys(FIXED_PARTS, ZERO)
    holdings: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    names: dict[Any, str] = {}
    hops: list[Hop] = []
    claims: list[dict[str, Any]] = []
    donor_sent = ZERO
    donor_id = grant.donor_id

    def converted(amount: Decimal, currency: str, on: dt.date, part: str) -> Decimal | None:
        if missing_rates == "refuse":
            return book.value(amount, currency, cur, on)
        found = book.try_value(amount, currency, cur, on)
        if found is None:
            incomplete.update({part, EXCHANGE} - {""})
        return found

    def value(amount: Decimal, currency: str, on: dt.date, part: str = "") -> Decimal:
        found = converted(amount, currency, on, part)
        return ZERO if found is None else found

    def in_own_currency(amount: Decimal, currency: str, on: dt.date) -> Decimal:
        if missing_rates == "refuse":
            return book.value(amount, currency, grant.currency, on)
        found = book.try_value(amount, currency, grant.currency, on)
        if found is None:
            incomplete.update({"not_yet_sent", EXCHANGE})
        return ZERO if found is None else found

    for t in transfers:
        names[t.from_organisation_id] = t.from_organisation.name
        names[t.to_organisation_id] = t.to_organisation.name
        sent_ok = t.sent_state == LegState.CONFIRMED
        received_ok = t.received_state == LegState.CONFIRMED
        disputed = t.key in disputed_ids
        hop = Hop(transfer=t, counted=sent_ok and not disputed, disputed=disputed)
        hops.append(hop)
        for leg, state in (("sent", t.sent_state), ("received", t.received_state)):
            if state == LegState.CLAIMED:
                side = t.from_organisation if leg == "sent" else t.to_organisation
                claims.append({"transfer": str(t.pk), "leg": leg, "awaiting": side.name})
        if not sent_ok:
            continue  # the sender has not said it sent this: it counts nowhere
        from_donor = t.from_organisation_id == donor_id
        sent_part = "disputed" if hop.disputed else "not_yet_sent"
        if not from_donor and not hop.disputed:
            sent_part = ""  # an intermediary's sending moves value between parts, adds none
        sent_value = converted(t.amount, t.currency, t.sent_on, sent_part)
        hop.unvalued = sent_value is None
        hop.sent_value = ZERO if sent_value is None else sent_value
        if from_donor:
            donor_sent += hop.sent_value
            if other:
                donor_sent_own += in_own_currency(t.amount, t.currency, t.sent_on)
        else:
            holdings[t.from_organisation_id][t.currency] -= t.amount
        if hop.disputed:
            parts["disputed"] += hop.sent_value
            continue
        hop.fee_value = value(t.fee or ZERO, t.currency, t.sent_on, "fees")
        parts["fees"] += hop.fee_value
        if not received_ok:
            hop.in_transit_value = value(t.net_sent, t.currency, t.sent_on, "in_transit")
            parts["in_transit"] += hop.in_transit_value
            continue
        if t.received_amount is None or t.received_on is None:
            continue  # a confirmed leg is whole (a database constraint): never reached
        holdings[t.to_organisation_id][t.received_currency] += t.received_amount
        hop.received_value = value(t.received_amount, t.received_currency, t.received_on)
        rate = hop_rate(t)
        if rate is not None:
            hop.expected_received = quantize(t.net_sent * rate, t.received_currency)
            hop.shortfall = hop.expected_received - t.received_amount
            hop.unaccounted_value = value(
                hop.shortfall, t.received_currency, t.received_on, "unaccounted"
            )
            parts["unaccounted"] += hop.unaccounted_value

    amount = grant.amount
    if other:
        amount = value(grant.amount, grant.currency, valued_on, EXCHANGE)
        parts["not_yet_sent"] = value(
            grant.amount - donor_sent_own, grant.currency, valued_on, "not_yet_sent"
        )
    else:
        parts["not_yet_sent"] = grant.amount - donor_sent
    spending_rows = []
    people = 0
    seen_activities = set()
    rows = Spending.objects.filter(grant=grant).select_related("activity__organisation")
    for s in rows.order_by("spent_on", "id"):
        spender = s.activity.organisation
        names[spender.pk] = spender.name
        holdings[spender.pk][s.currency] -= s.amount
        spent = converted(s.amount, s.currency, s.spent_on, "spent_on_activities")
        parts["spent_on_activities"] += spent or ZERO
        if s.activity_id not in seen_activities:
            seen_activities.add(s.activity_id)
            people += s.activity.people_reached
        spending_rows.append({
            "activity": str(s.activity_id), "organisation": spender.name,
            "amount": text(s.amount, s.currency), "currency": s.currency,
            "spent_on": s.spent_on.isoformat(),
            "value": "" if spent is None else str(spent),
            "people_reached": s.activity.people_reached,
        })  # fmt: skip

    held_parts: dict[str, Decimal] = {}
    held_by_name: dict[str, dict[str, Decimal]] = {}
    for org_id in sorted(holdings, key=lambda pk: names[pk]):
        if org_id == grant.donor_id:
            continue
        balances = {c: a for c, a in holdings[org_id].items() if a != 0}
        held_by_name[names[org_id]] = balances
        held_parts[HELD + names[org_id]] = sum(
            (value(a, c, valued_on, HELD + names[org_id]) for c, a in sorted(balances.items())),
            ZERO,
        )
    breakdown = dict(parts)
    breakdown.update(held_parts)
    breakdown[EXCHANGE] = amount - sum(breakdown.values(), ZERO)
    return Custody(
        grant=grant,
        valued_on=valued_on,
        rate_kind=rate_kind,
        breakdown=breakdown,
        hops=hops,
        holdings=held_by_name,
        spending=spending_rows,
        people_reached=people,
        claims=claims,
        rates=book.rates_used(),
        missing_rates=book.rates_missing(),
        incomplete=incomplete,
        currency=cur,
        amount=amount,
    )


def organisation_labels(found: Custody, user: Any) -> Callable[[str], str]:
    """How ``user`` is shown each organisation ``found`` names (by its name in the report): by
    its name when they may see it, else by its public label (decision 0110). The custody page,
    its picture and the API's custody name organisations this way."""
    names = OrganisationNames(user)
    by_name: dict[str, Organisation] = {}
    for hop in found.hops:
        for org in (hop.transfer.from_organisation, hop.transfer.to_organisation):
            by_name[org.name] = org
    grant = found.grant
    for org in (grant.donor, grant.recipient):
        by_name[org.name] = org
    spenders = Spending.objects.filter(grant=grant).select_related("activity__organisation")
    for s in spenders:
        by_name[s.activity.organisation.name] = s.activity.organisation

    def label(name: str) -> str:
        return names.label(by_name[name]) if name in by_name else name

    return label


def custody_answer(found: Custody, label: Callable[[str], str]) -> dict[str, Any]:
    """Custody as the API answers it to one reader: the parts (holdings under the name ``label``
    gives, two organisations shown by one label added together, so the parts still add up
    exactly), the grant's amount in the report's currency, the rates used. Like the custody
    page, no transfer id, reference or agent."""
    g = found.grant
    cur = found.currency
    breakdown: dict[str, Decimal] = {}
    for key, amount in found.breakdown.items():
        shown = HELD + label(key[len(HELD) :]) if key.startswith(HELD) else key
        breakdown[shown] = breakdown.get(shown, ZERO) + amount
    return {
        "grant": str(g.pk),
        "title": g.title,
        "donor": label(g.donor.name),
        "recipient": label(g.recipient.name),
        "grant_amount": text(g.amount, g.currency),
        "grant_currency": g.currency,
        "amount": text(found.amount or ZERO, cur),
        "currency": cur,
        "valued_on": found.valued_on.isoformat(),
        "rate_kind": found.rate_kind,
        "breakdown": {key: text(amount, cur) for key, amount in breakdown.items()},
        "claims_not_counted": len(found.claims),
        "rates": found.rates,
    }
