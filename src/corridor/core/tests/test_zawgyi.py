"""One rule for Zawgyi: the form, the importer and the place-name keys decide alike."""

import pytest

from corridor.core import zawgyi
from corridor.exchange import values
from corridor.geo import names
from corridor.web import burmese

# The official Unicode name of Pakokku: the detector gives it about 0.91, which the old
# importer threshold (0.9) took for Zawgyi and "converted" into ပခုက်ကူ.
PAKOKKU = "ပခုက္ကူ"
# Zawgyi for "are many" (များသည်), well above the threshold.
ZAWGYI = "မ်ားသည္"
UNICODE = "များသည်"


def test_every_edge_asks_the_same_functions():
    assert burmese.is_zawgyi is zawgyi.is_zawgyi
    assert burmese.to_unicode is zawgyi.to_unicode
    assert names.is_zawgyi is zawgyi.is_zawgyi
    assert names.has_burmese is values.has_burmese is zawgyi.has_burmese


def test_a_unicode_name_the_detector_doubts_is_kept_everywhere():
    assert 0.9 < zawgyi._detector().get_zawgyi_probability(PAKOKKU) <= zawgyi.ZAWGYI_THRESHOLD
    assert not zawgyi.is_zawgyi(PAKOKKU)
    assert burmese.unicode_text(PAKOKKU) == PAKOKKU  # a form field
    assert values.text(PAKOKKU) == PAKOKKU  # an imported cell
    assert names.name_key(PAKOKKU) == names.unicode_name_key(PAKOKKU)  # a place name


def test_zawgyi_is_converted_everywhere():
    assert zawgyi.is_zawgyi(ZAWGYI)
    assert zawgyi.to_unicode(ZAWGYI) == UNICODE
    assert burmese.unicode_text(ZAWGYI) == UNICODE
    assert values.text(ZAWGYI) == UNICODE
    assert names.name_key(ZAWGYI) == names.name_key(UNICODE)


@pytest.mark.parametrize("text", ["", "plain English", "Yangon 11181", UNICODE])
def test_text_that_is_not_zawgyi_is_unchanged(text):
    assert not zawgyi.is_zawgyi(text)
    assert zawgyi.to_unicode(text) == text
