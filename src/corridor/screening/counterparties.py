"""Who the money goes to, screened: a transfer's receiver and agent, a grant's whole chain.

Only a reader who may see a transfer's protected fields (its two sides, admins) gets its
screening: the agent's name is protected, and a warning names who was paid. The decisions that
apply are the paying organisation's (the transfer's sender; for spending, the spender; for the
grant's recipient, the donor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from corridor.accounts import policy
from corridor.funds.queries import spending_visible_to, transfers_visible_to
from corridor.screening.models import EntityList
from corridor.screening.queries import Screened, screen_names

RECEIVER = _("receiver")
AGENT = _("agent or carrier")
RECIPIENT = _("grant recipient")
SPENDER = _("spending organisation")


@dataclass(frozen=True)
class Counterparty:
    role: str
    name: str
    payer: Any  # the organisation whose decisions apply
    answer: Screened
    transfer: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": str(self.role),
            "name": self.name,
            "payer": str(self.payer.pk),
            "transfer": str(self.transfer.pk) if self.transfer is not None else None,
            **self.answer.as_dict(),
        }


def _screened(user: Any, wanted: list[tuple[str, str, Any, Any]]) -> list[Counterparty]:
    found = []
    by_payer: dict[Any, list[tuple[str, str, Any, Any]]] = {}
    for item in wanted:
        by_payer.setdefault(item[2], []).append(item)
    for payer, items in by_payer.items():
        answers = screen_names(user, [item[1] for item in items], organisation=payer)
        for (role, name, _payer, transfer), answer in zip(items, answers, strict=True):
            found.append(Counterparty(role, name, payer, answer, transfer))
    return found


def _lists_loaded() -> bool:
    return EntityList.objects.exists()


def transfer_counterparties(user: Any, transfer: Any) -> list[Counterparty]:
    """The transfer's receiver and agent, screened; empty for a reader who is not a side."""
    if not _lists_loaded() or not policy.can(user, policy.VIEW_PROTECTED, transfer):
        return []
    payer = transfer.from_organisation
    wanted = [(RECEIVER, transfer.to_organisation.name, payer, transfer)]
    if transfer.intermediary:
        wanted.append((AGENT, transfer.intermediary, payer, transfer))
    return _screened(user, wanted)


def proposed_transfer_counterparties(
    user: Any, *, from_organisation: Any, to_organisation: Any, intermediary: str = ""
) -> list[Counterparty]:
    """The receiver and agent of a transfer not yet recorded, screened: the form that records
    it warns before saving (decision 0340). The person typing the agent's name sees it anyway."""
    if not _lists_loaded() or not policy.can(user, policy.VIEW, EntityList):
        return []
    wanted: list[tuple[Any, str, Any, Any]] = [
        (RECEIVER, to_organisation.name, from_organisation, None)
    ]
    if intermediary:
        wanted.append((AGENT, intermediary, from_organisation, None))
    return _screened(user, wanted)


def grant_counterparties(user: Any, grant: Any) -> list[Counterparty]:
    """Everyone the grant's money reached that the reader may see by name: the recipient, each
    transfer's receiver and agent (transfers the reader is a side of), the spenders."""
    if not _lists_loaded():
        return []
    wanted = [(RECIPIENT, grant.recipient.name, grant.donor, None)]
    transfers = transfers_visible_to(user).filter(grant=grant)
    for t in transfers.select_related("from_organisation", "to_organisation"):
        if policy.can(user, policy.VIEW_PROTECTED, t):
            wanted.append((RECEIVER, t.to_organisation.name, t.from_organisation, t))
            if t.intermediary:
                wanted.append((AGENT, t.intermediary, t.from_organisation, t))
    spenders = {s.activity.organisation for s in spending_visible_to(user).filter(grant=grant)
                .select_related("activity__organisation")}  # fmt: skip
    wanted += [(SPENDER, org.name, grant.recipient, None) for org in spenders]
    seen, unique = set(), []
    for item in wanted:
        key = (str(item[0]), item[1], item[2].pk, getattr(item[3], "pk", None))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return _screened(user, unique)
