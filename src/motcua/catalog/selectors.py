"""Reads of the procedure catalogue."""

from datetime import date

from django.db.models import Q, QuerySet

from motcua.catalog.models import FilingAnywhere, Procedure, ProcessStep
from motcua.core import timeutil
from motcua.core.text import fold
from motcua.units.models import Unit, UnitLevel
from motcua.units.selectors import (
    GOVERNMENT_LEVELS,
    unit_current_q,
    unit_government,
    unit_is_current,
    unit_province,
)


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


# --- who resolves and who receives which procedures: the rules every door calls ---------------------
#
# Two questions, each answered once:
#
# RESOLVES (competence; the processing agency a dossier is filed with and counted against): the
# procedure names the units that resolve it and the unit is one of them; or else the unit is a
# government (province, district, commune) of the procedure's level.
#
# RECEIVES (where a dossier may be handed in), on a day when the unit is current (not merged away or
# expired) and the procedure active: the unit resolves the procedure; or it is a department or a
# service centre of a government that resolves it (it works for that government); or it is a
# service centre and the procedure is on its province's list of procedures filed anywhere in the
# province (Decree 118/2025/NĐ-CP; `FilingAnywhere`) — then the dossier is filed with the competent
# agency and only handed in at the centre.
#
# Each is stated as Python and as queries in both directions; tests/catalog/test_receiving.py checks
# they agree, and that the desk, the portal and the intake services give the same answers.

# Departments and centres nested deeper than this under their government are not expected; the
# Python rule walks any depth, and the tests of the rule would show a difference.
_NESTING = 3


def procedure_is_resolved_by(*, procedure: Procedure, unit: Unit) -> bool:
    listed = [u.pk for u in procedure.units.all()]
    if listed:
        return unit.pk in listed
    return unit.level in GOVERNMENT_LEVELS and unit.level == procedure.level


def units_resolving(*, procedure: Procedure, on: date | None = None) -> QuerySet[Unit]:
    """The current units that resolve the procedure (the portal's list of where to file)."""
    current = Unit.objects.filter(unit_current_q(on=on))
    if not procedure.active:
        return current.none()
    if procedure.units.exists():
        return current.filter(pk__in=procedure.units.values("pk")).order_by("name")
    return current.filter(level=procedure.level).order_by("name")


def procedure_is_filed_anywhere(
    *, procedure: Procedure, unit: Unit, on: date | None = None
) -> bool:
    """Whether the province of `unit` lists the procedure as one filed at any of its centres."""
    province = unit_province(unit=unit)
    return (
        province is not None
        and _filed_anywhere(on).filter(province=province, procedure=procedure).exists()
    )


def _filed_anywhere(on: date | None) -> QuerySet[FilingAnywhere]:
    on = on or timeutil.now().date()
    return FilingAnywhere.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def procedure_is_handled_by(*, procedure: Procedure, unit: Unit) -> bool:
    """The unit resolves the procedure, or works (as a department or centre) for a government that
    does: a dossier it receives is filed with it. Answered once per procedure instance and unit
    (the intake form asks it for the choice of agency and again for the one preselected)."""
    answers = procedure.__dict__.setdefault("_motcua_handled_by", {})
    if unit.pk not in answers:
        answers[unit.pk] = _handled_by(procedure=procedure, unit=unit)
    return answers[unit.pk]


def _handled_by(*, procedure: Procedure, unit: Unit) -> bool:
    if procedure_is_resolved_by(procedure=procedure, unit=unit):
        return True
    if unit.level in (UnitLevel.DEPARTMENT, UnitLevel.CENTRE):
        government = unit_government(unit=unit)
        return government is not None and procedure_is_resolved_by(
            procedure=procedure, unit=government
        )
    return False


def procedure_is_received_by(*, procedure: Procedure, unit: Unit, on: date | None = None) -> bool:
    if not procedure.active or not unit_is_current(unit=unit, on=on):
        return False
    if procedure_is_handled_by(procedure=procedure, unit=unit):
        return True
    return unit.level == UnitLevel.CENTRE and procedure_is_filed_anywhere(
        procedure=procedure, unit=unit, on=on
    )


def _working_for(government_q) -> Q:
    """Departments and centres whose nearest government satisfies `government_q(prefix)`."""
    query = Q(pk__in=[])
    prefix = "parent__"
    between = Q(level__in=(UnitLevel.DEPARTMENT, UnitLevel.CENTRE))
    for _ in range(_NESTING):
        query |= between & government_q(prefix)
        between &= Q(**{f"{prefix}level__in": (UnitLevel.DEPARTMENT, UnitLevel.CENTRE)})
        prefix += "parent__"
    return query


def procedures_received_by(*, unit: Unit, on: date | None = None) -> QuerySet[Procedure]:
    """The procedures the unit receives (see the rules above), as a query."""
    if not unit_is_current(unit=unit, on=on):
        return procedure_list().none()
    query = _resolved_by_q(unit)
    if unit.level in (UnitLevel.DEPARTMENT, UnitLevel.CENTRE):
        government = unit_government(unit=unit)
        if government is not None:
            query |= _resolved_by_q(government)
    if unit.level == UnitLevel.CENTRE:
        province = unit_province(unit=unit)
        if province is not None:
            listed = _filed_anywhere(on).filter(province=province).values("procedure")
            query |= Q(pk__in=listed)
    return procedure_list().filter(query).distinct()


def _resolved_by_q(unit: Unit) -> Q:
    """`procedure_is_resolved_by` as a filter on procedures."""
    listed_here = Q(pk__in=Procedure.units.through.objects.filter(unit=unit).values("procedure"))
    if unit.level not in GOVERNMENT_LEVELS:
        return listed_here
    return listed_here | Q(units__isnull=True, level=unit.level)


def units_receiving(*, procedure: Procedure, on: date | None = None) -> QuerySet[Unit]:
    """The units that receive the procedure (see the rules above), as a query, by name."""
    current = Unit.objects.filter(unit_current_q(on=on))
    if not procedure.active:
        return current.none()
    listed = list(procedure.units.values_list("pk", flat=True))

    def resolves(prefix: str) -> Q:
        if listed:
            return Q(**{f"{prefix}pk__in": listed})
        return Q(**{f"{prefix}level": procedure.level})

    query = resolves("") | _working_for(resolves)
    provinces = (
        _filed_anywhere(on).filter(procedure=procedure).values_list("province__path", flat=True)
    )
    for path in provinces:
        query |= Q(level=UnitLevel.CENTRE, path__startswith=path)
    return current.filter(query).order_by("name")
