"""Vietnamese number and date style in portal templates (core.formatting)."""

from django import template
from django.utils.translation import gettext as _

from motcua.core import formatting

register = template.Library()


@register.filter
def vnd(value) -> str:
    """8000 → "8.000 đồng"."""
    return _("%(amount)s đồng") % {"amount": formatting.number_vi(value)}


@register.filter
def number_vi(value) -> str:
    return formatting.number_vi(value)


@register.filter
def date_vi(value) -> str:
    return formatting.date_vi(value)


@register.filter
def datetime_vi(value) -> str:
    return formatting.datetime_vi(value)


@register.filter
def megabytes(value: int) -> str:
    return formatting.number_vi(value / (1024 * 1024), decimals=1) + " MB"
