"""Template filters for numbers and dates in the reader's language; ``may`` for menus."""

from typing import Any

from django import template
from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.web import numbers

register = template.Library()

register.filter("num", numbers.number)
register.filter("pct", numbers.percent)
register.filter("month", numbers.month_label)
register.filter("day", numbers.date_label)


@register.filter
def need_from(row: Any) -> str:
    """Where a gap row's need comes from, as the gap table and the township page show it:
    "this sector · source · 15 March 2024" (or "valid … to …" for a figure with a period).
    A filter rather than an included template: the gap page shows it in 300 rows."""
    basis = {
        "sector": _("this sector"),
        "all_sectors": _("all sectors"),
        "idps": _("IDPs"),
    }.get(row.need_basis)
    if basis is None:
        return ""
    if row.need_valid_from:
        when = _("valid %(start)s to %(end)s") % {
            "start": numbers.date_label(row.need_valid_from),
            "end": numbers.date_label(row.need_valid_to),
        }
    else:
        when = numbers.date_label(row.need_as_of)
    return f"{basis} · {row.need_source} · {when}"


@register.simple_tag(takes_context=True)
def may(context: Any, action: str, label: Any = "") -> bool:
    """``policy.can`` for the person reading the page, so a menu offers only what they may do:
    ``{% may "add" "aid.activity" as may_report %}``. ``label`` names a kind of record, or is
    the record itself (``{% may "change" record as may_edit %}``); without it the question is
    about any record."""
    request = context.get("request")
    if isinstance(label, models.Model):
        target: Any = label
    else:
        target = apps.get_model(label) if label else None
    return policy.can(getattr(request, "user", None), action, target)
