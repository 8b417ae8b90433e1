"""Reads of the API app."""

from django.db.models import Count, QuerySet

from motcua.api.models import SystemToken


def system_token_list() -> QuerySet[SystemToken]:
    return SystemToken.objects.select_related("unit").annotate(use_count=Count("uses"))
