"""Reads of the procedure catalogue."""

from datetime import date

from django.db.models import Q, QuerySet

from motcua.catalog.models import Procedure, ProcessStep
from motcua.core.text import fold
from motcua.units.models import Unit, UnitLevel
from motcua.units.selectors import unit_current_q, unit_is_current


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


# --- which units receive which procedures: the one rule every door calls ----------------------------
#
# A unit receives dossiers of a procedure when, on the day, the unit is current (not merged away or
# expired) and the procedure is active, and
#   - the unit is a public administrative service centre or one-stop desk: every procedure (since
#     1/7/2025 any centre of the province receives regardless of administrative boundary —
#     Decree 118/2025/NĐ-CP); or
#   - the procedure names the units that receive it: the unit is one of them; or else
#   - the procedure's level (province, district, commune) is the level the unit works at: its own,
#     or for a department, that of the government it belongs to (a district's office takes district
#     procedures).
# Stated three ways that must agree (tests/catalog/test_receiving.py): one pair as Python, and the
# two directions as queries.


def unit_receiving_level(*, unit: Unit) -> str | None:
    """The procedure level the unit works at; None for a centre (every level)."""
    if unit.level == UnitLevel.CENTRE:
        return None
    node = unit
    while node.level == UnitLevel.DEPARTMENT and node.parent_id is not None:
        node = node.parent
    return node.level


def procedure_is_received_by(*, procedure: Procedure, unit: Unit, on: date | None = None) -> bool:
    if not procedure.active or not unit_is_current(unit=unit, on=on):
        return False
    if unit.level == UnitLevel.CENTRE:
        return True
    listed = [u.pk for u in procedure.units.all()]
    if listed:
        return unit.pk in listed
    return procedure.level == unit_receiving_level(unit=unit)


def procedures_received_by(*, unit: Unit, on: date | None = None) -> QuerySet[Procedure]:
    """The procedures the unit receives (see the rule above), as a query."""
    if not unit_is_current(unit=unit, on=on):
        return procedure_list().none()
    if unit.level == UnitLevel.CENTRE:
        return procedure_list()
    listed_here = Q(pk__in=Procedure.units.through.objects.filter(unit=unit).values("procedure"))
    by_level = Q(units__isnull=True, level=unit_receiving_level(unit=unit))
    return procedure_list().filter(listed_here | by_level).distinct()


# Departments nested deeper than this under their government are not expected; the Python rule
# walks any depth, and the test of the rule would show the difference.
_DEPARTMENT_NESTING = 3


def units_receiving(*, procedure: Procedure, on: date | None = None) -> QuerySet[Unit]:
    """The units that receive the procedure (see the rule above), as a query, by name."""
    current = Unit.objects.filter(unit_current_q(on=on))
    if not procedure.active:
        return current.none()
    centres = Q(level=UnitLevel.CENTRE)
    listed = procedure.units.all()
    if listed.exists():
        return current.filter(centres | Q(pk__in=listed.values("pk"))).order_by("name")
    by_level = Q(level=procedure.level)
    parent = "parent__"
    department = Q(level=UnitLevel.DEPARTMENT)
    for _ in range(_DEPARTMENT_NESTING):
        by_level |= department & Q(**{f"{parent}level": procedure.level})
        department &= Q(**{f"{parent}level": UnitLevel.DEPARTMENT})
        parent += "parent__"
    return current.filter(centres | by_level).order_by("name")
