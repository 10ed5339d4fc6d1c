"""Resolve a place name as people write it to a MIMU p-code, or say honestly that it cannot.

Steps, first hit wins (docs/gazetteer.md):
1. the p-code itself;
2. the name, compared as a key (case, spacing, hyphens and affixes ignored; Zawgyi converted);
3. the alias table (curated ``data/aliases.csv`` plus aliases people added);
4. the name without qualifiers ("Bago Region" -> "Bago (East)" and "Bago (West)");
5. fuzzy matching (rapidfuzz), last, within the parent unit when one is given.

A name that fits several units is "ambiguous" with the candidates listed, except when the
units are one place and its own ancestors (Kale township in Kale district), where the deepest
unit is chosen and the others are still listed (docs/decisions/0010-gazetteer-resolution.md).
"""

from __future__ import annotations

import csv
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from corridor.geo.names import has_burmese, name_key, other_reading_key, unicode_name_key

DATA_DIR = Path(__file__).resolve().parent / "data"
ALIASES_CSV = DATA_DIR / "aliases.csv"

# A fuzzy match at or above this score is accepted without a person looking at it.
FUZZY_ACCEPT = 90.0
# Below this score a fuzzy candidate is not offered as a match at all.
FUZZY_FLOOR = 75.0
# The best fuzzy candidate must beat the next different unit by this much, or it is ambiguous.
FUZZY_MARGIN = 5.0
MAX_CANDIDATES = 8

MATCHED = "matched"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Candidate:
    pcode: str
    name_en: str
    name_my: str
    level: int
    score: float


@dataclass(frozen=True)
class Resolution:
    query: str
    status: str  # "matched" | "ambiguous" | "not_found"
    pcode: str | None
    level: int | None
    method: str | None  # "pcode" | "exact" | "alias" | "fuzzy" | None
    score: float  # 0..100
    candidates: tuple[Candidate, ...]

    @property
    def accepted(self) -> bool:
        """True when an importer may use the match without a person confirming it."""
        if self.status != MATCHED:
            return False
        if self.method == "fuzzy":
            return self.score >= FUZZY_ACCEPT
        return True

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["candidates"] = [asdict(c) for c in self.candidates]
        data["accepted"] = self.accepted
        return data


@dataclass(frozen=True)
class Unit:
    pcode: str
    level: int
    parent: str | None
    name_en: str
    name_my: str


@dataclass(frozen=True)
class AliasEntry:
    alias: str
    pcode: str
    kind: str = ""
    source: str = ""


@dataclass
class _Choices:
    keys: list[str] = field(default_factory=list)
    pcodes: list[frozenset[str]] = field(default_factory=list)


def read_alias_file(path: Path = ALIASES_CSV) -> list[AliasEntry]:
    """The curated aliases shipped with Corridor (alias, pcode, kind, source)."""
    if not path.exists():
        return []
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(rows):
            entries.append(
                AliasEntry(
                    alias=row["alias"].strip(),
                    pcode=row["pcode"].strip(),
                    kind=(row.get("kind") or "").strip(),
                    source=(row.get("source") or "").strip(),
                )
            )
    return entries


class Resolver:
    """An in-memory index of admin units and aliases; build once, resolve many times."""

    def __init__(self, units: Iterable[Unit], aliases: Iterable[AliasEntry] = ()) -> None:
        self.units: dict[str, Unit] = {unit.pcode: unit for unit in units}
        self._ancestors: dict[str, frozenset[str]] = {
            pcode: frozenset(self._walk_up(pcode)) for pcode in self.units
        }
        self._full: dict[str, set[str]] = defaultdict(set)
        self._base: dict[str, set[str]] = defaultdict(set)
        self._alias: dict[str, set[str]] = defaultdict(set)
        for unit in self.units.values():
            for text in (unit.name_en, unit.name_my):
                if text:
                    key = unicode_name_key(text)
                    self._full[key.full].add(unit.pcode)
                    self._base[key.base].add(unit.pcode)
        for entry in aliases:
            if entry.pcode in self.units and entry.alias:
                self._alias[unicode_name_key(entry.alias).full].add(entry.pcode)
        self._latin, self._burmese = self._fuzzy_choices()
        self._scoped: dict[tuple[frozenset[str] | None, int | None, bool], _Choices] = {}

    # -- construction ------------------------------------------------------------------

    @classmethod
    def from_database(cls) -> Resolver:
        # Models are imported here, not at the top, so the resolver itself (names, keys,
        # matching) also works without Django: the benchmark and pure unit tests use that.
        from corridor.geo.models import AdminUnit, PlaceAlias

        units = [
            Unit(pcode=p, level=lv, parent=parent, name_en=en, name_my=my)
            for p, lv, parent, en, my in AdminUnit.objects.values_list(
                "pcode", "level", "parent_id", "name_en", "name_my"
            )
        ]
        aliases = read_alias_file()
        aliases += [
            AliasEntry(alias=alias, pcode=pcode, kind=kind, source="database")
            for alias, pcode, kind in PlaceAlias.objects.values_list(
                "alias", "admin_unit_id", "kind"
            )
        ]
        return cls(units, aliases)

    def _walk_up(self, pcode: str) -> list[str]:
        chain = []
        parent = self.units[pcode].parent
        while parent and parent in self.units and parent not in chain:
            chain.append(parent)
            parent = self.units[parent].parent
        return chain

    def _fuzzy_choices(self) -> tuple[_Choices, _Choices]:
        merged: dict[str, set[str]] = defaultdict(set)
        for index in (self._full, self._alias, self._base):
            for key, pcodes in index.items():
                if key:
                    merged[key] |= pcodes
        latin, burmese = _Choices(), _Choices()
        for key, pcodes in sorted(merged.items()):
            target = burmese if has_burmese(key) else latin
            target.keys.append(key)
            target.pcodes.append(frozenset(pcodes))
        return latin, burmese

    # -- resolving ---------------------------------------------------------------------

    def candidate(self, pcode: str, score: float) -> Candidate:
        unit = self.units[pcode]
        return Candidate(pcode, unit.name_en, unit.name_my, unit.level, round(score, 1))

    def in_scope(self, pcode: str, scope: frozenset[str] | None) -> bool:
        return scope is None or pcode in scope or bool(self._ancestors[pcode] & scope)

    def parent_scope(self, parent: str | None) -> frozenset[str] | None:
        """The units a parent text names (a state or district p-code or name), or None."""
        if not parent or not parent.strip():
            return None
        code = parent.strip().upper()
        if code in self.units:
            return frozenset([code])
        # Every state and district the parent text names: "Magway" covers the region, not only
        # Magway district; "Shan" and "ပဲခူး" cover every state code of that name.
        scope: set[str] = set()
        for level in (1, 2):
            found = self.resolve(parent, level=level)
            if found.status == NOT_FOUND or (found.method == "fuzzy" and not found.accepted):
                continue
            scope |= {c.pcode for c in found.candidates if c.score >= found.score}
        return frozenset(scope) or None

    def resolve(
        self,
        name: str,
        *,
        level: int | None = None,
        parent: str | None = None,
    ) -> Resolution:
        query = name if isinstance(name, str) else str(name)
        text = query.strip()
        if not text:
            return Resolution(query, NOT_FOUND, None, None, None, 0.0, ())
        code = text.upper()
        if code in self.units:
            unit = self.units[code]
            return Resolution(
                query, MATCHED, code, unit.level, "pcode", 100.0, (self.candidate(code, 100),)
            )
        key = name_key(text)
        scope = self.parent_scope(parent)
        levels: set[int] | None = {level} if level else None
        hint = key.hint if not levels else None

        lookups = [("exact", self._full, key.full), ("alias", self._alias, key.full)]
        if key.full.endswith("myo") and len(key.full) > 5:
            # "Kalemyo" is Kale town: "myo" written joined to the name.
            lookups.append(("exact", self._full, key.full[:-3]))
            lookups.append(("alias", self._alias, key.full[:-3]))
        lookups += [("exact", self._base, key.base), ("alias", self._alias, key.base)]
        other = other_reading_key(text)
        if other:
            # Short Burmese names fool the Zawgyi detector; the other reading is tried exactly,
            # never fuzzily.
            lookups += [
                ("exact", self._full, other.full),
                ("alias", self._alias, other.full),
                ("exact", self._base, other.base),
            ]

        elsewhere: set[str] = set()
        # An affix ("Bago Region") first restricts the search to its level; only when
        # nothing at that level fits is the name tried at every level.
        passes = [levels] if levels else ([{hint}, None] if hint else [None])
        for wanted in passes:
            for method, index, lookup in lookups:
                pcodes = index.get(lookup)
                if not pcodes:
                    continue
                kept = {p for p in pcodes if self.in_scope(p, scope)}
                elsewhere |= pcodes - kept
                if wanted:
                    kept = {p for p in kept if self.units[p].level in wanted}
                if kept:
                    return self._decide(query, kept, method, 100.0)

        return self._fuzzy(query, key.full, scope, levels, hint, elsewhere)

    def _decide(self, query: str, pcodes: set[str], method: str, score: float) -> Resolution:
        ordered = sorted(pcodes, key=lambda p: (-self.units[p].level, p))
        candidates = tuple(self.candidate(p, score) for p in ordered[:MAX_CANDIDATES])
        chosen = self._one_place(ordered)
        if chosen:
            unit = self.units[chosen]
            return Resolution(query, MATCHED, chosen, unit.level, method, score, candidates)
        return Resolution(query, AMBIGUOUS, None, None, method, score, candidates)

    def _one_place(self, ordered: list[str]) -> str | None:
        """The single deepest unit when all the others are its own ancestors, else None."""
        deepest = ordered[0]
        others = ordered[1:]
        if all(p in self._ancestors[deepest] for p in others):
            return deepest
        return None

    def _choices(
        self, burmese: bool, scope: frozenset[str] | None, levels: set[int] | None
    ) -> _Choices:
        base = self._burmese if burmese else self._latin
        if scope is None and levels is None:
            return base
        cache_key = (scope, frozenset(levels) if levels else None, burmese)
        cached = self._scoped.get(cache_key)  # type: ignore[arg-type]
        if cached is not None:
            return cached
        scoped = _Choices()
        for key, pcodes in zip(base.keys, base.pcodes, strict=True):
            kept = frozenset(
                p
                for p in pcodes
                if self.in_scope(p, scope) and (levels is None or self.units[p].level in levels)
            )
            if kept:
                scoped.keys.append(key)
                scoped.pcodes.append(kept)
        self._scoped[cache_key] = scoped  # type: ignore[index]
        return scoped

    def _fuzzy(
        self,
        query: str,
        key: str,
        scope: frozenset[str] | None,
        levels: set[int] | None,
        hint: int | None,
        elsewhere: set[str],
    ) -> Resolution:
        burmese = has_burmese(key)
        choices = self._choices(burmese, scope, levels)
        if hint and not levels:
            hinted = self._choices(burmese, scope, {hint})
            if hinted.keys:
                choices = hinted
        best: dict[str, float] = {}
        if key and choices.keys:
            hits = process.extract(
                key, choices.keys, scorer=fuzz.ratio, limit=12, score_cutoff=FUZZY_FLOOR - 15
            )
            for _, score, at in hits:
                for pcode in choices.pcodes[at]:
                    if score > best.get(pcode, -1):
                        best[pcode] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], -self.units[item[0]].level))
        if not ranked or ranked[0][1] < FUZZY_FLOOR:
            # Exact matches outside the given parent are offered to the person, never taken.
            offered = [(p, 100.0) for p in sorted(elsewhere)] + ranked
            candidates = tuple(self.candidate(p, s) for p, s in offered[:MAX_CANDIDATES])
            top = ranked[0][1] if ranked else 0.0
            return Resolution(query, NOT_FOUND, None, None, None, round(top, 1), candidates)
        top_score = ranked[0][1]
        close = [p for p, s in ranked if s >= top_score - FUZZY_MARGIN]
        candidates = tuple(self.candidate(p, s) for p, s in ranked[:MAX_CANDIDATES])
        chosen = self._one_place(sorted(close, key=lambda p: (-self.units[p].level, p)))
        if chosen:
            unit = self.units[chosen]
            return Resolution(
                query, MATCHED, chosen, unit.level, "fuzzy", round(best[chosen], 1), candidates
            )
        return Resolution(query, AMBIGUOUS, None, None, "fuzzy", round(top_score, 1), candidates)


# -- one resolver per process --------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[tuple[Any, ...], Resolver] | None = None


def _stamp() -> tuple[Any, ...]:
    """A cheap fingerprint of what the resolver was built from."""
    from django.db.models import Count, Max

    from corridor.geo.models import AdminUnit, PlaceAlias

    aliases = PlaceAlias.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (AdminUnit.objects.count(), aliases["n"], aliases["at"])


def get_resolver() -> Resolver:
    """The process's resolver, rebuilt when admin units or aliases have changed."""
    global _cached
    stamp = _stamp()
    with _lock:
        if _cached is None or _cached[0] != stamp:
            _cached = (stamp, Resolver.from_database())
        return _cached[1]


def invalidate_resolver() -> None:
    global _cached
    with _lock:
        _cached = None
