"""Screening one name against every listed entity: an index over their names, then scores.

Pure Python over plain values (no database), so the bench can run it on 100,000 synthetic
entities and the service on what the lists hold. Decision 0311 explains the thresholds.

Blocking: every name (primary, alias, weak alias, in every script) is normalised
(``names.normalise``) and filed under a few keys: each pair of its words by their first four
letters, the first five letters of its words run together (``Myawaddy`` and ``Mya Wa Ti``), and
each word alone when few names share it. A query is scored only against the names that share a
key with it, with rapidfuzz: the better of the token-sort ratio (order of words ignored) and the
plain ratio of the words run together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz import fuzz, process

from corridor.screening.names import Name, normalise

#: At or above: the same name once spelling, suffixes and honorifics are set aside.
MATCH_SCORE = 95.0
#: At or above (and below MATCH_SCORE): a person should look (decision 0311).
POSSIBLE_SCORE = 88.0
#: A word alone is a key only when at most this many names have it.
RARE_WORD = 200
#: A blocking key shared by more names than this is read only for want of a better one.
BIG_BUCKET = 400
#: How many of the best-scoring names of a query are scored in full.
SHORTLIST = 8
#: Two names whose distinctive words differ this much are not one entity, whatever the ratio.
WORD_FLOOR = 75.0

CLEAR, POSSIBLE, MATCH = "clear", "possible", "match"
OWNED_BY, SUBSIDIARY_OF = "owned_by", "subsidiary_of"

#: Words many companies share: they may not carry a match on their own.
GENERIC = frozenset(
    """
    trading trade general services service construction industries industry enterprise
    enterprises international myanmar myanma golden star development holdings holding import
    export and the of gems jade bank agency transport logistics
    """.split()  # noqa: SIM905 — a list of words reads better as words
)


@dataclass(frozen=True)
class Target:
    """One entity of a list, as the matcher needs it."""

    id: Hashable
    name: str
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    schema: str = "Organization"
    listed: bool = True  # False: only here as the owned company or subsidiary of one listed
    links: tuple[tuple[str, Hashable], ...] = ()  # (OWNED_BY or SUBSIDIARY_OF, other id)
    list_name: str = ""


@dataclass(frozen=True)
class Hit:
    query: str
    status: str
    entity: str = ""  # the listed entity's primary name
    entity_id: Hashable | None = None
    list_name: str = ""
    score: float = 0.0
    reasons: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "status": self.status,
            "entity": self.entity,
            "entity_id": None if self.entity_id is None else str(self.entity_id),
            "list": self.list_name,
            "score": round(self.score, 1),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class _Entry:
    target: int
    name: Name
    how: str  # "name", "alias", "weak alias"


@dataclass(frozen=True)
class _Bucket:
    entries: list[int]
    sorted_keys: list[str]
    compacts: list[str]


def _keys(name: Name) -> set[str]:
    words = sorted(set(name.words))
    keys = {f"{a[:4]}|{b[:4]}" for a, b in combinations(words, 2)}
    keys.add("#" + name.compact[:5])
    keys.update("=" + w for w in words)
    return keys


class Index:
    def __init__(self, targets: Iterable[Target]) -> None:
        self.targets: list[Target] = list(targets)
        self._position = {t.id: i for i, t in enumerate(self.targets)}
        self.entries: list[_Entry] = []
        buckets: dict[str, list[int]] = defaultdict(list)
        for position, target in enumerate(self.targets):
            names = [(target.name, "name")]
            names += [(a, "alias") for a in target.aliases]
            names += [(a, "weak alias") for a in target.weak_aliases]
            seen: set[str] = set()
            for text, how in names:
                name = normalise(text)
                if not name.words or name.key in seen:
                    continue
                seen.add(name.key)
                entry = len(self.entries)
                self.entries.append(_Entry(position, name, how))
                for key in _keys(name):
                    buckets[key].append(entry)
        # Each bucket keeps its names' two compared forms beside their entries, so rapidfuzz
        # reads a ready list (no list built per query).
        self._buckets: dict[str, _Bucket] = {
            key: _Bucket(
                entries,
                [self.entries[i].name.sorted_key for i in entries],
                [self.entries[i].name.compact for i in entries],
            )
            for key, entries in buckets.items()
            if not key.startswith("=") or len(entries) <= RARE_WORD
        }

    def __len__(self) -> int:
        return len(self.targets)

    def screen(self, query: str) -> Hit:
        name = normalise(query)
        if not name.words:
            return Hit(query=query, status=CLEAR, reasons=("nothing to compare",))
        buckets = sorted(
            (self._buckets[key] for key in _keys(name) if key in self._buckets),
            key=lambda bucket: len(bucket.entries),
        )
        # A key that many names share (a common first word, two common syllables) is read
        # only when the query has no better one.
        chosen = [b for b in buckets if len(b.entries) <= BIG_BUCKET] or buckets[:1]
        # rapidfuzz scores each bucket in C; the few best are scored again in full.
        cutoff = POSSIBLE_SCORE - 1
        shortlist: set[int] = set()
        for bucket in chosen:
            for text, forms in (
                (name.sorted_key, bucket.sorted_keys),
                (name.compact, bucket.compacts),
            ):
                found = process.extract(
                    text, forms, scorer=fuzz.ratio, score_cutoff=cutoff, limit=SHORTLIST
                )
                shortlist.update(bucket.entries[position] for _, _, position in found)
        best: tuple[float, _Entry] | None = None
        for index in shortlist:
            entry = self.entries[index]
            target = self.targets[entry.target]
            if not target.listed and not self._listed_links(target):
                continue
            score = _score(name, entry.name)
            if best is None or score > best[0]:
                best = (score, entry)
        if best is None or best[0] < POSSIBLE_SCORE:
            return Hit(query=query, status=CLEAR, score=best[0] if best else 0.0)
        return self._hit(query, name, *best)

    def _listed_links(self, target: Target) -> list[tuple[str, Target]]:
        found = []
        for relation, other_id in target.links:
            position = self._position.get(other_id)
            if position is not None and self.targets[position].listed:
                found.append((relation, self.targets[position]))
        return found

    def _hit(self, query: str, name: Name, score: float, entry: _Entry) -> Hit:
        target = self.targets[entry.target]
        status = MATCH if score >= MATCH_SCORE else POSSIBLE
        reasons = [f"score {score:.0f} against {entry.how} {_shown(entry, target)!r}"]
        if entry.how == "weak alias":
            status = POSSIBLE
            reasons.append("a weak alias (a short or common name) is never more than possible")
        if name.key == entry.name.key:
            reasons.append("the same name once normalised")
        elif name.sorted_key == entry.name.sorted_key:
            reasons.append("the same words in another order")
        if name.burmese or entry.name.burmese:
            reasons.append("Burmese script compared through its romanisation")
        if name.honorifics:
            reasons.append(f"honorific {' '.join(name.honorifics)!r} set aside")
        if name.suffixes:
            reasons.append(f"company form {' '.join(name.suffixes)!r} set aside")
        reasons.extend(name.notes)
        if not target.listed:
            reasons.append("not listed itself")
        for relation, other in self._listed_links(target):
            words = "owned by" if relation == OWNED_BY else "a subsidiary of"
            reasons.append(f"{words} listed {other.schema.lower()} {other.name!r}")
        return Hit(
            query=query,
            status=status,
            entity=target.name,
            entity_id=target.id,
            list_name=target.list_name,
            score=score,
            reasons=tuple(reasons),
        )


def _shown(entry: _Entry, target: Target) -> str:
    if entry.how == "name":
        return target.name
    pool = target.aliases if entry.how == "alias" else target.weak_aliases
    return next((a for a in pool if normalise(a).key == entry.name.key), entry.name.key)


def _score(query: Name, listed: Name) -> float:
    """0-100: how alike two normalised names are (decision 0311)."""
    score = max(
        fuzz.ratio(query.sorted_key, listed.sorted_key),
        fuzz.ratio(query.compact, listed.compact),
    )
    if score < POSSIBLE_SCORE:
        return score
    # A near miss ("Golden Star Trading" and "Golden Sun Trading"): the ratio of the whole is
    # high because the generic words agree; the distinctive words must agree too.
    mine = [w for w in query.words if w not in GENERIC]
    theirs = [w for w in listed.words if w not in GENERIC]
    if not mine or not theirs:
        return score
    if len(query.words) > 1 and len(listed.words) > 1 and len(mine) == len(theirs):
        for word in mine:
            if max(fuzz.ratio(word, other) for other in theirs) < WORD_FLOOR:
                return min(score, POSSIBLE_SCORE - 1)
    return score
