"""Writes to the procedure catalogue."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from motcua.catalog.models import (
    Component,
    Fee,
    Field,
    FilingAnywhere,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcessStep,
    Publication,
    PublicationPosting,
    ResultKind,
    TimeLimitUnit,
)
from motcua.catalog.signals import procedure_changed
from motcua.core.audit import change_record, snapshot
from motcua.core.errors import ValidationFailed
from motcua.units.models import Role, Unit

# What a procedure's change record keeps: every field an officer or citizen relies on.
PROCEDURE_FIELDS = (
    "name",
    "national_code",
    "field",
    "level",
    "online_level",
    "time_limit_value",
    "time_limit_unit",
    "result_kind",
    "result_name",
    "legal_basis",
    "where_to_file",
    "steps_description",
    "applicant_requirements",
    "active",
)


def procedure_snapshot(procedure: Procedure | None) -> dict:
    """The procedure with its fees, components, process steps and units, for its change record."""
    if procedure is None or procedure.pk is None:
        return {}
    return {
        **snapshot(procedure, PROCEDURE_FIELDS),
        "fees": [snapshot(f, ("code", "name", "amount")) for f in procedure.fees.order_by("pk")],
        "components": [
            snapshot(c, ("code", "name", "required", "must_digitize", "copies"))
            for c in procedure.components.order_by("position", "pk")
        ],
        "steps": [
            snapshot(s, ("name", "role", "unit", "working_hours"))
            for s in procedure.process_steps.order_by("position")
        ],
        "units": sorted(procedure.units.values_list("code", flat=True)),
    }


def field_get_or_create(*, name: str, code: str = "", actor=None) -> Field:
    field = Field.objects.filter(name=name).first()
    if field is None:
        field = Field.objects.create(name=name, code=code or f"LV{Field.objects.count() + 1:03d}")
        change_record(
            actor=actor, instance=field, before={}, after=snapshot(field, ("code", "name"))
        )
    return field


@transaction.atomic
def field_update(*, field: Field, code: str, name: str, actor=None) -> Field:
    before = snapshot(Field.objects.get(pk=field.pk), ("code", "name"))
    field.code, field.name = code.strip(), name.strip()
    if not field.name:
        raise ValidationFailed("Tên lĩnh vực không được trống.", code="field_name_required")
    field.save()
    change_record(
        actor=actor, instance=field, before=before, after=snapshot(field, ("code", "name"))
    )
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
    active: bool | None = None,
    units: list[Unit] | None = None,
    actor=None,
) -> tuple[Procedure, bool]:
    """Create or replace a procedure with its fees, components and process template, and record
    the change (who, when, before and after). `steps`: [{"name", "role", "working_hours",
    "unit": Unit | None}] in order; `units`: the units that resolve it (empty: every unit of its
    level). Lists left None stay as they are."""
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
    existing = Procedure.objects.select_for_update().filter(code=code).first()
    before = procedure_snapshot(existing)
    class_before = (existing.online_level, existing.result_kind) if existing else None
    procedure, created = Procedure.objects.update_or_create(
        code=code,
        defaults={
            **({} if active is None else {"active": active}),
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
    if units is not None:
        procedure.units.set(units)
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
    change_record(
        actor=actor, instance=procedure, before=before, after=procedure_snapshot(procedure)
    )
    procedure_changed.send(sender=Procedure, procedure=procedure, class_before=class_before)
    return procedure, created


PUBLICATION_FIELDS = (
    "decision_number",
    "decision_date",
    "effective_date",
    "made_public_date",
    "content_parts",
)


@transaction.atomic
def publication_save(*, publication: Publication, actor=None) -> Publication:
    """Create or change a publication decision of a procedure, recorded on the procedure."""
    stored = Publication.objects.filter(pk=publication.pk).first() if publication.pk else None
    before = snapshot(stored, PUBLICATION_FIELDS)
    if publication.made_public_date and publication.made_public_date < publication.decision_date:
        raise ValidationFailed(
            "Ngày công khai không được trước ngày ký quyết định.", code="publication_dates_invalid"
        )
    publication.save()
    change_record(
        actor=actor,
        instance=publication.procedure,
        before={"publication": before} if before else {},
        after={"publication": snapshot(publication, PUBLICATION_FIELDS)},
        action="updated",
    )
    return publication


@transaction.atomic
def publication_delete(*, publication: Publication, actor=None) -> None:
    change_record(
        actor=actor,
        instance=publication.procedure,
        before={"publication": snapshot(publication, PUBLICATION_FIELDS)},
        after={},
        action="updated",
    )
    publication.delete()


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


@transaction.atomic
def publication_posting_save(*, posting: PublicationPosting, actor=None) -> PublicationPosting:
    """Record that a unit posted a publication decision (and when), on the procedure."""
    stored = PublicationPosting.objects.filter(pk=posting.pk).first() if posting.pk else None
    fields = ("publication", "unit", "posted_on")
    before = snapshot(stored, fields)
    posting.save()
    change_record(
        actor=actor,
        instance=posting.publication.procedure,
        before={"posting": before} if before else {},
        after={"posting": snapshot(posting, fields)},
        action="updated",
    )
    return posting


FILING_ANYWHERE_FIELDS = (
    "province",
    "procedure",
    "decision_number",
    "decision_date",
    "valid_from",
    "valid_to",
)


@transaction.atomic
def filing_anywhere_set(
    *,
    province: Unit,
    procedure: Procedure,
    decision_number: str,
    decision_date: date,
    valid_from: date,
    valid_to: date | None = None,
    actor=None,
) -> FilingAnywhere:
    """Put a procedure on the province's list of procedures filed at any of its centres, by the
    province's decision (or change that entry); recorded."""
    if province.level != "province":
        raise ValidationFailed(
            "Danh mục tiếp nhận không phụ thuộc địa giới do cấp tỉnh quyết định.",
            code="filing_anywhere_not_province",
        )
    if not decision_number.strip():
        raise ValidationFailed("Chưa nhập số quyết định.", code="decision_number_required")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(
            "Ngày hết áp dụng phải sau ngày bắt đầu áp dụng.", code="filing_anywhere_dates_invalid"
        )
    entry = (
        FilingAnywhere.objects.select_for_update()
        .filter(province=province, procedure=procedure, valid_from=valid_from)
        .first()
    ) or FilingAnywhere(province=province, procedure=procedure, valid_from=valid_from)
    before = snapshot(entry if entry.pk else None, FILING_ANYWHERE_FIELDS)
    entry.decision_number = decision_number.strip()
    entry.decision_date = decision_date
    entry.valid_to = valid_to
    entry.save()
    change_record(
        actor=actor, instance=entry, before=before, after=snapshot(entry, FILING_ANYWHERE_FIELDS)
    )
    return entry
