"""The real national figures the demo cites, with their real sources.

These are the only non-synthetic rows in the demo. Each value was checked against the source's
own text (through a stored copy of the published page) on 2026-11-25:

- UN OCHA, "Myanmar Humanitarian Update No. 26", on the UN in Myanmar site: key figures
  "1.5M total people currently internally displaced across Myanmar" and "39K civilian properties
  estimated burnt or destroyed since February 2021", displacement "as of 23 January" 2023 (the
  update announces the 2023 Response Plan). The page text shows no publication date, so
  ``published_on`` stays empty rather than guessed; the figures are dated 23 January 2023.
- AAPP (Assistance Association for Political Prisoners), "Two Years Since the Failed Junta
  Coup", dated February 1, 2023: from the coup to January 31, 2023 the junta "has killed 2940",
  "arrested 17572" and "13763 are still detained" — the "nearly 3,000 killed, more than 13,000
  still detained" the project's seeds cite. AAPP notes the actual numbers are likely higher.

The OCHA values are rounded in the source (1.5M, 39K) and are stored as given, with a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from corridor.situation.models import Reliability


@dataclass(frozen=True)
class RealSource:
    key: str
    title: str
    publisher: str
    published_on: dt.date | None
    url: str
    reliability: str


@dataclass(frozen=True)
class RealIndicator:
    source_key: str
    code: str
    label: str
    value: int
    as_of: dt.date
    notes: str


OCHA_26 = RealSource(
    key="source:real:ocha-myanmar-humanitarian-update-26",
    title="Myanmar Humanitarian Update No. 26",
    publisher="UN Office for the Coordination of Humanitarian Affairs (OCHA)",
    published_on=None,
    url="https://myanmar.un.org/en/217948-myanmar-humanitarian-update-no-26",
    reliability=Reliability.B,
)

AAPP_TWO_YEARS = RealSource(
    key="source:real:aapp-two-years-since-coup",
    title="Two Years Since the Failed Junta Coup",
    publisher="Assistance Association for Political Prisoners (AAPP)",
    published_on=dt.date(2023, 2, 1),
    url="https://aappb.org/?p=24066",
    reliability=Reliability.B,
)

REAL_SOURCES = [OCHA_26, AAPP_TWO_YEARS]

REAL_INDICATORS = [
    RealIndicator(
        OCHA_26.key,
        "idps_total",
        "People internally displaced across Myanmar",
        1_500_000,
        dt.date(2023, 1, 23),
        "Real figure (not synthetic). The source gives '1.5M' (more than 1.5 million), "
        "including 1.2M displaced since February 2021.",
    ),
    RealIndicator(
        OCHA_26.key,
        "civilian_properties_destroyed",
        "Civilian properties estimated burnt or destroyed since February 2021",
        39_000,
        dt.date(2023, 1, 23),
        "Real figure (not synthetic). The source gives '39K'.",
    ),
    RealIndicator(
        AAPP_TWO_YEARS.key,
        "killed_by_junta",
        "People killed by the junta since the 1 February 2021 coup",
        2_940,
        dt.date(2023, 1, 31),
        "Real figure (not synthetic). Verified by AAPP; the source says the actual number "
        "is likely much higher.",
    ),
    RealIndicator(
        AAPP_TWO_YEARS.key,
        "arrested_total",
        "People arrested since the 1 February 2021 coup",
        17_572,
        dt.date(2023, 1, 31),
        "Real figure (not synthetic). Verified by AAPP.",
    ),
    RealIndicator(
        AAPP_TWO_YEARS.key,
        "detained_total",
        "People still detained after arrest since the coup",
        13_763,
        dt.date(2023, 1, 31),
        "Real figure (not synthetic). Verified by AAPP; includes 2,771 women and girls and "
        "377 children.",
    ),
]
