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
_state: dict[str, Any] = {"key": None, "schedules": {}, "overrides": {}, "calendars": {}}


def calendar_cache_clear() -> None:
    global _version
    with _lock:
        _version += 1
        _state.update(key=None, schedules={}, overrides={}, calendars={})


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
            # Overrides by layer: None → national rows, a unit path → that unit's rows.
            overrides: dict[str | None, dict[date, tuple[str, str]]] = {}
            for row in CalendarOverride.objects.select_related("unit").order_by("pk"):
                layer = overrides.setdefault(row.unit.path if row.unit_id else None, {})
                layer[row.date] = (row.kind, row.name)
            _state.update(key=key, schedules=schedules, overrides=overrides, calendars={})
        _state["checked_at"] = now
        return _state


def _ancestor_paths(unit: Unit | None) -> list[str]:
    """The unit's own path and its ancestors', root first: "/30/", "/30/298/", …"""
    if unit is None or not unit.path:
        return []
    codes = [code for code in unit.path.split("/") if code]
    return ["/" + "/".join(codes[:depth]) + "/" for depth in range(1, len(codes) + 1)]


def working_schedule_for(
    *, unit: Unit | None, schedules: dict | None = None
) -> WorkingSchedule | None:
    """The schedule of the unit or its nearest ancestor that has one, else the default row."""
    if schedules is None:
        schedules = _fresh_state()["schedules"]
    for path in reversed(_ancestor_paths(unit)):
        if path in schedules:
            return schedules[path]
    return schedules.get(None)


def calendar_override_layers(*, unit: Unit | None, overrides: dict | None = None) -> list:
    """Which override layers apply to `unit`, weakest first: the national rows (None), then each
    ancestor that has rows, root to the unit itself. A later layer wins for the dates it names, so
    a province's swap beats the national data in its whole subtree and nowhere else."""
    if overrides is None:
        overrides = _fresh_state()["overrides"]
    return [None, *(path for path in _ancestor_paths(unit) if path in overrides)]


def _build(
    schedule: WorkingSchedule | None, layers: list, overrides: dict[str | None, dict]
) -> WorkCalendar:
    if schedule is None:
        periods = parse_periods(settings.MOTCUA_WORKING_PERIODS)
        weekdays = frozenset(range(5))
    else:
        periods = parse_periods(schedule.periods)
        weekdays = parse_weekdays(schedule.weekdays)
    days_off: dict[date, str] = {}
    working_days: dict[date, str] = {}
    for layer in layers:
        for day, (kind, name) in overrides.get(layer, {}).items():
            # A stronger layer replaces the weaker one's verdict on the day, whichever kind.
            days_off.pop(day, None)
            working_days.pop(day, None)
            if kind == OverrideKind.WORKING_DAY:
                working_days[day] = name or str(OverrideKind.WORKING_DAY.label)
            else:
                days_off[day] = name or str(OverrideKind.DAY_OFF.label)
    return WorkCalendar(
        periods=periods,
        weekdays=weekdays,
        days_off=days_off,
        working_days=working_days,
        holiday_country=getattr(settings, "MOTCUA_HOLIDAY_COUNTRY", "VN") or None,
    )


def calendar_get(*, unit: Unit | None = None) -> WorkCalendar:
    """The working calendar of `unit` (or the deployment default when None): its schedule, the
    package's holidays, the national overrides and those of the unit and its ancestors."""
    state = _fresh_state()
    data_key, schedules, calendars = state["key"], state["schedules"], state["calendars"]
    overrides = state["overrides"]
    schedule = working_schedule_for(unit=unit, schedules=schedules)
    layers = calendar_override_layers(unit=unit, overrides=overrides)
    cache_key = (schedule.pk if schedule is not None else None, tuple(layers))
    calendar = calendars.get(cache_key)
    if calendar is None:
        calendar = _build(schedule, layers, overrides)
        with _lock:
            # Another thread may have seen newer data meanwhile; then this one is not cached.
            if _state["key"] == data_key and data_key is not None:
                _state["calendars"][cache_key] = calendar
    return calendar


def calendar_overrides_in(
    *, unit: Unit | None = None, start: date, end: date
) -> list[CalendarOverride]:
    """The override rows that decide a day of [start, end] for `unit` (the strongest layer's row
    for each date), with their name and legal source — to show why a day is off or worked."""
    state = _fresh_state()
    layers = calendar_override_layers(unit=unit, overrides=state["overrides"])
    rank = {layer: i for i, layer in enumerate(layers)}
    rows = CalendarOverride.objects.filter(date__range=(start, end)).select_related("unit")
    chosen: dict[date, tuple[int, CalendarOverride]] = {}
    for row in rows:
        layer = row.unit.path if row.unit_id else None
        if layer not in rank:
            continue
        if row.date not in chosen or rank[layer] > chosen[row.date][0]:
            chosen[row.date] = (rank[layer], row)
    return [row for _, row in sorted(chosen.values(), key=lambda item: item[1].date)]
