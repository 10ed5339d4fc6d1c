"""A name as screening compares it: one folded Latin form, and what was set aside on the way.

``normalise("Daw Khin Myint Co., Ltd.")`` and ``normalise("ဒေါ်ခင်မြင့်")`` give the same words.
Steps, in order: Zawgyi to Unicode (``core.zawgyi``), Unicode NFKC and case folding, Burmese
romanised (``romanise.py``), accents dropped, punctuation to spaces, company suffixes and
leading honorifics set aside (kept as reasons), and each word folded so the spellings of one
Burmese sound that people mix (Htun/Tun, Oo/U, Hlaing/Hline, Kyawe/Kyaw) become one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from unidecode import unidecode

from corridor.core.zawgyi import has_burmese, to_unicode
from corridor.screening.romanise import romanise

#: Words of a company's legal form: they say nothing about who it is. Multi-word forms
#: ("company limited", "public company") fall out word by word.
SUFFIXES = frozenset(
    """
    co company cos ltd limited plc pcl public pte pvt inc incorporated corp corporation llc
    group grp sdn bhd jsc
    """.split()  # noqa: SIM905 — a list of words reads better as words
)

#: Burmese honorifics and forms of address (and a few English titles); set aside only at the
#: start of a name and never when they are all the name has.
HONORIFICS = frozenset(
    """
    u oo daw ko ma maung mg sai nang saw naw mr mrs ms miss dr gen general col major capt
    """.split()  # noqa: SIM905 — a list of words reads better as words
)

# One spelling per sound (whole-word folds first, then inside words). Both sides of a
# comparison go through the same folds, so they only have to agree with each other.
_WORD_FOLDS = {"oo": "u", "ou": "u", "mg": "maung", "hline": "hlaing", "myin": "myint"}
_INNER_FOLDS = [
    (re.compile(r"^ht"), "t"),  # Htun, Tun; Htet, Tet
    (re.compile(r"^hs"), "s"),  # Hsan, San
    (re.compile(r"^ph"), "p"),  # Phyo, Pyo
    (re.compile(r"^ky"), "ch"),  # Kyaw is said "chaw" and sometimes written so
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Myawaddy, Myawady
    (re.compile(r"(?<=[a-z])e$"), ""),  # Kyawe, Kyaw; Moe, Mo
    (re.compile(r"ar$"), "a"),  # Yadanar, Yadana
    (re.compile(r"ie"), "ei"),  # Thien, Thein
]
_PUNCT = re.compile(r"[^\w\s]|_")


@dataclass(frozen=True)
class Name:
    """A name ready to compare: ``words`` folded, plus what normalising set aside."""

    given: str
    words: tuple[str, ...]
    burmese: bool = False
    honorifics: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """The words in their order, one space apart."""
        return " ".join(self.words)

    @property
    def sorted_key(self) -> str:
        return " ".join(sorted(self.words))

    @property
    def compact(self) -> str:
        """The words run together: ``Myawaddy`` and ``Mya Wa Ti`` compare as one word."""
        return "".join(self.words)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    word = _WORD_FOLDS.get(word, word)
    for pattern, replacement in _INNER_FOLDS:
        word = pattern.sub(replacement, word)
    return word


def normalise(text: str) -> Name:
    given = text
    notes: list[str] = []
    burmese = has_burmese(text)
    if burmese:
        unicode_text = to_unicode(text)
        if unicode_text != text:
            notes.append("Zawgyi read as Unicode")
        text = romanise(unicodedata.normalize("NFKC", unicode_text).casefold())
    plain = text.lower() if text.isascii() else unidecode(unicodedata.normalize("NFKC", text))
    plain = plain.lower()
    raw = _PUNCT.sub(" ", plain.replace("&", " and ")).split()
    suffixes = tuple(w for w in raw if w in SUFFIXES)
    words = [w for w in raw if w not in SUFFIXES] or raw
    honorifics: list[str] = []
    while len(words) > 1 and words[0] in HONORIFICS:
        honorifics.append(words.pop(0))
    return Name(
        given=given,
        words=tuple(fold(w) for w in words),
        burmese=burmese,
        honorifics=tuple(honorifics),
        suffixes=suffixes,
        notes=tuple(notes),
    )
