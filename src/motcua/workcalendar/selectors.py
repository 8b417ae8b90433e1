"""Reads: the working calendar that applies to a unit."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Max

from motcua.workcalendar.calendar import WorkCalendar, parse_periods, parse_weekdays
from motcua.workcalendar.models import CalendarOverride, OverrideKind, WorkingSchedule

if TYPE_CHECKING:
    from motcua.units.models import Unit

# Built calendars are reused while the data behind them is unchanged. The key combines a counter
# bumped by this process's signals with a cheap aggregate of both tables, so edits made by other
# processes (or undone by a test's rollback, which sends no signal) are noticed too.
_lock = threading.Lock()
_version = 0
_state: dict[str, Any] = {"key": None, "schedules": {}, "calendars": {}}


def calendar_cache_clear() -> None:
    global _version
    with _lock:
        _version += 1
        _state.update(key=None, schedules={}, calendars={})


def _data_key() -> tuple:
    overrides = CalendarOverride.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    schedules = WorkingSchedule.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (_version, overrides["n"], overrides["t"], schedules["n"], schedules["t"])


# How long a checked data key is trusted before the tables are asked again. Changes made in this
# process are seen at once (signals clear the cache); other processes' edits within this delay.
KEY_TTL_SECONDS = 2.0


def _fresh_state() -> dict[str, Any]:
    now = time.monotonic()
    with _lock:
        if _state["key"] is not None and now - _state.get("checked_at", 0.0) < KEY_TTL_SECONDS:
            return _state
    key = _data_key()
    with _lock:
        if _state["key"] != key:
            # Keyed by unit path (None → default row; the oldest wins if several slipped in), so
            # finding a unit's schedule walks its path without a query per ancestor.
            schedules: dict[str | None, WorkingSchedule] = {}
            for row in WorkingSchedule.objects.select_related("unit").order_by("-pk"):
                schedules[row.unit.path if row.unit_id else None] = row
            _state.update(key=key, schedules=schedules, calendars={})
        _state["checked_at"] = now
        return _state


def working_schedule_for(
    *, unit: Unit | None, schedules: dict | None = None
) -> WorkingSchedule | None:
    """The schedule of the unit or its nearest ancestor that has one, else the default row."""
    if schedules is None:
        schedules = _fresh_state()["schedules"]
    if unit is not None and unit.path:
        codes = [code for code in unit.path.split("/") if code]
        for depth in range(len(codes), 0, -1):
            path = "/" + "/".join(codes[:depth]) + "/"
            if path in schedules:
                return schedules[path]
    return schedules.get(None)


def _build(schedule: WorkingSchedule | None) -> WorkCalendar:
    if schedule is None:
        periods = parse_periods(settings.MOTCUA_WORKING_PERIODS)
        weekdays = frozenset(range(5))
    else:
        periods = parse_periods(schedule.periods)
        weekdays = parse_weekdays(schedule.weekdays)
    days_off: dict[date, str] = {}
    working_days: dict[date, str] = {}
    for row in CalendarOverride.objects.all():
        if row.kind == OverrideKind.WORKING_DAY:
            working_days[row.date] = row.name or str(OverrideKind.WORKING_DAY.label)
        else:
            days_off[row.date] = row.name or str(OverrideKind.DAY_OFF.label)
    return WorkCalendar(
        periods=periods,
        weekdays=weekdays,
        days_off=days_off,
        working_days=working_days,
        holiday_country=getattr(settings, "MOTCUA_HOLIDAY_COUNTRY", "VN") or None,
    )


def calendar_get(*, unit: Unit | None = None) -> WorkCalendar:
    """The working calendar of `unit` (or the deployment default when None)."""
    state = _fresh_state()
    data_key, schedules, calendars = state["key"], state["schedules"], state["calendars"]
    schedule = working_schedule_for(unit=unit, schedules=schedules)
    cache_key = schedule.pk if schedule is not None else None
    calendar = calendars.get(cache_key)
    if calendar is None:
        calendar = _build(schedule)
        with _lock:
            # Another thread may have seen newer data meanwhile; then this one is not cached.
            if _state["key"] == data_key and data_key is not None:
                _state["calendars"][cache_key] = calendar
    return calendar
