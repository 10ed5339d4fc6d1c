"""Burmese script to Latin letters, for matching names only (decision 0310).

No maintained Burmese-to-Latin library is in the stack or on the package lists we may use
(python-myanmar converts encodings and breaks syllables but does not romanise; unidecode's
Burmese table gives letter-by-letter strings such as ``mnmaa`` that no-one writes). So this is a
small table of our own: the syllables of Burmese personal names, the honorifics and the words of
company names, each with the spelling most often seen in Latin (``ကျော်`` → ``kyaw``). The
spellings of one sound that people use interchangeably (Htun/Tun, Oo/U, Hlaing/Hline) are folded
later by ``names.fold``, so the table needs one of them only.

A syllable the table does not know falls back to unidecode's letters, which will rarely match
anything: such a name is screened on its Burmese form (both sides romanised the same way) and
misses a Latin-only list entry. The table grows as lists and payees show new syllables.
"""

from __future__ import annotations

import re

from unidecode import unidecode

# A syllable starts at a consonant (or an independent vowel, digit or sign) unless the consonant
# is killed (asat ်) or stacked (virama ္ before or after it).
_CONSONANT = "\u1000-\u1021"
_STARTS = re.compile(
    rf"(?<!\u1039)(?=[{_CONSONANT}\u1023-\u102a\u103f\u1040-\u1049\u104a-\u104f](?!\u1037?[\u103a\u1039]))"
)

SYLLABLES: dict[str, str] = {
    # honorifics and forms of address
    "ဦး": "u", "ဒေါ်": "daw", "ကို": "ko", "မ": "ma", "မောင်": "maung", "စိုင်း": "sai",
    "နန်း": "nang", "စော": "saw", "နော်": "naw", "ဒေါက်": "dauk", "တာ": "ta",
    # syllables of personal names
    "အောင်": "aung", "ကျော်": "kyaw", "မြင့်": "myint", "ဝင်း": "win", "ထွန်း": "htun",
    "သိန်း": "thein", "စိုး": "soe", "မိုး": "moe", "လှိုင်": "hlaing", "ဇော်": "zaw",
    "မင်း": "min", "ညွန့်": "nyunt", "ခင်": "khin", "ချို": "cho", "သန်း": "than",
    "ရွှေ": "shwe", "ကြည်": "kyi", "နိုင်": "naing", "ထက်": "htet", "ပိုင်": "paing",
    "ဖြိုး": "phyo", "သူ": "thu", "ရဲ": "ye", "လွင်": "lwin", "စန်း": "san", "နု": "nu",
    "မြ": "mya", "ဇင်": "zin", "ဟိန်း": "hein", "တင်": "tin", "ဆွေ": "swe", "ညို": "nyo",
    "မျိုး": "myo", "သက်": "thet", "ဦ": "u", "လင်း": "lin", "နွယ်": "nwe", "ဖြူ": "phyu",
    "ခိုင်": "khaing", "သော်": "thaw", "တာရာ": "tarar", "ဝေ": "wai", "ကောင်း": "kaung",
    "ဆန်း": "hsan", "ထိုက်": "htaik", "ရင်": "yin", "ပြည့်": "pyae", "စံ": "san",
    "မာ": "mar", "မာ့": "mar", "လေး": "lay", "ကြီး": "gyi", "ငယ်": "nge", "သီ": "thi", "ဟန်": "han",
    "သွင်": "thwin", "ချစ်": "chit", "ဇေယျာ": "zeya", "ဘ": "ba", "ဖေ": "hpay",
    "ညီ": "nyi", "သစ်": "thit", "ပို": "po", "ရီ": "yi", "စု": "su", "ကြူ": "kyu",
    "ဌေး": "htay", "ထွေး": "htway", "မြတ်": "myat", "နွေ": "nway", "ဘို": "bo", "ဦးစီး": "u si",
    # words of company and place names
    "မြန်": "myan", "ရတ": "yada", "နာ": "nar", "ဝ": "wa", "တီ": "ti", "ပင်": "pin",
    "ကုန်": "kone", "သွယ်": "thwe", "ရေး": "yay", "လီ": "li",
    "မိ": "mi", "တက်": "tet", "ဂရု": "group", "ပ်": "", "စီး": "si", "ပွား": "pwar",
    "ဦးပိုင်": "u paing", "ဆောက်": "hsauk", "လုပ်": "lok", "ငန်း": "ngan", "ကျောက်": "kyauk",
    "စိမ်း": "sein", "တော်": "taw", "ရန်": "yan", "ကုန်း": "kone",
    # company words, by their meaning: a list writes "Trading Co., Ltd." for these
    "ကုမ္ပဏီ": "company", "လီမိတက်": "limited", "ကုန်သွယ်ရေး": "trading", "အုပ်စု": "group",
    "ဆောက်လုပ်ရေး": "construction", "ဘဏ်": "bank",
    "ဆီ": "hsi", "ရိုက်": "yaik", "ဒေ": "de", "ဗ": "ba", "တန်": "tan", "ဖြစ်": "phyit",
}  # fmt: skip


# The order marks are stored in (Unicode Technical Note 11): medials, the vowel signs, then
# the tone marks. Zawgyi converted, or typed by hand, may store ``ု`` before ``ိ``; both look
# the same on screen, so they are put in one order before the table is read.
_MARK_ORDER = {
    mark: rank
    for rank, marks in enumerate(
        ["\u103b", "\u103c", "\u103d", "\u103e", "\u1031", "\u102d\u102e\u1032",
         "\u102f\u1030", "\u102b\u102c", "\u1036", "\u1037", "\u103a", "\u1038"]
    )
    for mark in marks
}  # fmt: skip
_MARKS = re.compile("[" + "".join(_MARK_ORDER) + "]{2,}")


def canonical(text: str) -> str:
    """``text`` with each run of combining marks in the one stored order."""
    return _MARKS.sub(lambda run: "".join(sorted(run.group(), key=_MARK_ORDER.get)), text)


_TABLE = {canonical(k): v for k, v in SYLLABLES.items()}
# Longest entries first, so ``ဦးပိုင်`` is read as a whole before ``ဦး``.
_WHOLE = sorted((k for k in _TABLE if len(k) > 1), key=len, reverse=True)


def syllables(text: str) -> list[str]:
    """``text`` (Myanmar Unicode, no spaces) cut into syllables."""
    return [part for part in _STARTS.split(text) if part]


def romanise(text: str) -> str:
    """Latin letters for a Burmese name, one word per syllable; other characters kept."""
    words: list[str] = []
    for chunk in re.split(r"(\s+)", canonical(text)):
        if not chunk.strip():
            continue
        words.extend(_romanise_word(chunk))
    return " ".join(w for w in words if w)


def _romanise_word(word: str) -> list[str]:
    out: list[str] = []
    rest = word
    while rest:
        whole = next((k for k in _WHOLE if rest.startswith(k) and _ends_syllable(rest, k)), None)
        if whole is not None:
            out.append(_TABLE[whole])
            rest = rest[len(whole) :]
            continue
        first = syllables(rest)[0]
        out.append(_TABLE.get(first) or unidecode(first).replace("'", "").strip())
        rest = rest[len(first) :]
    return out


def _ends_syllable(text: str, prefix: str) -> bool:
    """Whether ``prefix`` ends where a syllable of ``text`` ends (``မ`` in ``မြန်`` does not)."""
    if len(text) == len(prefix):
        return True
    cut = syllables(text)
    length = 0
    for part in cut:
        length += len(part)
        if length == len(prefix):
            return True
        if length > len(prefix):
            return False
    return False
