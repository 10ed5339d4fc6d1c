"""The rules of the ledger's records, in one place (docs/rules.md, docs/money.md).

Pure functions over plain values returning ``Problem``s; the models' ``clean``, the services and
the API ask these. Money was sent already: a transfer is never dated in the future. Amounts must
fit their currency's minor unit (1500.5 MMK is refused: Corridor keeps whole kyat).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from corridor.core.money import CURRENCY_TABLE, is_exact
from corridor.core.rules import Problem, date_problems, refuse
from corridor.core.sectors import Sector


def currency_problems(field: str, code: str | None) -> list[Problem]:
    if code in CURRENCY_TABLE:
        return []
    message = _("give an ISO 4217 currency code Corridor knows (e.g. MMK, THB, USD), not %(code)s")
    return [Problem(field, "currency_code", message % {"code": code or "nothing"})]


def amount_problems(
    field: str, amount: Decimal | None, code: str | None, *, zero: bool = False
) -> list[Problem]:
    """Positive (or 0 or more with ``zero``), a Decimal, and no finer than the currency keeps."""
    if amount is None:
        return []
    if isinstance(amount, float):
        return [Problem(field, "float", _("money is never a float: give a decimal amount"))]
    if amount < 0 or (amount == 0 and not zero):
        message = (
            _("must be 0 or more, not %(value)s")
            if zero
            else _("the amount must be more than 0, not %(value)s")
        )
        code_name = "negative" if zero else "amount_not_positive"
        return [Problem(field, code_name, message % {"value": amount})]
    if code in CURRENCY_TABLE and not is_exact(Decimal(amount), code):
        message = _("%(value)s has more decimals than %(code)s keeps")
        return [Problem(field, "minor_unit", message % {"value": amount, "code": code})]
    return []


def transfer_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every reason to refuse a transfer with these values (organisations as their ids)."""
    problems = date_problems("sent_on", values.get("sent_on"))
    amount, fee = values.get("amount"), values.get("fee")
    currency: str = values.get("currency") or ""
    problems += currency_problems("currency", currency)
    problems += amount_problems("amount", amount, currency)
    problems += amount_problems("fee", fee, currency, zero=True)
    # A fee is compared with the amount only when both are right in themselves.
    compared = not any(p.field in ("fee", "amount") for p in problems)
    if compared and fee is not None and amount and fee > amount:
        message = _("the fee %(fee)s is more than the amount sent %(amount)s")
        problems.append(Problem("fee", "fee_over_amount", message % {"fee": fee, "amount": amount}))
    sender, receiver = values.get("from_organisation"), values.get("to_organisation")
    if sender is not None and sender == receiver:
        message = _("a transfer goes between two different organisations")
        problems.append(Problem("to_organisation", "same_organisation", message))
    rate = values.get("rate")
    if rate is not None and rate <= 0:
        problems.append(Problem("rate", "rate_not_positive", _("a rate is more than 0")))
    if values.get("received_state"):
        received_currency = values.get("received_currency") or ""
        problems += currency_problems("received_currency", received_currency)
        problems += amount_problems(
            "received_amount", values.get("received_amount"), received_currency
        )
        received_on = values.get("received_on")
        if received_on is None or values.get("received_amount") is None:
            message = _("a received leg has an amount, a currency and a date")
            problems.append(Problem("received_amount", "received_leg_incomplete", message))
        else:
            problems += date_problems("received_on", received_on)
            sent_on = values.get("sent_on")
            if sent_on is not None and received_on < sent_on:
                message = _("money cannot arrive before it was sent")
                problems.append(Problem("received_on", "received_before_sent", message))
        if received_currency == currency and rate is not None and rate != 1:
            message = _("a transfer in one currency has no exchange rate other than 1")
            problems.append(Problem("rate", "rate_same_currency", message))
    return problems


def transfer_clean(transfer: Any) -> None:
    names = (
        "sent_on", "amount", "fee", "currency", "rate",
        "received_state", "received_amount", "received_currency", "received_on",
    )  # fmt: skip
    values = {name: getattr(transfer, name) for name in names}
    values["from_organisation"] = transfer.from_organisation_id
    values["to_organisation"] = transfer.to_organisation_id
    refuse(transfer_problems(values))


def grant_problems(values: Mapping[str, Any]) -> list[Problem]:
    currency = values.get("currency") or ""
    problems = currency_problems("currency", currency)
    problems += amount_problems("amount", values.get("amount"), currency)
    problems += date_problems("pledged_on", values.get("pledged_on"))
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is not None and ends is not None and ends < starts:
        problems.append(Problem("ends_on", "ends_before_start", _("a grant ends after it starts")))
    unknown = sorted(set(values.get("sectors") or []) - set(Sector.values))
    if unknown:
        message = _("unknown sector code(s): %(codes)s") % {"codes": ", ".join(map(str, unknown))}
        problems.append(Problem("sectors", "sector_unknown", message))
    donor, recipient = values.get("donor"), values.get("recipient")
    if donor is not None and donor == recipient:
        message = _("a grant goes between two different organisations")
        problems.append(Problem("recipient", "same_organisation", message))
    return problems


def grant_clean(grant: Any) -> None:
    names = ("currency", "amount", "pledged_on", "starts_on", "ends_on", "sectors")
    values = {name: getattr(grant, name) for name in names}
    values["donor"], values["recipient"] = grant.donor_id, grant.recipient_id
    refuse(grant_problems(values))


def spending_clean(spending: Any) -> None:
    problems = currency_problems("currency", spending.currency)
    problems += amount_problems("amount", spending.amount, spending.currency)
    problems += date_problems("spent_on", spending.spent_on)
    refuse(problems)


def dispute_clean(dispute: Any) -> None:
    problems = date_problems("opened_on", dispute.opened_on)
    if not (dispute.note or "").strip():
        problems.append(Problem("note", "note_missing", _("say what is wrong")))
    if dispute.resolved_on is not None and not (dispute.resolution or "").strip():
        message = _("say how it was resolved")
        problems.append(Problem("resolution", "resolution_missing", message))
    refuse(problems)


def rate_clean(rate: Any) -> None:
    problems = currency_problems("from_currency", rate.from_currency)
    problems += currency_problems("to_currency", rate.to_currency)
    if rate.from_currency == rate.to_currency:
        message = _("a rate converts between two different currencies")
        problems.append(Problem("to_currency", "same_currency", message))
    if rate.rate is not None and rate.rate <= 0:
        problems.append(Problem("rate", "rate_not_positive", _("a rate is more than 0")))
    problems += date_problems("on", rate.on)
    if not (rate.source or "").strip():
        message = _("say where the rate comes from (a bank, a newspaper, the agent)")
        problems.append(Problem("source", "source_missing", message))
    refuse(problems)


# --- The donor's reporting rule (decision 0366) -------------------------------------------------

#: What each reporting rule asks once money has arrived, by the code of its problem. "none"
#: asks nothing; the values are ``models.ReportingRule``'s (funds/tests/test_reporting.py).
NOTE_MISSING = "note_missing"
PHOTO_MISSING = "photo_missing"
PARTNER_MISSING = "partner_confirmation_missing"
RULE_ASKS = {
    "note": NOTE_MISSING,
    "receipt": PHOTO_MISSING,
    "partner_confirmation": PARTNER_MISSING,
}
#: What the receiver gives while confirming what arrived; the partner's confirmation comes after.
RECEIVER_GIVES = frozenset({NOTE_MISSING, PHOTO_MISSING})


def reporting_problems(transfer: Any, *, photos: int) -> list[Problem]:
    """What the grant's reporting rule still needs for this transfer, once something arrived:
    the receiver's note, a photo of the receipt (``photos``: how many the transfer has), or
    the sending side's confirmation of the receipt. Nothing for a transfer of no grant."""
    grant = transfer.grant
    if grant is None or not transfer.received_state:
        return []
    asked = RULE_ASKS.get(grant.reporting)
    if asked == NOTE_MISSING and not (transfer.received_note or "").strip():
        message = _("the donor of %(grant)s asks for a note on what arrived: write one")
        return [Problem("received_note", asked, message % {"grant": grant.title})]
    if asked == PHOTO_MISSING and photos < 1:
        message = _(
            "the donor of %(grant)s asks for a photo of the receipt or the signed distribution "
            "list: add one"
        )
        return [Problem("photo", asked, message % {"grant": grant.title})]
    # The partner confirms what the receiver confirmed; a claim waits for the receiver first.
    confirmed = transfer.received_state == "confirmed"
    if asked == PARTNER_MISSING and confirmed and transfer.partner_confirmed_on is None:
        message = _("the donor of %(grant)s asks %(sender)s to confirm the receipt too")
        values = {"grant": grant.title, "sender": transfer.from_organisation}
        return [Problem("partner_confirmed_on", asked, message % values)]
    return []
