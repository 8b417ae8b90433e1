"""Writes to the procedure catalogue."""

from decimal import Decimal

from django.db import transaction

from motcua.catalog.models import (
    Component,
    Fee,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcessStep,
    ResultKind,
    TimeLimitUnit,
)
from motcua.core.errors import ValidationFailed
from motcua.units.models import Role, Unit


def field_get_or_create(*, name: str, code: str = "") -> Field:
    field = Field.objects.filter(name=name).first()
    if field is None:
        field = Field.objects.create(name=name, code=code or f"LV{Field.objects.count() + 1:03d}")
    return field


def process_steps_validate(*, steps: list[dict], time_limit_hours: Decimal) -> None:
    """The internal process must spend exactly the legal time limit, no more, no less."""
    total = sum(Decimal(str(step["working_hours"])) for step in steps)
    if steps and total != time_limit_hours:
        raise ValidationFailed(
            f"Tổng thời gian các bước quy trình ({total.normalize():f} giờ) phải bằng thời hạn "
            f"giải quyết ({time_limit_hours.normalize():f} giờ).",
            code="process_steps_time_mismatch",
        )
    for step in steps:
        if step["role"] not in Role.values:
            raise ValidationFailed(f"Vai trò không hợp lệ: {step['role']!r}.", code="role_invalid")


@transaction.atomic
def procedure_upsert(
    *,
    code: str,
    name: str,
    field_name: str,
    level: str,
    time_limit_value: Decimal | int | float,
    time_limit_unit: str = TimeLimitUnit.WORKING_DAYS,
    online_level: str = OnlineLevel.PARTIAL,
    result_kind: str = ResultKind.PAPER,
    result_name: str = "",
    national_code: str = "",
    legal_basis: str = "",
    fees: list[dict] | None = None,
    components: list[dict] | None = None,
    steps: list[dict] | None = None,
    where_to_file: str = "",
    steps_description: str = "",
    applicant_requirements: str = "",
) -> tuple[Procedure, bool]:
    """Create or replace a procedure with its fees, components and process template.
    `steps`: [{"name", "role", "working_hours", "unit": Unit | None}] in order."""
    if level not in ProcedureLevel.values:
        raise ValidationFailed(
            f"Cấp thực hiện không hợp lệ: {level!r}.", code="procedure_level_invalid"
        )
    if online_level not in OnlineLevel.values:
        raise ValidationFailed(
            f"Mức độ trực tuyến không hợp lệ: {online_level!r}.", code="online_level_invalid"
        )
    if time_limit_unit not in TimeLimitUnit.values:
        raise ValidationFailed("Đơn vị thời hạn không hợp lệ.", code="time_limit_unit_invalid")
    value = Decimal(str(time_limit_value))
    if value <= 0:
        raise ValidationFailed("Thời hạn giải quyết phải lớn hơn 0.", code="time_limit_invalid")
    hours = value if time_limit_unit == TimeLimitUnit.WORKING_HOURS else value * 8
    process_steps_validate(steps=steps or [], time_limit_hours=hours)
    if not national_code and len(code) == 8 and code[1] == ".":
        national_code = code
    procedure, created = Procedure.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "national_code": national_code,
            "field": field_get_or_create(name=field_name),
            "level": level,
            "online_level": online_level,
            "time_limit_value": value,
            "time_limit_unit": time_limit_unit,
            "result_kind": result_kind,
            "result_name": result_name,
            "legal_basis": legal_basis,
            "where_to_file": where_to_file,
            "steps_description": steps_description,
            "applicant_requirements": applicant_requirements,
        },
    )
    if fees is not None:
        procedure.fees.all().delete()
        Fee.objects.bulk_create(
            Fee(
                procedure=procedure, name=f["name"], code=f.get("code", ""), amount=int(f["amount"])
            )
            for f in fees
        )
    if components is not None:
        _components_sync(procedure=procedure, components=components)
    if steps is not None:
        # Steps are referenced by position only (control slips copy what they need), so the
        # template can be replaced whole; an empty list clears it.
        procedure.process_steps.all().delete()
        ProcessStep.objects.bulk_create(
            ProcessStep(
                procedure=procedure,
                position=i,
                name=s["name"],
                role=s["role"],
                unit=s.get("unit") if isinstance(s.get("unit"), Unit) else None,
                working_hours=Decimal(str(s["working_hours"])),
            )
            for i, s in enumerate(steps, start=1)
        )
    return procedure, created


def _components_sync(*, procedure: Procedure, components: list[dict]) -> None:
    """Update components by code instead of recreating them, so documents already filed keep
    pointing at their catalogue entry; components no longer listed are removed."""
    existing = {c.code: c for c in procedure.components.all()}
    keep = []
    for position, item in enumerate(components, start=1):
        code = item.get("code") or f"TP{position}"
        values = {
            "name": item["name"],
            "required": item.get("required", True),
            "must_digitize": item.get("must_digitize", True),
            "copies": item.get("copies", "01 bản chính"),
            "position": position,
        }
        component = existing.get(code)
        if component is None:
            Component.objects.create(procedure=procedure, code=code, **values)
        elif any(getattr(component, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(component, key, value)
            component.save()
        keep.append(code)
    procedure.components.exclude(code__in=keep).delete()
