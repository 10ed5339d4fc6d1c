"""Template filters for numbers and dates in the reader's language."""

from django import template

from corridor.web import numbers

register = template.Library()

register.filter("num", numbers.number)
register.filter("pct", numbers.percent)
register.filter("month", numbers.month_label)
register.filter("day", numbers.date_label)
