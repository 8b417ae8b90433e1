"""Writes: administrator edits of the working calendar."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.core.errors import ValidationFailed
from motcua.workcalendar.models import CalendarOverride, OverrideKind, WorkingSchedule

if TYPE_CHECKING:
    from motcua.units.models import Unit


def _full_clean(instance: CalendarOverride | WorkingSchedule) -> None:
    try:
        instance.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed(
            "; ".join(exc.messages), details={"fields": exc.message_dict}
        ) from exc


@transaction.atomic
def calendar_override_set(*, day: date, kind: str, name: str = "") -> CalendarOverride:
    """Declare `day` a day off or a make-up working day (replacing any earlier override)."""
    if kind not in OverrideKind.values:
        raise ValidationFailed(
            f"Loại ngày “{kind}” không hợp lệ; chọn “day_off” (ngày nghỉ) hoặc "
            "“working_day” (ngày làm việc bù).",
            details={"kind": kind},
        )
    override = CalendarOverride.objects.filter(date=day).first() or CalendarOverride(date=day)
    override.kind = kind
    override.name = (name or "").strip()
    _full_clean(override)
    override.save()
    return override


@transaction.atomic
def calendar_override_delete(*, day: date) -> bool:
    """Remove the override of `day`; returns whether there was one."""
    deleted = False
    for override in CalendarOverride.objects.filter(date=day):
        override.delete()  # one by one so post_delete invalidates the cached calendars
        deleted = True
    return deleted


@transaction.atomic
def working_schedule_set(
    *, unit: Unit | None = None, periods: str, weekdays: str = "0,1,2,3,4"
) -> WorkingSchedule:
    """Set the working hours of `unit` and its subtree (None: the deployment default)."""
    schedule = (
        WorkingSchedule.objects.filter(unit=unit).order_by("pk").first()
        if unit is not None
        else WorkingSchedule.objects.filter(unit__isnull=True).order_by("pk").first()
    ) or WorkingSchedule(unit=unit)
    schedule.periods = periods.strip()
    schedule.weekdays = weekdays.strip()
    _full_clean(schedule)
    schedule.save()
    return schedule
