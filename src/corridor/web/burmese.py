"""Burmese text in forms: Zawgyi-encoded input is converted to Myanmar Unicode.

Forms run every free-text field through ``unicode_text`` so nothing Zawgyi reaches the
database. Whether text is Zawgyi, and converting it, is ``core.zawgyi``'s to decide (the
importer asks the same); this module adds only the form's answer when conversion fails.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from corridor.core.zawgyi import is_zawgyi, to_unicode


def unicode_text(text: str) -> str:
    """The text in Myanmar Unicode: Zawgyi input converted, anything else unchanged."""
    if not is_zawgyi(text):
        return text
    converted = to_unicode(text)
    if is_zawgyi(converted):
        raise ValidationError(
            _("This text looks like Zawgyi and could not be converted. Please type it in Unicode.")
        )
    return converted
