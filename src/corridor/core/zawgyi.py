"""Zawgyi-encoded Burmese: telling it apart from Myanmar Unicode, and converting it.

Zawgyi and Unicode use the same code points for different shapes, so a Zawgyi string stored as
it is reads as garbage on a Unicode device (and the other way round). Every edge that takes
Burmese text (forms, the importer, the place-name resolver) decides here, with maintained
libraries (myanmartools detects, python-myanmar converts), never with tables of our own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from myanmar import converter
from myanmartools import ZawgyiDetector

# Above this probability text is read as Zawgyi (decision 0140). Converting correct Unicode
# corrupts it silently (the official Unicode name of Pakokku, ပခုက္ကူ, scores 0.91), while Zawgyi
# left as typed is still what the person wrote; so the bar is high.
ZAWGYI_THRESHOLD = 0.95

_MYANMAR = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")


@lru_cache(maxsize=1)
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()


def has_burmese(text: str) -> bool:
    return bool(_MYANMAR.search(text))


def is_zawgyi(text: str) -> bool:
    """Whether ``text`` is Burmese written in the Zawgyi encoding."""
    return has_burmese(text) and _detector().get_zawgyi_probability(text) > ZAWGYI_THRESHOLD


def to_unicode(text: str) -> str:
    """``text`` in Myanmar Unicode: Zawgyi converted, anything else unchanged."""
    return converter.convert(text, "zawgyi", "unicode") if is_zawgyi(text) else text
