"""``{% screening_warnings transfer %}``: the screening warning on a transfer's page (its receiver
and agent against the loaded lists), for the transfer's two sides only (docs/screening.md)."""

from __future__ import annotations

from typing import Any

from django import template

from corridor.accounts import policy
from corridor.screening.counterparties import transfer_counterparties
from corridor.screening.models import ScreeningDecision

register = template.Library()


@register.inclusion_tag("web/_screening_warnings.html", takes_context=True)
def screening_warnings(context: Any, transfer: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    found = [c for c in transfer_counterparties(user, transfer) if c.answer.hit.status != "clear"]
    payer = transfer.from_organisation
    return {
        "rows": found,
        "warnings": sum(c.answer.warns for c in found),
        "may_decide": policy.can(user, policy.ADD, ScreeningDecision(organisation=payer)),
        "here": request.get_full_path() if request is not None else "",
    }
