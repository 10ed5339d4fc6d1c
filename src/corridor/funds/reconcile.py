"""Reconciliation: what does not match yet, how big, since when, and who must act.

Per transfer: a leg one side claims for the other (the other must confirm or dispute it); money
sent but not recorded as received (the receiver); an amount received other than the hop's own
rate promised (the sender, who knows the channel); an open dispute (the side that did not open
it); a receipt the grant's donor asks the sending side to confirm and it has not yet (the
sender; decision 0366). Per partner: sent, fees, expected and received by pair of organisations
and currency. Per grant: what each organisation of the chain received, passed on, spent and
holds, and anyone who passed on or spent more than it received (decision 0238).

In a chosen currency (``currency=``, decision 0364) every mismatch also carries its size in it,
valued on the day it arose (``since``), and every organisation's holding its worth on ``today``;
the amounts in their own currencies stay as they are, and the rates used are listed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from corridor.core.money import quantize, text
from corridor.funds.custody import TransferRow, grant_transfers, hop_rate
from corridor.funds.models import Dispute, Grant, LegState, RateKind, Spending, Transfer
from corridor.funds.rates import RateBook

ZERO = Decimal(0)

CLAIMED = "claimed_leg"
NOT_RECEIVED = "not_received"
SHORT = "received_short"
OVER = "received_over"
DISPUTED = "disputed"
OVERSPENT = "overspent"
AWAITING_PARTNER = "awaiting_partner"


@dataclass(frozen=True)
class Mismatch:
    kind: str
    amount: Decimal
    currency: str
    since: dt.date
    age_days: int
    must_act: str  # the organisation's name
    transfer: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "amount": text(self.amount, self.currency),
            "currency": self.currency,
            "since": self.since.isoformat(),
            "age_days": self.age_days,
            "must_act": self.must_act,
            "transfer": self.transfer,
            "note": self.note,
        }


@dataclass
class PartnerLine:
    sender: str
    receiver: str
    currency: str
    transfers: int = 0
    sent: Decimal = ZERO
    fees: Decimal = ZERO
    received: Decimal = ZERO
    received_currency: str = ""
    expected: Decimal = ZERO
    unconfirmed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.sender,
            "to": self.receiver,
            "currency": self.currency,
            "transfers": self.transfers,
            "sent": text(self.sent, self.currency),
            "fees": text(self.fees, self.currency),
            "received_currency": self.received_currency,
            "expected": text(self.expected, self.received_currency or self.currency),
            "received": text(self.received, self.received_currency or self.currency),
            "unconfirmed": self.unconfirmed,
        }


def _mismatch(kind: str, amount: Decimal, currency: str, since: dt.date, today: dt.date,
              must_act: Any, transfer: TransferRow | Transfer | None,
              note: str = "") -> Mismatch:  # fmt: skip
    return Mismatch(
        kind=kind, amount=amount, currency=currency, since=since,
        age_days=(today - since).days, must_act=must_act.name,
        transfer=None if transfer is None else str(transfer.pk), note=note,
    )  # fmt: skip


def transfer_mismatches(
    transfers: Iterable[TransferRow | Transfer],
    *,
    today: dt.date,
    disputes: dict[Any, Dispute],
    partner_asked: bool = False,
) -> list[Mismatch]:
    """Every mismatch of these transfers (``disputes``: the open one of each transfer;
    ``partner_asked``: their grant's donor asks for a partner's confirmation of each receipt)."""
    out: list[Mismatch] = []
    for t in transfers:
        sender, receiver = t.from_organisation, t.to_organisation
        dispute = disputes.get(t.pk)
        if dispute is not None:
            other = receiver if dispute.opened_by_id == sender.pk else sender
            out.append(_mismatch(DISPUTED, t.amount, t.currency, dispute.opened_on, today,
                                 other, t, f"opened by {dispute.opened_by.name}"))  # fmt: skip
            continue
        if t.sent_state == LegState.CLAIMED:
            out.append(_mismatch(CLAIMED, t.amount, t.currency, t.sent_on, today, sender, t,
                                 "the sent leg, written by the receiver's side"))  # fmt: skip
        if t.received_state == LegState.CLAIMED and t.received_amount and t.received_on:
            note = "the received leg, written by the sender's side"
            out.append(_mismatch(CLAIMED, t.received_amount, t.received_currency, t.received_on,
                                 today, receiver, t, note))  # fmt: skip
        if (
            partner_asked
            and t.received_state == LegState.CONFIRMED
            and (t.partner_confirmed_on is None and t.received_amount and t.received_on)
        ):
            note = "the receipt, which the donor asks the sending side to confirm"
            out.append(_mismatch(AWAITING_PARTNER, t.received_amount, t.received_currency,
                                 t.received_on, today, sender, t, note))  # fmt: skip
        if not t.received_state:
            out.append(_mismatch(NOT_RECEIVED, t.net_sent, t.currency, t.sent_on, today,
                                 receiver, t, "sent; nobody has recorded it arriving"))  # fmt: skip
            continue
        rate = hop_rate(t)
        if rate is None or t.received_amount is None or t.received_on is None:
            continue
        expected = quantize(t.net_sent * rate, t.received_currency)
        gap = expected - t.received_amount
        if gap != 0:
            kind = SHORT if gap > 0 else OVER
            note = f"expected {expected} {t.received_currency} at the rate {rate}"
            out.append(_mismatch(kind, abs(gap), t.received_currency, t.received_on, today,
                                 sender, t, note))  # fmt: skip
    return out


def partner_lines(transfers: Iterable[TransferRow]) -> list[PartnerLine]:
    """Sent against received per pair of organisations and currency pair (confirmed legs;
    a transfer with a claimed leg is counted in ``unconfirmed``)."""
    lines: dict[tuple[str, str, str, str], PartnerLine] = {}
    for t in transfers:
        key = (t.from_organisation.name, t.to_organisation.name, t.currency, t.received_currency)
        line = lines.get(key)
        if line is None:
            line = lines[key] = PartnerLine(key[0], key[1], t.currency, received_currency=key[3])
        line.transfers += 1
        if LegState.CLAIMED in (t.sent_state, t.received_state):
            line.unconfirmed += 1
        if t.sent_state == LegState.CONFIRMED:
            line.sent += t.amount
            line.fees += t.fee or ZERO
            rate = hop_rate(t)
            if rate is not None and t.received_state == LegState.CONFIRMED:
                line.expected += quantize(t.net_sent * rate, t.received_currency)
        if t.received_state == LegState.CONFIRMED and t.received_amount is not None:
            line.received += t.received_amount
    return [lines[key] for key in sorted(lines)]


def open_dispute_map(grant: Grant) -> dict[Any, Dispute]:
    rows = Dispute.objects.filter(transfer__grant=grant, resolved_on__isnull=True)
    return {d.transfer_id: d for d in rows.select_related("opened_by").order_by("opened_on")}


@dataclass
class GrantReconciliation:
    grant: Grant
    today: dt.date
    mismatches: list[Mismatch]
    partners: list[PartnerLine]
    organisations: list[dict[str, Any]]
    #: In a chosen currency only: each mismatch's size in it (in the order of ``mismatches``),
    #: and the rates used (``organisations`` lines then carry ``held_value``).
    value_currency: str = ""
    rate_kind: str = ""
    values: list[Decimal] | None = None
    rates: list[dict[str, str | bool]] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "grant": str(self.grant.pk),
            "currency": self.grant.currency,
            "today": self.today.isoformat(),
            "mismatches": [m.as_dict() for m in self.mismatches],
            "partners": [p.as_dict() for p in self.partners],
            "organisations": self.organisations,
        }
        if self.values is not None:
            cur = self.value_currency
            for line, value in zip(out["mismatches"], self.values, strict=True):
                line["value"] = text(value, cur)
            out.update({
                "value_currency": cur, "rate_kind": self.rate_kind,
                "mismatches_value": text(sum(self.values, ZERO), cur),
                "rates": self.rates or [],
            })  # fmt: skip
        return out


def grant_reconcile(
    grant: Grant,
    *,
    today: dt.date,
    currency: str | None = None,
    rate_kind: str = RateKind.MARKET,
    book: RateBook | None = None,
) -> GrantReconciliation:
    """Received against passed on and spent, per organisation and currency, for one grant;
    with ``currency``, each mismatch and holding valued in it too (``MissingRate`` when the
    table lacks a rate it needs)."""
    transfers = grant_transfers(grant)
    disputes = open_dispute_map(grant)
    mismatches = transfer_mismatches(
        transfers, today=today, disputes=disputes, partner_asked=grant.wants_partner
    )
    flows: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: {"received": ZERO, "passed_on": ZERO, "spent": ZERO}
    )
    orgs: dict[str, Any] = {}
    last: dict[tuple[str, str], dt.date] = {}
    for t in transfers:
        if t.pk in disputes or t.sent_state != LegState.CONFIRMED:
            continue  # a claim counts nowhere until its own side confirms (listed above)
        if t.received_state == LegState.CONFIRMED and t.received_amount is not None:
            orgs[t.to_organisation.name] = t.to_organisation
            flows[(t.to_organisation.name, t.received_currency)]["received"] += t.received_amount
        if t.sent_state == LegState.CONFIRMED and t.from_organisation_id != grant.donor_id:
            key = (t.from_organisation.name, t.currency)
            orgs[key[0]] = t.from_organisation
            flows[key]["passed_on"] += t.amount
            last[key] = max(last.get(key, t.sent_on), t.sent_on)
    spent = Spending.objects.filter(grant=grant).select_related("activity__organisation")
    for s in spent:
        org = s.activity.organisation
        key = (org.name, s.currency)
        orgs[org.name] = org
        flows[key]["spent"] += s.amount
        last[key] = max(last.get(key, s.spent_on), s.spent_on)
    if currency is not None:
        book = book or RateBook(rate_kind)
    lines = []
    for (name, code), flow in sorted(flows.items()):
        held = flow["received"] - flow["passed_on"] - flow["spent"]
        lines.append({"organisation": name, "currency": code, "held": text(held, code),
                      **{k: text(v, code) for k, v in flow.items()}})  # fmt: skip
        if book is not None and currency is not None:
            lines[-1]["held_value"] = text(book.value(held, code, currency, today), currency)
        if held < 0:
            since = last.get((name, code), today)
            note = "passed on or spent more of this grant than it received"
            mismatches.append(
                _mismatch(OVERSPENT, -held, code, since, today, orgs[name], None, note)
            )
    found = GrantReconciliation(
        grant=grant,
        today=today,
        mismatches=mismatches,
        partners=partner_lines(transfers),
        organisations=lines,
    )
    if book is not None and currency is not None:
        found.values = [book.value(m.amount, m.currency, currency, m.since) for m in mismatches]
        found.value_currency, found.rate_kind = currency, rate_kind
        found.rates = book.rates_used()
    return found
