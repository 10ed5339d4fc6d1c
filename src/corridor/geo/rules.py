"""The place rule every record shares: activities, figures and incidents sit in a township.

A state or district p-code would be counted in the gap table as if it were a township, and
would double what its townships already hold (docs/rules.md).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from corridor.core.rules import Problem
from corridor.geo.models import Level


def township_problems(field: str, pcode: str | None, level: int | None) -> list[Problem]:
    """A p-code that is not a township's (nothing when the place is not known yet)."""
    if pcode is None or level is None or level == Level.TOWNSHIP:
        return []
    what = Level(level).label
    message = _("%(pcode)s is a %(level)s, not a township: give the township's p-code")
    return [Problem(field, "not_township", message % {"pcode": pcode, "level": what})]
