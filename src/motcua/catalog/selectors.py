"""Reads of the procedure catalogue."""

from django.db.models import QuerySet

from motcua.catalog.models import Procedure, ProcessStep


def procedure_list(*, active_only: bool = True) -> QuerySet[Procedure]:
    queryset = Procedure.objects.select_related("field")
    return queryset.filter(active=True) if active_only else queryset


def procedure_steps(*, procedure: Procedure) -> list[ProcessStep]:
    return list(procedure.process_steps.select_related("unit").order_by("position"))
