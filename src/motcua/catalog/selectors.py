"""Reads of the procedure catalogue."""

from django.db.models import Q, QuerySet

from motcua.catalog.models import Procedure, ProcessStep
from motcua.core.text import fold
from motcua.units.models import Unit


def procedure_list(*, active_only: bool = True) -> QuerySet[Procedure]:
    queryset = Procedure.objects.select_related("field")
    return queryset.filter(active=True) if active_only else queryset


def procedure_steps(*, procedure: Procedure) -> list[ProcessStep]:
    return list(procedure.process_steps.select_related("unit").order_by("position"))


def procedure_search(
    *, query: str = "", field_id: int | None = None, level: str = ""
) -> QuerySet[Procedure]:
    """Active procedures matching every word of `query`, diacritics ignored ("dang ky khai sinh"
    finds "Đăng ký khai sinh"); an exact code comes first."""
    queryset = procedure_list()
    if field_id:
        queryset = queryset.filter(field_id=field_id)
    if level:
        queryset = queryset.filter(level=level)
    for word in fold(query).split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset.order_by("field__name", "name")


def procedures_offered_by(*, unit: Unit) -> QuerySet[Procedure]:
    """Procedures a unit resolves: listed for it explicitly, or of its level with no unit list."""
    level = {"commune": "commune", "district": "district", "province": "province"}.get(unit.level)
    explicit = Q(units=unit)
    by_level = Q(units__isnull=True, level=level) if level else Q(pk__in=[])
    return procedure_list().filter(explicit | by_level).distinct()


def procedure_is_offered_by(*, procedure: Procedure, unit: Unit) -> bool:
    """Whether `unit` may receive dossiers of `procedure`: its explicit unit list, else its level.
    A department works at the level of the government it belongs to (a district office takes
    district procedures); public-administration centres take every level (Decree 118/2025: any
    centre of the province takes any dossier)."""
    if unit.level == "centre":
        return True
    listed = list(procedure.units.values_list("pk", flat=True))
    if listed:
        return unit.pk in listed
    level = unit.level
    node = unit
    while level == "department" and node.parent_id is not None:
        node = node.parent
        level = node.level
    return procedure.level == level
