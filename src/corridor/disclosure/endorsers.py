"""The gate for a joint statement's list of endorsers (decision 0301).

An endorser who asked for anonymity is never named and never placed under a heading: the
public list names the others, grouped and numbered, and counts the anonymous ones by kind
("2 organisations have requested anonymity"). The gate refuses a list from which an anonymous
endorser could be picked out:

- a kind (organisations, individuals) with exactly one anonymous endorser: "1 individual has
  requested anonymity" points at whoever of the invited is missing;
- a change from the previously published list that could be one endorser moving between
  named and anonymous: anonymous count up while a name of that kind went away, or down while
  a name of that kind appeared. Publish the two changes in separate versions, or not at all.

Nothing here reads the database: callers pass plain ``Endorser`` tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.disclosure.gate import gate_passed
from corridor.disclosure.tables import DisclosureError

KINDS = ("organisation", "individual")


@dataclass(frozen=True)
class Endorser:
    """One endorser as the gate sees it: ``label`` None means anonymous."""

    group: str
    label: str | None
    kind: str


@dataclass(frozen=True)
class PublicEndorsers:
    """The list as it may be published: (heading, labels) in order, anonymous counts by kind."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]
    anonymous: tuple[tuple[str, int], ...]
    named: tuple[tuple[str, str], ...]  # (kind, label), for the next version's comparison

    def snapshot(self) -> dict[str, Any]:
        """What a published version keeps, to compare the next publication with."""
        return {
            "groups": [[group, list(labels)] for group, labels in self.groups],
            "named": [list(pair) for pair in self.named],
            "anonymous": dict(self.anonymous),
        }

    def anonymous_count(self, kind: str) -> int:
        return dict(self.anonymous).get(kind, 0)


def endorsers_of_snapshot(snapshot: Mapping[str, Any]) -> list[Endorser]:
    """The endorsers a published version froze, as the gate takes them again."""
    kinds = {label: kind for kind, label in snapshot.get("named", [])}
    endorsers = [
        Endorser(group, label, kinds.get(label, "organisation"))
        for group, labels in snapshot.get("groups", [])
        for label in labels
    ]
    for kind, count in snapshot.get("anonymous", {}).items():
        endorsers += [Endorser("", None, kind)] * int(count)
    return endorsers


def _ordered(groups: Iterable[str], order: Sequence[str]) -> list[str]:
    known = [g for g in order if g in groups]
    return known + sorted((g for g in groups if g not in order), key=str.casefold)


def public_endorsers(
    endorsers: Iterable[Endorser],
    *,
    order: Sequence[str] = (),
    previous: Mapping[str, Any] | None = None,
) -> PublicEndorsers:
    """The public endorser list, or DisclosureError naming what would single someone out.

    ``order``: the group headings in the order the statement lists them (others follow,
    alphabetically). ``previous``: the ``snapshot()`` of the last published version.
    """
    gate_passed("public_endorsers")
    by_group: dict[str, set[str]] = {}
    anonymous = dict.fromkeys(KINDS, 0)
    named: set[tuple[str, str]] = set()
    for endorser in endorsers:
        if endorser.kind not in KINDS:
            raise DisclosureError(f"{endorser.kind!r} is not a kind of endorser")
        if endorser.label is None:
            anonymous[endorser.kind] += 1
            continue
        by_group.setdefault(endorser.group, set()).add(endorser.label)
        named.add((endorser.kind, endorser.label))
    for kind, count in anonymous.items():
        if count == 1:
            raise DisclosureError(
                f"only one {kind} has asked for anonymity: a count of one points at it; wait "
                "for a second, or ask it to be listed by a display name"
            )
    if previous:
        _compare(previous, named, anonymous)
    groups = tuple(
        (group, tuple(sorted(by_group[group], key=str.casefold)))
        for group in _ordered(set(by_group), order)
    )
    return PublicEndorsers(
        groups=groups,
        anonymous=tuple((k, n) for k, n in anonymous.items() if n),
        named=tuple(sorted(named)),
    )


def _compare(
    previous: Mapping[str, Any], named: set[tuple[str, str]], anonymous: dict[str, int]
) -> None:
    before_named = {(kind, label) for kind, label in previous.get("named", [])}
    before_anonymous = previous.get("anonymous", {})
    for kind in KINDS:
        change = anonymous[kind] - int(before_anonymous.get(kind, 0))
        gone = {label for k, label in before_named - named if k == kind}
        came = {label for k, label in named - before_named if k == kind}
        if change > 0 and gone:
            raise DisclosureError(
                f"the {kind}s requesting anonymity went up by {change} while {len(gone)} named "
                f"{kind}(s) left the list: readers could take one for the other; publish the "
                "withdrawal and the new anonymous endorsement in separate versions"
            )
        if change < 0 and came:
            raise DisclosureError(
                f"the {kind}s requesting anonymity went down by {-change} while {len(came)} "
                f"named {kind}(s) joined: readers could take one for the other; publish the "
                "two changes in separate versions"
            )
