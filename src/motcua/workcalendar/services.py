"""Writes: administrator edits of the working calendar."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.core.audit import change_record, snapshot
from motcua.core.errors import ValidationFailed
from motcua.workcalendar.models import CalendarOverride, OverrideKind, WorkingSchedule

if TYPE_CHECKING:
    from motcua.units.models import Unit


OVERRIDE_FIELDS = ("date", "unit", "kind", "name", "source")
SCHEDULE_FIELDS = ("unit", "periods", "weekdays")


def _full_clean(instance: CalendarOverride | WorkingSchedule, **options) -> None:
    try:
        instance.full_clean(validate_unique=False, **options)
    except ValidationError as exc:
        raise ValidationFailed(
            "; ".join(exc.messages), details={"fields": exc.message_dict}
        ) from exc


@transaction.atomic
def calendar_override_set(
    *,
    day: date,
    kind: str,
    name: str = "",
    source: str = "",
    unit: Unit | None = None,
    actor=None,
) -> CalendarOverride:
    """Declare `day` a day off or a make-up working day (replacing any earlier override of the
    same layer): nationally when `unit` is None, else for `unit` and its whole subtree — a
    province's own swap. `source` names the decision (e.g. "Công văn … ngày …"). The change is
    recorded: deadlines follow the calendar."""
    if kind not in OverrideKind.values:
        raise ValidationFailed(
            f"Loại ngày “{kind}” không hợp lệ; chọn “day_off” (ngày nghỉ) hoặc "
            "“working_day” (ngày làm việc bù).",
            details={"kind": kind},
        )
    rows = CalendarOverride.objects.select_for_update().filter(date=day)
    rows = rows.filter(unit=unit) if unit is not None else rows.filter(unit__isnull=True)
    values = {"kind": kind, "name": (name or "").strip(), "source": (source or "").strip()}
    override = rows.first() or CalendarOverride(date=day, unit=unit)
    before = snapshot(override if override.pk else None, OVERRIDE_FIELDS)
    for field, value in values.items():
        setattr(override, field, value)
    # Uniqueness is the database's to enforce: a concurrent twin is updated below, not refused.
    _full_clean(override, validate_constraints=False)
    try:
        with transaction.atomic():
            override.save()
    except IntegrityError:
        # Another request created the same day's row meanwhile: update that one instead.
        override = rows.get()
        for field, value in values.items():
            setattr(override, field, value)
        override.save()
    change_record(
        actor=actor, instance=override, before=before, after=snapshot(override, OVERRIDE_FIELDS)
    )
    return override


@transaction.atomic
def calendar_override_delete(*, day: date, unit: Unit | None = None, actor=None) -> bool:
    """Remove the override of `day` in one layer (national when `unit` is None); returns whether
    there was one. Other layers' rows for the day stay."""
    rows = CalendarOverride.objects.filter(date=day)
    rows = rows.filter(unit=unit) if unit is not None else rows.filter(unit__isnull=True)
    deleted = False
    for override in rows:
        change_record(
            actor=actor,
            instance=override,
            before=snapshot(override, OVERRIDE_FIELDS),
            after={},
            action="deleted",
        )
        override.delete()  # one by one so post_delete invalidates the cached calendars
        deleted = True
    return deleted


@transaction.atomic
def working_schedule_set(
    *, unit: Unit | None = None, periods: str, weekdays: str = "0,1,2,3,4", actor=None
) -> WorkingSchedule:
    """Set the working hours of `unit` and its subtree (None: the deployment default)."""
    schedule = (
        WorkingSchedule.objects.filter(unit=unit).order_by("pk").first()
        if unit is not None
        else WorkingSchedule.objects.filter(unit__isnull=True).order_by("pk").first()
    ) or WorkingSchedule(unit=unit)
    before = snapshot(schedule if schedule.pk else None, SCHEDULE_FIELDS)
    schedule.periods = periods.strip()
    schedule.weekdays = weekdays.strip()
    _full_clean(schedule)
    schedule.save()
    change_record(
        actor=actor, instance=schedule, before=before, after=snapshot(schedule, SCHEDULE_FIELDS)
    )
    return schedule


@transaction.atomic
def working_schedule_delete(*, schedule: WorkingSchedule, actor=None) -> None:
    change_record(
        actor=actor,
        instance=schedule,
        before=snapshot(schedule, SCHEDULE_FIELDS),
        after={},
        action="deleted",
    )
    schedule.delete()
