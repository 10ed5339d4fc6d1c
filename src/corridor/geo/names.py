"""Turning a place name as people write it into comparable keys.

The resolver compares keys, never raw text: case, spacing, hyphens and the administrative
affixes people add or leave out ("Township", "Region", "မြို့နယ်", ...) must not decide whether
two spellings name the same place. Burmese text that arrives in the legacy Zawgyi encoding is
converted to Unicode first (``core.zawgyi``). Short names are hard to call either way (Zawgyi
မကွေး scores about 0.78), so the resolver also tries the other reading exactly before giving
up (``other_reading_key``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from myanmar import converter

from corridor.core import zawgyi
from corridor.core.zawgyi import has_burmese, is_zawgyi

_PARENTHESIS = re.compile(r"\([^)]*\)")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
# Spacing and invisible characters that Burmese text carries between syllables.
_BURMESE_DROP = re.compile(r"[\s\u200b\u200c\u200d\ufeff\-‐‑–—_.,'’/()]")

# English affixes: word -> the level it hints at (None: dropped without a hint).
LATIN_AFFIXES: dict[str, int | None] = {
    "township": 3,
    "tsp": 3,
    "tship": 3,
    "ts": 3,
    "subtownship": 3,
    "myo": None,
    "town": None,
    "city": None,
    "district": 2,
    "dist": 2,
    "region": 1,
    "state": 1,
    "division": 1,
    "union": 1,
    "territory": 1,
    "self": None,
    "administered": None,
    "zone": None,
    "saz": None,
    "sad": None,
}
# Two-word affixes written as one word or split ("sub-township" -> "sub township").
_LATIN_PAIRS = {("sub", "township"): 3, ("self", "administered"): None}

# Burmese affixes, longest first, matched at the end of the name: suffix -> level hint.
BURMESE_SUFFIXES: tuple[tuple[str, int | None], ...] = (
    ("တိုင်းဒေသကြီး", 1),
    ("ကိုယ်ပိုင်အုပ်ချုပ်ခွင့်ရဒေသ", None),
    ("ကိုယ်ပိုင်အုပ်ချုပ်ခွင့်ရတိုင်း", None),
    ("မြို့နယ်ခွဲ", 3),
    ("မြို့နယ်", 3),
    ("ပြည်နယ်", 1),
    ("ခရိုင်", 2),
    ("တိုင်း", 1),
    ("မြို့", None),
)
# Direction words that qualify a split unit ("Bago (East)", "ရှမ်းပြည်နယ် တောင်ပိုင်း").
BURMESE_DIRECTIONS = ("အရှေ့ပိုင်း", "အနောက်ပိုင်း", "တောင်ပိုင်း", "မြောက်ပိုင်း")


def to_unicode(text: str) -> str:
    """Burmese text in Myanmar Unicode (converted if Zawgyi), NFC-normalised for comparing."""
    return unicodedata.normalize("NFC", zawgyi.to_unicode(text))


@dataclass(frozen=True)
class NameKey:
    """Comparable forms of one name.

    ``full`` keeps every distinguishing word; ``base`` drops qualifiers in parentheses or
    direction words, so "Bago Region" can find both "Bago (East)" and "Bago (West)".
    ``hint`` is the level an affix pointed at ("Township" -> 3), or None.
    """

    full: str
    base: str
    hint: int | None


def _latin_key(text: str) -> tuple[str, int | None]:
    tokens = _LATIN_TOKEN.findall(text)
    hint: int | None = None
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        pair = tuple(tokens[i : i + 2])
        if pair in _LATIN_PAIRS and len(tokens) > 2:
            hint = _LATIN_PAIRS[pair] or hint
            i += 2
            continue
        token = tokens[i]
        if token in LATIN_AFFIXES and len(tokens) > 1:
            hint = LATIN_AFFIXES[token] or hint
        else:
            kept.append(token)
        i += 1
    return "".join(kept), hint


def _burmese_key(text: str) -> tuple[str, int | None]:
    key = _BURMESE_DROP.sub("", text)
    hint: int | None = None
    stripped = True
    while stripped:
        stripped = False
        for suffix, level in BURMESE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                hint = hint or level
                stripped = True
                break
    return key, hint


def _burmese_base(key: str) -> str:
    for word in BURMESE_DIRECTIONS:
        if key.endswith(word) and len(key) > len(word):
            return _burmese_key(key[: -len(word)])[0]
    return key


def _burmese_name_key(text: str) -> NameKey:
    full, hint = _burmese_key(text)
    without_brackets, _ = _burmese_key(_PARENTHESIS.sub("", text))
    base = _burmese_base(without_brackets)
    return NameKey(full=full, base=base or full, hint=hint)


@lru_cache(maxsize=16_384)
def other_reading_key(text: str) -> NameKey | None:
    """The key of the Burmese reading ``name_key`` did not choose, if it differs."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not has_burmese(text):
        return None
    if is_zawgyi(text):
        other = unicodedata.normalize("NFC", text)
    else:
        other = unicodedata.normalize("NFC", converter.convert(text, "zawgyi", "unicode"))
    key = _burmese_name_key(other)
    return key if key != name_key(text) else None


def unicode_name_key(text: str) -> NameKey:
    """Keys of a name known to be in Myanmar Unicode already (the shipped data): no guessing."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if has_burmese(text):
        return _burmese_name_key(unicodedata.normalize("NFC", text))
    return name_key(text)


@lru_cache(maxsize=65_536)
def name_key(text: str) -> NameKey:
    """The comparable keys of one written name (English or Burmese, Unicode or Zawgyi)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if has_burmese(text):
        return _burmese_name_key(to_unicode(text))
    folded = text.casefold()
    full, hint = _latin_key(folded)
    base, _ = _latin_key(_PARENTHESIS.sub(" ", folded))
    return NameKey(full=full, base=base or full, hint=hint)
