"""How the labelled screening set was made (synthetic, fictional names; nothing from a real list).

    .venv/bin/python bench/screening_labelled.py      # rewrites the two files below

- ``src/corridor/screening/tests/data/labelled_list.csv``: a list in Corridor's CSV shape:
  fictional people (Latin name, Burmese alias) and companies of two fictional conglomerates,
  with aliases; a few subsidiaries named only through their parent (``owned_by`` column).
- ``src/corridor/screening/tests/data/labelled_pairs.csv``: ``query,entity,label,kind``: the
  query, the listed entity it is about, 1 if screening must flag it as that entity, 0 if it is a
  near miss that must not be flagged at all, and what kind of variant it is.

The variants are the ones payees' names take in practice: honorifics added or dropped, company
forms written differently, Burmese script (also in Zawgyi), other romanised spellings, words
swapped, a typing slip, an alias. The near misses change one distinctive word or share only the
generic words. The set is written once with a fixed seed and committed: the labels are what each
variant was made to be, never what the matcher says.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from myanmar import converter

DATA = Path(__file__).resolve().parents[1] / "src/corridor/screening/tests/data"

# Latin spelling -> Burmese syllable (the same pairs as romanise.SYLLABLES, written out here so
# the set does not depend on the code it tests).
SYL = {
    "Aung": "အောင်", "Kyaw": "ကျော်", "Myint": "မြင့်", "Win": "ဝင်း", "Htun": "ထွန်း",
    "Thein": "သိန်း", "Soe": "စိုး", "Moe": "မိုး", "Hlaing": "လှိုင်", "Zaw": "ဇော်",
    "Min": "မင်း", "Nyunt": "ညွန့်", "Khin": "ခင်", "Than": "သန်း", "Shwe": "ရွှေ",
    "Kyi": "ကြည်", "Naing": "နိုင်", "Htet": "ထက်", "Paing": "ပိုင်", "Phyo": "ဖြိုး",
    "Thu": "သူ", "Ye": "ရဲ", "Lwin": "လွင်", "San": "စန်း", "Nu": "နု", "Mya": "မြ",
    "Zin": "ဇင်", "Hein": "ဟိန်း", "Tin": "တင်", "Swe": "ဆွေ", "Myo": "မျိုး", "Thet": "သက်",
    "Lin": "လင်း", "Nwe": "နွယ်", "Khaing": "ခိုင်", "Kaung": "ကောင်း", "Myat": "မြတ်",
    "Htay": "ဌေး", "Chit": "ချစ်", "Han": "ဟန်",
}  # fmt: skip
HONORIFIC = {"U": "ဦး", "Daw": "ဒေါ်", "Ko": "ကို", "Ma": "မ", "Sai": "စိုင်း", "Nang": "နန်း"}
# Other spellings of one syllable seen in Latin.
RESPELL = {
    "Htun": "Tun", "Kyaw": "Kyawe", "Moe": "Mo", "Thein": "Thien", "Hlaing": "Hline",
    "Phyo": "Pyo", "Myint": "Myin", "Htet": "Tet", "Soe": "So",
}  # fmt: skip
COMPANY_WORDS = [
    "Thanlwin", "Sittaung", "Yoma", "Pyinsa", "Kanbawza", "Nawarat", "Zabu", "Padauk",
    "Tagaung", "Moemaka", "Yadanabon", "Hintha", "Kinnara", "Shwe Taung", "Ngwe Pin",
    "Mandalar", "Bagan Thiri", "Pathein", "Ruby Hill", "Lotus Crest",
]  # fmt: skip
# Fictional company words that are on no list: their companies share only generic words.
UNLISTED = ["Sein Lae", "Ayeyar Pearl", "Chindwin Star", "Mya Nandar", "Inle Breeze"]
TRADES = ["Gems", "Trading", "Brewery", "Steel", "Cement", "Logistics", "Timber", "Oil"]
FORMS = ["Co., Ltd.", "Company Limited", "Ltd", "Public Co., Ltd.", "Group", "Co Ltd"]


def burmese(words: list[str]) -> str:
    return "".join(SYL[w] for w in words)


def person_names(rng: random.Random, count: int) -> list[list[str]]:
    pool = sorted(SYL)
    seen, names = set(), []
    while len(names) < count:
        words = rng.sample(pool, rng.choice([2, 3, 3, 3]))
        if tuple(sorted(words)) not in seen:
            seen.add(tuple(sorted(words)))
            names.append(words)
    return names


def typo(rng: random.Random, text: str) -> str:
    spots = [i for i, c in enumerate(text) if c.isalpha() and i > 0]
    i = rng.choice(spots[len(spots) // 3 :])
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :] if i + 1 < len(text) else text


def swap_word(rng: random.Random, words: list[str], exclude: set[str]) -> list[str]:
    """One distinctive word replaced by another name syllable that does not look like it."""
    i = rng.randrange(len(words))
    choices = [w for w in SYL if w not in exclude and w[:2] != words[i][:2]]
    return [*words[:i], rng.choice(choices), *words[i + 1 :]]


def main() -> None:
    rng = random.Random(20261203)
    entities, pairs = [], []
    people = person_names(rng, 44)
    used = {tuple(sorted(p)) for p in people}
    for number, words in enumerate(people):
        honorific = rng.choice(["U", "Daw", "U", "Daw", "Sai", "Nang"])
        name = f"{honorific} {' '.join(words)}"
        entities.append({
            "name": name, "aliases": f"{HONORIFIC[honorific]}{burmese(words)}", "type": "person",
            "country": "mm", "programme": "SYNTHETIC-PERSONS", "source": "labelled set",
            "date": f"2021-{1 + number % 12:02d}-15", "owned_by": "",
        })  # fmt: skip
        plain = " ".join(words)
        pairs += [
            (plain, name, 1, "honorific dropped"),
            (f"{honorific} {plain}".upper(), name, 1, "case"),
            (burmese(words), name, 1, "Burmese, no honorific"),
            (converter.convert(f"{HONORIFIC[honorific]}{burmese(words)}", "unicode", "zawgyi"),
             name, 1, "Burmese in Zawgyi"),
            (" ".join(RESPELL.get(w, w) for w in words), name, 1, "romanised otherwise"),
            (" ".join(reversed(words)), name, 1, "words swapped"),
            ("Ko " + plain if honorific in ("U", "Sai") else "Ma " + plain, name, 1,
             "another honorific"),
        ]  # fmt: skip
        if number % 2 == 0:
            pairs.append((typo(rng, plain), name, 1, "typing slip"))
        for _ in range(2):
            near = swap_word(rng, words, set(words))
            if tuple(sorted(near)) in used:
                continue
            pairs.append((f"{honorific} {' '.join(near)}", name, 0, "one name word differs"))
        if len(words) == 3:
            pairs.append(
                (f"{burmese(swap_word(rng, words, set(words)))}", name, 0, "Burmese, one differs")
            )
    for number, word in enumerate(COMPANY_WORDS):
        holding = f"{word} Economic Holdings Public Co., Ltd."
        entities.append({
            "name": holding, "aliases": f"{word} Holdings;{''.join(w[0] for w in word.split())}EH",
            "type": "company", "country": "mm", "programme": "SYNTHETIC-CONGLOMERATES",
            "source": "labelled set", "date": f"2022-{1 + number % 12:02d}-01", "owned_by": "",
        })  # fmt: skip
        trades = rng.sample(TRADES, 2)
        for t_index, trade in enumerate(trades):
            sub = f"{word} {trade} {FORMS[(number + t_index) % len(FORMS)]}"
            entities.append({
                "name": sub, "aliases": "", "type": "company", "country": "mm",
                "programme": "", "source": "labelled set", "date": "", "owned_by": holding,
            })  # fmt: skip
            bare = f"{word} {trade}"
            pairs += [
                (f"{bare} Company Limited", sub, 1, "company form written out"),
                (f"{bare.upper()} CO LTD", sub, 1, "company form abbreviated"),
                (f"{bare} Co.,Ltd", sub, 1, "punctuation"),
            ]
            other = next(t for t in TRADES if t not in trades)
            pairs.append((f"{word} {other} Co., Ltd.", sub, 0, "same group word, other trade"))
        pairs += [
            (f"{word} Economic Holdings", holding, 1, "company form dropped"),
            (f"{word} Holdings Ltd", holding, 1, "alias"),
            (f"{word.upper()} ECONOMIC HOLDING PUBLIC COMPANY LIMITED", holding, 1, "singular"),
            (f"{typo(rng, word)} Economic Holdings", holding, 1, "typing slip"),
        ]
        unrelated = UNLISTED[number % len(UNLISTED)]
        pairs += [
            (f"{unrelated} Rice Trading Co., Ltd.", holding, 0, "shares generic words only"),
            (f"Myanmar {trades[0]} Co., Ltd.", holding, 0, "trade word only"),
        ]
    DATA.mkdir(parents=True, exist_ok=True)
    with (DATA / "labelled_list.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(entities[0]))
        writer.writeheader()
        writer.writerows(entities)
    with (DATA / "labelled_pairs.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["query", "entity", "label", "kind"])
        writer.writerows(pairs)
    positives = sum(p[2] for p in pairs)
    print(f"{len(entities)} entities, {len(pairs)} pairs ({positives} must match)")


if __name__ == "__main__":
    main()
