"""Template filters for numbers and dates in the reader's language; ``may`` for menus."""

from typing import Any

from django import template
from django.apps import apps
from django.db import models

from corridor.accounts import policy
from corridor.web import numbers

register = template.Library()

register.filter("num", numbers.number)
register.filter("pct", numbers.percent)
register.filter("month", numbers.month_label)
register.filter("day", numbers.date_label)


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
