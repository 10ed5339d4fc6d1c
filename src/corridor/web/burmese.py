"""Burmese text at the edge: Zawgyi-encoded input is converted to Myanmar Unicode.

Zawgyi and Unicode use the same code points for different shapes, so a Zawgyi string stored
as it is reads as garbage on a Unicode device (and the other way round). Forms run every
free-text field through ``unicode_text`` so nothing Zawgyi reaches the database.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from myanmar import converter
from myanmartools import ZawgyiDetector

# Above this the detector is practically certain; below it, Unicode text with unusual
# spellings must not be "converted" into nonsense.
ZAWGYI_THRESHOLD = 0.95


@lru_cache(maxsize=1)
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()


def is_zawgyi(text: str) -> bool:
    return bool(text) and _detector().get_zawgyi_probability(text) > ZAWGYI_THRESHOLD


def unicode_text(text: str) -> str:
    """The text in Myanmar Unicode: Zawgyi input converted, anything else unchanged."""
    if not is_zawgyi(text):
        return text
    converted = converter.convert(text, "zawgyi", "unicode")
    if is_zawgyi(converted):
        raise ValidationError(
            _("This text looks like Zawgyi and could not be converted. Please type it in Unicode.")
        )
    return converted
