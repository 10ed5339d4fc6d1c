"""The rules of a transfer, in one place (docs/rules.md).

Pure functions over plain values returning ``Problem``s; the model's ``clean``, the services and
the API ask these. Money was sent already: a transfer is never dated in the future.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from corridor.core.rules import Problem, date_problems, refuse


def transfer_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every reason to refuse a transfer with these values (organisations as their ids)."""
    problems = date_problems("sent_on", values.get("sent_on"))
    amount, fee = values.get("amount"), values.get("fee")
    if amount is not None and amount <= 0:
        message = _("the amount must be more than 0, not %(amount)s") % {"amount": amount}
        problems.append(Problem("amount", "amount_not_positive", message))
    if fee is not None and fee < 0:
        message = _("must be 0 or more, not %(value)s") % {"value": fee}
        problems.append(Problem("fee", "negative", message))
    elif fee is not None and amount is not None and amount > 0 and fee > amount:
        message = _("the fee %(fee)s is more than the amount sent %(amount)s")
        problems.append(Problem("fee", "fee_over_amount", message % {"fee": fee, "amount": amount}))
    currency: str = values.get("currency") or ""
    iso = len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()
    if not iso:
        message = _("give the ISO 4217 currency code (e.g. MMK, THB, USD)")
        problems.append(Problem("currency", "currency_code", message))
    sender, receiver = values.get("from_organisation"), values.get("to_organisation")
    if sender is not None and sender == receiver:
        message = _("a transfer goes between two different organisations")
        problems.append(Problem("to_organisation", "same_organisation", message))
    return problems


def transfer_clean(transfer: Any) -> None:
    names = ("sent_on", "amount", "fee", "currency")
    values = {name: getattr(transfer, name) for name in names}
    values["from_organisation"] = transfer.from_organisation_id
    values["to_organisation"] = transfer.to_organisation_id
    refuse(transfer_problems(values))
