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
CHANGES_CSV = DATA_DIR / "pcode_changes.csv"

# A fuzzy match at or above this score is accepted without a person looking at it.
FUZZY_ACCEPT = 90.0
# Below this score a fuzzy candidate is not offered as a match at all.
FUZZY_FLOOR = 75.0
# The best fuzzy candidate must beat the next different unit by this much, or it is ambiguous.
FUZZY_MARGIN = 5.0
MAX_CANDIDATES = 8

LEVEL_WORDS = {1: "state/region", 2: "district", 3: "township"}

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
    # Why the answer is not simply the code or name given: a retired, split or doubled MIMU
    # p-code (``data/pcode_changes.csv``), in English; "" otherwise.
    note: str = ""

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


@dataclass(frozen=True)
class PcodeChange:
    """A MIMU p-code no longer used as it was (one row of ``data/pcode_changes.csv``)."""

    old_pcode: str
    old_name_en: str
    change: str  # "split" | "replaced" | "same_place"
    successors: tuple[str, ...]
    since: str = ""
    source: str = ""


CHANGE_KINDS = ("split", "replaced", "same_place")


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


def read_change_file(path: Path = CHANGES_CSV) -> list[PcodeChange]:
    """The p-code crosswalk shipped with Corridor (docs/gazetteer.md "Places over time")."""
    if not path.exists():
        return []
    changes = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = (line for line in handle if not line.startswith("#"))
        for number, row in enumerate(csv.DictReader(rows), start=1):
            change = (row.get("change") or "").strip()
            successors = tuple((row.get("successors") or "").upper().split())
            if change not in CHANGE_KINDS or not successors:
                raise ValueError(f"{path.name}: entry {number} needs a change and successors")
            if change in ("replaced", "same_place") and len(successors) != 1:
                raise ValueError(f"{path.name}: entry {number}: {change} takes one successor")
            changes.append(
                PcodeChange(
                    old_pcode=row["old_pcode"].strip().upper(),
                    old_name_en=(row.get("old_name_en") or "").strip(),
                    change=change,
                    successors=successors,
                    since=(row.get("since") or "").strip(),
                    source=(row.get("source") or "").strip(),
                )
            )
    return changes


class Resolver:
    """An in-memory index of admin units and aliases; build once, resolve many times."""

    def __init__(
        self,
        units: Iterable[Unit],
        aliases: Iterable[AliasEntry] = (),
        changes: Iterable[PcodeChange] = (),
    ) -> None:
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
        # Names decided by a person in the review queue: they settle what the shipped names
        # and aliases leave ambiguous (Htantabin, Hlaing Thar Yar), within the given parent.
        self._decided: dict[str, set[str]] = defaultdict(set)
        for entry in aliases:
            if entry.pcode in self.units and entry.alias:
                key = unicode_name_key(entry.alias).full
                self._alias[key].add(entry.pcode)
                if entry.kind == "review":
                    self._decided[key].add(entry.pcode)
        # The crosswalk: retired and split codes (not units any more), and codes that name
        # the same place as another (filed under that one, so need and reach meet).
        self.changes: dict[str, PcodeChange] = {}
        self._same: dict[str, str] = {}
        self._retired_names: dict[str, str] = {}
        for change in changes:
            if not all(p in self.units for p in change.successors):
                continue
            if change.change == "same_place":
                if change.old_pcode in self.units:
                    self._same[change.old_pcode] = change.successors[0]
                    self.changes[change.old_pcode] = change
            elif change.old_pcode not in self.units:
                self.changes[change.old_pcode] = change
                if change.old_name_en:
                    self._retired_names[unicode_name_key(change.old_name_en).full] = (
                        change.old_pcode
                    )
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
        return cls(units, aliases, read_change_file(CHANGES_CSV))

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
                    merged[key] |= {self._same.get(p, p) for p in pcodes}
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
            return self._by_code(query, code)
        key = name_key(text)
        scope = self.parent_scope(parent)
        levels: set[int] | None = {level} if level else None
        decided = self._decided_for(query, key.full, scope, levels)
        if decided is not None:
            return decided
        if code in self.changes:
            return self._crosswalk(query, self.changes[code], code)
        found = self._by_name(query, text, key, scope, levels)
        retired = self._retired_names.get(key.full)
        if retired and not found.accepted:
            # "Seikkan", "Hlaingtharya": the name of a unit that is no more.
            return self._crosswalk(query, self.changes[retired], repr(text))
        return found

    def change_for(self, text: str) -> PcodeChange | None:
        """The crosswalk entry a code or a retired unit's name stands for, if any."""
        code = (text or "").strip().upper()
        if code in self.changes:
            return self.changes[code]
        retired = self._retired_names.get(name_key(text or "").full)
        return self.changes[retired] if retired else None

    def _by_code(self, query: str, code: str) -> Resolution:
        same = self._same.get(code)
        if same:
            unit = self.units[same]
            note = self._note(self.changes[code], code)
            return Resolution(
                query, MATCHED, same, unit.level, "pcode", 100.0, (self.candidate(same, 100),), note
            )
        unit = self.units[code]
        return Resolution(
            query, MATCHED, code, unit.level, "pcode", 100.0, (self.candidate(code, 100),)
        )

    def _note(self, change: PcodeChange, given: str) -> str:
        """The crosswalk's note on a code or name, in English (callers translate their own)."""
        named = " and ".join(f"{p} {self.units[p].name_en}" for p in change.successors)
        old = f"{change.old_pcode} {change.old_name_en}".strip()
        when = f" ({change.since})" if change.since else ""
        if change.change == "same_place":
            return f"{old} is the same place as {named}{when}; filed under {change.successors[0]}"
        said = "" if given == change.old_pcode else f"{given}: "
        if change.change == "replaced":
            return f"{said}{old} was retired{when}; it became {named}"
        return f"{said}{old} was retired{when}; its ground is now {named}"

    def _crosswalk(self, query: str, change: PcodeChange, given: str) -> Resolution:
        """A retired code (or name): its one successor, or the successors for a person to pick."""
        successors = change.successors
        candidates = tuple(self.candidate(p, 100.0) for p in successors)
        note = self._note(change, given)
        if len(successors) == 1:
            unit = self.units[successors[0]]
            return Resolution(
                query, MATCHED, unit.pcode, unit.level, "crosswalk", 100.0, candidates, note
            )
        return Resolution(query, AMBIGUOUS, None, None, "crosswalk", 100.0, candidates, note)

    def _decided_for(
        self, query: str, key: str, scope: frozenset[str] | None, levels: set[int] | None
    ) -> Resolution | None:
        """What a person decided this name means, when that unit fits the parent and level."""
        pcodes = self._decided.get(key)
        if not pcodes:
            return None
        kept = {
            self._same.get(p, p)
            for p in pcodes
            if self.in_scope(p, scope) and (levels is None or self.units[p].level in levels)
        }
        if len(kept) != 1:
            return None
        return self._decide(query, kept, "alias", 100.0)

    def _by_name(
        self,
        query: str,
        text: str,
        key: Any,
        scope: frozenset[str] | None,
        levels: set[int] | None,
    ) -> Resolution:
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
        other_level: set[str] = set()
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
                    other_level |= {p for p in kept if self.units[p].level not in wanted}
                    kept = {p for p in kept if self.units[p].level in wanted}
                if kept:
                    return self._decide(query, kept, method, 100.0)

        found = self._fuzzy(query, key.full, scope, levels, hint, elsewhere)
        if other_level and levels and not found.accepted:
            return self._other_level(query, other_level, levels)
        return found

    def _other_level(self, query: str, named: set[str], levels: set[int]) -> Resolution:
        """A name that is exactly a unit of another level ("Kokang SAZ" asked as a township):
        not found, with the units of the wanted level inside it as the candidates."""
        areas = sorted(named, key=lambda p: (-self.units[p].level, p))
        # The townships of a district or self-administered area are offered; a state's are
        # too many to be suggestions.
        inside = sorted(
            p
            for p, unit in self.units.items()
            if unit.level in levels
            and self._ancestors[p] & set(areas)
            and p not in self._same
            and all(self.units[a].level == 2 for a in areas)
        )
        candidates = tuple(self.candidate(p, 0.0) for p in inside[:MAX_CANDIDATES])
        wanted = ", ".join(LEVEL_WORDS[lv] for lv in sorted(levels))
        named_text = " and ".join(
            f"{p} {self.units[p].name_en} ({LEVEL_WORDS[self.units[p].level]})" for p in areas[:3]
        )
        note = f"{query.strip()!r} names {named_text}, not a {wanted}"
        if inside:
            note += f"; the {wanted}s inside it are listed"
        return Resolution(query, NOT_FOUND, None, None, None, 0.0, candidates, note)

    def _decide(self, query: str, pcodes: set[str], method: str, score: float) -> Resolution:
        def deepest_first(codes: Iterable[str]) -> list[str]:
            return sorted(codes, key=lambda p: (-self.units[p].level, p))

        ordered = deepest_first(pcodes)
        chosen = self._one_place(ordered)
        # A code that names the same place as another is answered with that other one.
        folded = deepest_first({self._same.get(p, p) for p in pcodes})
        chosen = self._same.get(chosen, chosen) if chosen else self._one_place(folded)
        candidates = tuple(self.candidate(p, score) for p in folded[:MAX_CANDIDATES])
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
