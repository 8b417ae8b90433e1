"""The former day-by-day arithmetic of `WorkCalendar`, kept verbatim as the oracle of the prefix-sum
version (test_reference.py). Slow on long spans by design: it visits every day."""

from datetime import datetime, time, timedelta

from motcua.core.timeutil import LOCAL_TZ, to_local
from motcua.workcalendar.calendar import WorkCalendar

_MAX_IDLE_DAYS = 3660
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)


def _wall(moment: datetime) -> datetime:
    return to_local(moment).replace(tzinfo=None)


def _aware(wall: datetime) -> datetime:
    return wall.replace(tzinfo=LOCAL_TZ)


def _spans(cal: WorkCalendar, day) -> list[tuple[datetime, datetime]]:
    midnight = datetime.combine(day, time())
    return [
        (
            midnight + timedelta(hours=s.hour, minutes=s.minute),
            midnight + timedelta(hours=e.hour, minutes=e.minute),
        )
        for s, e in cal.periods
    ]


def _day_length(cal: WorkCalendar) -> timedelta:
    return sum((e - s for s, e in _spans(cal, datetime(2000, 1, 1).date())), timedelta())


def _next_working_wall(cal: WorkCalendar, wall: datetime) -> datetime:
    day = wall.date()
    for _ in range(_MAX_IDLE_DAYS):
        if cal.is_working_day(day):
            for s, e in _spans(cal, day):
                if wall < e:
                    return max(s, wall)
        day += _ONE_DAY
    raise ValueError("Lịch làm việc không có ngày làm việc nào trong 10 năm tới.")


def add(cal: WorkCalendar, start: datetime, budget: timedelta) -> datetime:
    """`WorkCalendar._add` as it was: one day at a time."""
    if budget < timedelta():
        raise ValueError("Thời hạn cộng thêm không được là số âm.")
    if budget == timedelta():
        return to_local(start)
    day_length = _day_length(cal)
    remaining = budget
    cursor = _next_working_wall(cal, _wall(start))
    day = cursor.date()
    idle = 0
    while True:
        midnight = datetime.combine(day, time())
        if cal.is_working_day(day):
            idle = 0
            if cursor == midnight and remaining > day_length:
                remaining -= day_length
            else:
                for s, e in _spans(cal, day):
                    seg_start = max(s, cursor)
                    if seg_start >= e:
                        continue
                    available = e - seg_start
                    if remaining <= available:
                        return _aware(seg_start + remaining)
                    remaining -= available
        else:
            idle += 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError("Lịch làm việc không có ngày làm việc nào trong 10 năm tới.")
        day += _ONE_DAY
        cursor = datetime.combine(day, time())


def working_time_between(cal: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """`WorkCalendar.working_time_between` as it was: one day at a time."""
    lo, hi = _wall(start), _wall(end)
    total = timedelta()
    if hi <= lo:
        return total
    day_length = _day_length(cal)
    day, last = lo.date(), hi.date()
    while day <= last:
        if cal.is_working_day(day):
            midnight = datetime.combine(day, time())
            if lo <= midnight and midnight + _ONE_DAY <= hi:
                total += day_length
            else:
                for s, e in _spans(cal, day):
                    a, b = max(s, lo), min(e, hi)
                    if a < b:
                        total += b - a
        day += _ONE_DAY
    return total


def working_seconds_between(cal: WorkCalendar, start: datetime, end: datetime) -> int:
    return working_time_between(cal, start, end) // _ONE_SECOND
