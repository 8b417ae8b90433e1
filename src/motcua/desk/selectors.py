"""Reads of the intake desk: where the officer may receive, which procedures, who the applicant is."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import (
    procedure_is_filed_anywhere,
    procedure_is_handled_by,
    procedure_search,
    procedures_received_by,
    units_resolving,
)
from motcua.core.text import vi_sort_key
from motcua.dossiers.lifecycle import OFFICER_ROLES
from motcua.dossiers.models import Dossier
from motcua.units.models import Role, Unit, UnitLevel
from motcua.units.selectors import (
    unit_government,
    unit_province,
    unit_subtree,
    user_unit_filter,
    user_units,
)

PROCEDURE_LIST_LIMIT = 50


def desk_units(*, user) -> list[Unit]:
    """Units the user may receive dossiers for: where they hold the desk role, and below."""
    units: list[Unit] = []
    for top in user_units(user=user, roles=(Role.DESK_OFFICER,)):
        units.extend(unit_subtree(unit=top))
    return units


def desk_procedures(*, unit: Unit, query: str = "") -> list[Procedure]:
    """Procedures the unit resolves whose code, name or field match every word of `query`,
    diacritics ignored ("dang ky khai sinh" finds "Đăng ký khai sinh")."""
    offered = procedures_received_by(unit=unit).values("pk")
    found = procedure_search(query=query).filter(pk__in=offered)[:PROCEDURE_LIST_LIMIT]
    # Vietnamese order, sorted here (SQLite orders by bytes); the limit keeps the list short.
    return sorted(
        found.select_related("field"),
        key=lambda p: (vi_sort_key(p.field.name if p.field else ""), vi_sort_key(p.name)),
    )


def desk_processing_units(*, unit: Unit, procedure: Procedure):
    """None when the desk's unit handles the procedure itself (and only for its own government);
    else the agencies of its province that resolve it, one of which the dossier is filed with
    (filing anywhere in the province). A commune's centre handles its commune's procedures, yet
    receives a listed one for any commune of the province: then its own commune is one choice."""
    if procedure_is_handled_by(procedure=procedure, unit=unit) and not (
        unit.level == UnitLevel.CENTRE
        and procedure_is_filed_anywhere(procedure=procedure, unit=unit)
    ):
        return None
    province = unit_province(unit=unit)
    return units_resolving(procedure=procedure).filter(
        path__startswith=province.path if province else unit.path
    )


def desk_processing_default(*, unit: Unit, procedure: Procedure) -> Unit | None:
    """The agency preselected at a centre that also handles the procedure itself: its own."""
    if procedure_is_handled_by(procedure=procedure, unit=unit):
        return unit_government(unit=unit)
    return None


def desk_procedure_get(*, unit: Unit, code: str) -> Procedure | None:
    return (
        procedures_received_by(unit=unit)
        .filter(code=code)
        .select_related("field")
        .prefetch_related("components", "fees")
        .first()
    )


@dataclass(frozen=True)
class KnownApplicant:
    name: str
    phone: str
    email: str
    address: str
    dossier_code: str  # where the data came from, so the officer can check it
    received_at: datetime | None


def applicant_lookup(*, user, id_number: str) -> KnownApplicant | None:
    """The applicant's details from the most recent dossier with this ID number filed with a unit in
    the user's remit: earlier data is reused, data from outside the remit never shows."""
    id_number = id_number.strip().upper().replace(" ", "")
    if not id_number:
        return None
    dossier = (
        Dossier.objects.filter(
            user_unit_filter(user=user, field="unit", roles=OFFICER_ROLES),
            applicant_id_number=id_number,
        )
        .order_by(F("received_at").desc(nulls_last=True), "-pk")
        .first()
    )
    if dossier is None:
        return None
    return KnownApplicant(
        name=dossier.applicant_name,
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        address=dossier.applicant_address,
        dossier_code=dossier.code,
        received_at=dossier.received_at,
    )
