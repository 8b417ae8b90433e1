"""Template filters for the Vietnamese number and date style (core.formatting)."""

from django import template

from motcua.core import formatting

register = template.Library()


@register.filter
def percent_vi(value):
    return formatting.percent_vi(value)


@register.filter
def number_vi(value):
    return formatting.number_vi(value)


@register.filter
def date_vi(value):
    return formatting.date_vi(value)


@register.filter
def datetime_vi(value):
    return formatting.datetime_vi(value)
