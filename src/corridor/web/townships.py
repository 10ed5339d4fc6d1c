"""The township picker's live search: English, Burmese or p-code, through the gazetteer.

Typing part of a name finds townships whose English name, Burmese name or p-code contains
it; when that finds few, the gazetteer's resolver adds its candidates (aliases, other
spellings, fuzzy matches), so "Kalemyo" or a misspelt name still offers the right township.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When

from corridor.geo.models import AdminUnit, Level
from corridor.geo.resolver import get_resolver
from corridor.web.burmese import unicode_text

MAX_MATCHES = 10
# Shorter Latin text matches too much of the list to be worth sending.
MIN_LATIN_CHARS = 2


def search_text(raw: str) -> str:
    """What was typed, spaces tidied and Zawgyi made Unicode (unconvertible text kept)."""
    text = " ".join(raw.split())
    try:
        return unicode_text(text)
    except ValidationError:
        return text


def townships_matching(raw: str, limit: int = MAX_MATCHES) -> list[AdminUnit]:
    """Townships for what was typed, best first: names starting with it, then containing it,
    then what the gazetteer's resolver offers."""
    text = search_text(raw)
    if not text or (text.isascii() and len(text) < MIN_LATIN_CHARS):
        return []
    townships = AdminUnit.objects.filter(level=Level.TOWNSHIP).only("pcode", "name_en", "name_my")
    starts = Q(name_en__istartswith=text) | Q(name_my__startswith=text) | Q(pcode__istartswith=text)
    found: list[AdminUnit] = list(
        townships.filter(starts | Q(name_en__icontains=text) | Q(name_my__contains=text))
        .annotate(
            rank=Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("rank", "name_en")[:limit]
    )
    if len(found) < limit:
        seen = {unit.pcode for unit in found}
        resolution = get_resolver().resolve(text, level=Level.TOWNSHIP)
        wanted = [c.pcode for c in resolution.candidates if c.pcode not in seen]
        extra = townships.in_bulk(wanted[: limit - len(found)])
        found += [extra[pcode] for pcode in wanted if pcode in extra]
    return found[:limit]
