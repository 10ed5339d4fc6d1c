"""Reads: the lists, screening names against them, and what an organisation decided.

The matcher's index is built once per process from every loaded list and rebuilt when a list's
version changes (``_index``); screening is reference data any member may ask about.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from corridor.accounts import policy
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.screening.matcher import CLEAR, Hit, Index, Target
from corridor.screening.models import EntityList, ListedEntity, ScreeningDecision, Verdict
from corridor.screening.names import normalise

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def lists_visible_to(user: Any) -> QuerySet[EntityList]:
    if user is not None and not policy.can(user, policy.VIEW, EntityList):
        return EntityList.objects.none()
    return EntityList.objects.all()


def _versions() -> tuple[tuple[Any, ...], ...]:
    # The list's id too: a list deleted and loaded again starts at version 1 again.
    return tuple(
        EntityList.objects.order_by("pk").values_list("pk", "name", "version", "entity_count")
    )


def _index() -> tuple[Index, dict[Any, dict[str, Any]]]:
    versions = _versions()
    with _lock:
        if _cache.get("versions") != versions:
            rows = ListedEntity.objects.values(
                "pk", "key", "name", "aliases", "weak_aliases", "schema", "listed", "links",
                "fingerprint", "entity_list__name",
            )  # fmt: skip
            by_key = {(r["entity_list__name"], r["key"]): r["pk"] for r in rows}
            targets, facts = [], {}
            for r in rows:
                list_name = r["entity_list__name"]
                links = tuple(
                    (relation, by_key[(list_name, key)])
                    for relation, key in r["links"]
                    if (list_name, key) in by_key
                )
                targets.append(Target(
                    id=r["pk"], name=r["name"], aliases=tuple(r["aliases"]),
                    weak_aliases=tuple(r["weak_aliases"]), schema=r["schema"],
                    listed=r["listed"], links=links, list_name=list_name,
                ))  # fmt: skip
                facts[r["pk"]] = {"key": r["key"], "fingerprint": r["fingerprint"]}
            _cache["versions"], _cache["index"], _cache["facts"] = versions, Index(targets), facts
        return _cache["index"], _cache["facts"]


@dataclass(frozen=True)
class Screened:
    """One name's answer, with the organisation's decision on it when there is one."""

    hit: Hit
    decision: ScreeningDecision | None = None
    stale: bool = False  # decided, but the entity changed since: ask again
    notes: tuple[str, ...] = field(default=())

    @property
    def warns(self) -> bool:
        """Whether money to this name needs a person's attention."""
        if self.hit.status == CLEAR:
            return False
        return not (
            self.decision is not None
            and not self.stale
            and self.decision.verdict == Verdict.DISMISSED
        )

    def as_dict(self) -> dict[str, Any]:
        data = self.hit.as_dict()
        if self.decision is not None:
            data["decision"] = {
                "verdict": self.decision.verdict,
                "reason": self.decision.reason,
                "by": self.decision.updated_by.get_username() if self.decision.updated_by else "",
                "at": self.decision.updated_at.isoformat(),
                "stale": self.stale,
            }
        data["warns"] = self.warns
        return data


def screen_names(
    user: Any,
    names: Iterable[str],
    *,
    organisation: Any = None,
    progress: Callable[[int], None] | None = None,
) -> list[Screened]:
    """Each of ``names`` against every list; with ``organisation``, its decisions applied."""
    if user is not None and not policy.can(user, policy.VIEW, EntityList):
        raise NotAllowed("you may not screen names against the lists")
    index, facts = _index()
    hits = []
    for number, text in enumerate(names, start=1):
        hits.append(index.screen(text))
        if progress is not None:
            progress(number)
    if organisation is None:
        return [Screened(hit) for hit in hits]
    keys = {normalise(h.query).key for h in hits if h.status != CLEAR}
    decided = {
        (d.name_key, d.list_name, d.entity_key): d
        for d in ScreeningDecision.objects.filter(organisation=organisation, name_key__in=keys)
        .select_related("updated_by")
    }  # fmt: skip
    answers = []
    for hit in hits:
        if hit.status == CLEAR:
            answers.append(Screened(hit))
            continue
        fact = facts[hit.entity_id]
        decision = decided.get((normalise(hit.query).key, hit.list_name, fact["key"]))
        stale = decision is not None and decision.fingerprint != fact["fingerprint"]
        notes = ("the list changed this entity since the decision: decide again",) if stale else ()
        answers.append(Screened(hit, decision, stale, notes))
    return answers


def entity_for(user: Any, entity_id: Any) -> ListedEntity:
    """A listed entity by id, for deciding on it."""
    if user is not None and not policy.can(user, policy.VIEW, EntityList):
        raise NotAllowed("you may not see the lists")
    entity = ListedEntity.objects.select_related("entity_list").filter(pk=entity_id).first()
    if entity is None:
        raise InvalidInput(f"{entity_id!r} is not a listed entity")
    return entity


def decisions_visible_to(user: Any) -> QuerySet[ScreeningDecision]:
    decisions = ScreeningDecision.objects.select_related("organisation", "updated_by")
    if user is None or policy.is_admin(user):
        return decisions
    return decisions.filter(organisation_id__in=policy.organisation_ids(user))
