"""Template filters for the Vietnamese number and date style (core.formatting)."""

from decimal import Decimal, InvalidOperation

from django import template

from motcua.core import formatting

register = template.Library()


def _numeric(value) -> bool:
    # A missing template variable arrives as "": show nothing rather than fail the page.
    return value is None or isinstance(value, int | float | Decimal) or _parses(value)


def _parses(value) -> bool:
    try:
        Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    return True


@register.filter
def percent_vi(value):
    return formatting.percent_vi(value) if _numeric(value) else value


@register.filter
def number_vi(value):
    return formatting.number_vi(value) if _numeric(value) else value


@register.filter
def date_vi(value):
    return formatting.date_vi(value)


@register.filter
def datetime_vi(value):
    return formatting.datetime_vi(value)
