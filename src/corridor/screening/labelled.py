"""Recall and precision of the matcher on the labelled set (``tests/data/labelled_*.csv``).

A pair labelled 1 counts as found when screening the query flags (possible or match) that very
entity; labelled 0, as a false alarm when it flags anything. A flag on the wrong entity for a
pair labelled 1 is a miss and a false alarm both. Used by the test and ``bench/screening.py``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from corridor.screening.formats import read_csv
from corridor.screening.matcher import CLEAR, Index

DATA = Path(__file__).parent / "tests" / "data"


@dataclass
class Scores:
    pairs: int = 0
    found: int = 0
    missed: int = 0
    false_alarms: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed) if self.found + self.missed else 0.0

    @property
    def precision(self) -> float:
        flagged = self.found + self.false_alarms
        return self.found / flagged if flagged else 0.0


def labelled_index(data: Path = DATA) -> Index:
    with (data / "labelled_list.csv").open(encoding="utf-8", newline="") as handle:
        rows = read_csv(handle, "labelled_list.csv")
    return Index(row.target("labelled") for row in rows)


def evaluate(data: Path = DATA) -> Scores:
    index = labelled_index(data)
    scores = Scores()
    with (data / "labelled_pairs.csv").open(encoding="utf-8", newline="") as handle:
        for pair in csv.DictReader(handle):
            scores.pairs += 1
            hit = index.screen(pair["query"])
            flagged = hit.status != CLEAR
            right = flagged and hit.entity == pair["entity"]
            if pair["label"] == "1":
                if right:
                    scores.found += 1
                    continue
                scores.missed += 1
                scores.false_alarms += int(flagged)
            elif flagged:
                scores.false_alarms += 1
            else:
                continue
            scores.mistakes.append(
                f"{pair['kind']}: {pair['query']!r} ~ {pair['entity']!r} (label {pair['label']})"
                f" -> {hit.status} {hit.entity!r} {hit.score:.0f}"
            )
    return scores
