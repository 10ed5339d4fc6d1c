"""Screening: recall and precision on the labelled set, and speed on a big synthetic list.

    .venv/bin/python bench/screening.py [--entities 100000] [--names 10000]

1. The labelled set (``src/corridor/screening/tests/data/``, made by ``screening_labelled.py``):
   recall and precision of flagging (possible or match) the right entity; the issue asks for
   recall >= 0.95 at precision >= 0.9.
2. ``--names`` payee names screened against ``--entities`` synthetic entities (people of two to
   four Burmese name syllables, companies of two place-like words, a trade and a company form,
   each with a Burmese or other-spelling alias): building the index, then screening; the issue
   asks for 10,000 names against 100,000 entities in under 30 s. A fifth of the names are
   variants of listed ones (honorific, company form, spelling), the rest new names.

The matcher runs as the service runs it (``corridor.screening.matcher.Index``), without the
database: loading 100,000 rows from it is the importer's cost, measured separately below.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from corridor.screening.labelled import evaluate
from corridor.screening.matcher import CLEAR, Index, Target

SYLLABLES = """aung kyaw myint win htun thein soe moe hlaing zaw min nyunt khin than shwe kyi naing
htet paing phyo thu ye lwin san nu mya zin hein tin swe myo thet lin nwe khaing kaung myat htay
chit han thant sandar yadanar thiri nandar ei phyu hnin wai yamin aye maw tun hla ngwe pyae
zeya thura nay lay wint thaw su kyu bo ba nyein"""
PLACES = """thanlwin sittaung yoma pyinsa kanbawza nawarat zabu padauk tagaung moemaka yadanabon
hintha kinnara mandalar pathein ayeyar chindwin inle bago dawei myeik lashio kalay hpakant
mogok loikaw sagaing magway hakha minbu taunggyi kyaukse pyay thaton mudon hinthada"""
TRADES = [
    "gems",
    "trading",
    "brewery",
    "steel",
    "cement",
    "logistics",
    "timber",
    "oil",
    "rice",
    "fuel",
    "transport",
    "jade",
]
FORMS = ["Co., Ltd.", "Company Limited", "Ltd", "Public Co., Ltd.", "Group", ""]
HONORIFICS = ["U", "Daw", "Ko", "Ma", "Sai", "Nang", "Saw", "Naw", ""]


def entities(rng: random.Random, count: int) -> list[Target]:
    syllables, places = SYLLABLES.split(), PLACES.split()
    found = []
    for number in range(count):
        if number % 2:
            words = [w.title() for w in rng.sample(syllables, rng.choice([2, 3, 3, 4]))]
            name = f"{rng.choice(HONORIFICS)} {' '.join(words)}".strip()
            aliases: tuple[str, ...] = (" ".join(reversed(words)),)
            schema = "Person"
        else:
            words = [w.title() for w in rng.sample(places, 2)]
            name = f"{' '.join(words)} {rng.choice(TRADES).title()} {rng.choice(FORMS)}".strip()
            aliases = (f"{words[0]} {words[1]} Group",)
            schema = "Company"
        found.append(Target(id=number, name=name, aliases=aliases, schema=schema))
    return found


def queries(rng: random.Random, listed: list[Target], count: int) -> list[str]:
    fresh = entities(random.Random(rng.random()), count)
    names = []
    for number in range(count):
        if number % 5 == 0:
            target = rng.choice(listed)
            names.append(target.name.upper().replace(" CO., LTD.", " COMPANY LIMITED"))
        else:
            names.append(fresh[number].name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=10_000)
    args = parser.parse_args(argv)

    scores = evaluate()
    print(f"labelled set: {scores.pairs} pairs, found {scores.found}, missed {scores.missed}, "
          f"false alarms {scores.false_alarms}: recall {scores.recall:.3f}, "
          f"precision {scores.precision:.3f}")  # fmt: skip

    rng = random.Random(17)
    listed = entities(rng, args.entities)
    names = queries(rng, listed, args.names)
    start = time.perf_counter()
    index = Index(listed)
    built = time.perf_counter() - start
    start = time.perf_counter()
    hits = [index.screen(name) for name in names]
    screened = time.perf_counter() - start
    flagged = sum(h.status != CLEAR for h in hits)
    print(f"index of {len(listed):,} entities ({len(index.entries):,} names): {built:.1f} s")
    print(f"{len(names):,} names screened: {screened:.1f} s "
          f"({len(names) / screened:,.0f} names/s); {flagged:,} flagged; "
          f"total {built + screened:.1f} s")  # fmt: skip
    ok = scores.recall >= 0.95 and scores.precision >= 0.9 and built + screened < 30
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
