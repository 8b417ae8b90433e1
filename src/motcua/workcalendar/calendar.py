"""Working-time arithmetic on the Vietnamese civil-service calendar (docs/domain.md §5).

Pure Python (no ORM) so it can be unit-tested and property-tested in isolation; the database-backed
calendar of a unit is assembled by `selectors.calendar_get`.

A day is a working day when, in order of precedence:
1. it is an explicit day off (`days_off`) → not working;
2. it is an explicit make-up working day (`working_days`) → working;
3. it is a public holiday of the `holidays` package → not working;
4. it is an official make-up Saturday of the package (`weekend_workdays`) → working;
5. otherwise its weekday decides.

Inside a working day the clock runs during the periods, each a half-open interval [start, end).
A budget that runs out exactly at a period end finishes there (17:00, not 07:30 the next day);
continuing from that moment resumes at the next period start, so adding time is additive.
All arithmetic happens on the local wall clock of Asia/Ho_Chi_Minh (no DST since 1975).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType

import holidays

from motcua.core.timeutil import LOCAL_TZ, to_local

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 0), time(17, 0)),
)
DEFAULT_WEEKDAYS: frozenset[int] = frozenset(range(5))
MAKEUP_WORKING_DAY_NAME = "Ngày làm việc bù"

# A calendar with no working day in ten years is misconfigured; stop instead of looping forever.
_MAX_IDLE_DAYS = 3660
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
_LAST_ORDINAL = date.max.toordinal()
_PERIOD_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

Number = int | float | Decimal


def parse_periods(text: str) -> tuple[tuple[time, time], ...]:
    """Parse "07:30-11:30,13:00-17:00" into ordered, non-overlapping (start, end) pairs."""
    parts = [p for p in (text or "").split(",") if p.strip()]
    if not parts:
        raise ValueError("Chưa khai báo khung giờ làm việc (định dạng HH:MM-HH:MM,HH:MM-HH:MM).")
    periods: list[tuple[time, time]] = []
    for part in parts:
        match = _PERIOD_RE.match(part)
        if match is None:
            raise ValueError(
                f"Khung giờ “{part.strip()}” không đúng định dạng HH:MM-HH:MM (ví dụ 07:30-11:30)."
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (0 <= h1 <= 23 and 0 <= h2 <= 23 and 0 <= m1 <= 59 and 0 <= m2 <= 59):
            raise ValueError(f"Khung giờ “{part.strip()}” có giờ hoặc phút không hợp lệ.")
        start, end = time(h1, m1), time(h2, m2)
        if start >= end:
            raise ValueError(
                f"Khung giờ “{part.strip()}”: giờ bắt đầu phải trước giờ kết thúc "
                "(khung giờ qua nửa đêm không được hỗ trợ)."
            )
        if periods and start < periods[-1][1]:
            prev = periods[-1]
            raise ValueError(
                f"Khung giờ “{part.strip()}” chồng lấn hoặc không theo thứ tự sau khung "
                f"{prev[0]:%H:%M}-{prev[1]:%H:%M}; hãy liệt kê các khung theo thứ tự tăng dần."
            )
        periods.append((start, end))
    return tuple(periods)


def format_periods(periods: Sequence[tuple[time, time]]) -> str:
    return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in periods)


def parse_weekdays(text: str) -> frozenset[int]:
    """Parse "0,1,2,3,4" (Monday = 0, as `date.weekday()`)."""
    result: set[int] = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 0 <= int(part) <= 6:
            raise ValueError(
                f"Thứ “{part}” không hợp lệ: dùng số từ 0 (thứ Hai) đến 6 (Chủ nhật), "
                "cách nhau bởi dấu phẩy, ví dụ 0,1,2,3,4."
            )
        result.add(int(part))
    if not result:
        raise ValueError("Phải có ít nhất một ngày làm việc trong tuần (ví dụ 0,1,2,3,4).")
    return frozenset(result)


@functools.lru_cache(maxsize=256)
def _package_year(country: str, year: int) -> tuple[Mapping[date, str], frozenset[date]]:
    """Public holidays and official make-up working days of one year, shared by all calendars."""
    # The previous year too: a holiday late in it may be observed on a day of this one.
    calendar = holidays.country_holidays(country, years=(year - 1, year), language="vi")
    names = MappingProxyType({day: str(name) for day, name in calendar.items() if day.year == year})
    workdays = frozenset(
        d for d in (getattr(calendar, "weekend_workdays", None) or ()) if d.year == year
    )
    return names, workdays


def _to_timedelta(seconds: Number) -> timedelta:
    # Decimal keeps "1.5 hours" exact; timedelta rounds to the microsecond.
    if isinstance(seconds, Decimal):
        return timedelta(microseconds=int((seconds * 1_000_000).to_integral_value()))
    return timedelta(seconds=seconds)


class WorkCalendar:
    def __init__(
        self,
        *,
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        weekdays: frozenset[int] = DEFAULT_WEEKDAYS,
        days_off: Mapping[date, str] | None = None,
        working_days: Mapping[date, str] | None = None,
        holiday_country: str | None = "VN",
    ) -> None:
        # Re-validate through the parser so a hand-built calendar obeys the same rules.
        self.periods: tuple[tuple[time, time], ...] = parse_periods(format_periods(periods))
        self.weekdays = frozenset(weekdays)
        self.days_off: Mapping[date, str] = MappingProxyType(dict(days_off or {}))
        self.working_days: Mapping[date, str] = MappingProxyType(dict(working_days or {}))
        self.holiday_country = holiday_country or None
        self._period_deltas = tuple(
            (timedelta(hours=s.hour, minutes=s.minute), timedelta(hours=e.hour, minutes=e.minute))
            for s, e in self.periods
        )
        self._day_length = sum((e - s for s, e in self._period_deltas), timedelta())
        # year → (ordinal of 1 January, prefix counts of working days); built on first use. The
        # instance is immutable after __init__ and cached by `selectors.calendar_get`, so each
        # year is built once per process; two threads racing build it twice, harmlessly.
        self._years: dict[int, tuple[int, list[int]]] = {}

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(periods={format_periods(self.periods)!r}, "
            f"weekdays={sorted(self.weekdays)}, days_off={len(self.days_off)}, "
            f"working_days={len(self.working_days)}, holiday_country={self.holiday_country!r})"
        )

    # -- days ---------------------------------------------------------------------------------

    @property
    def working_day_seconds(self) -> int:
        return int(self._day_length.total_seconds())

    def _package(self, year: int) -> tuple[Mapping[date, str], frozenset[date]]:
        if self.holiday_country is None:
            return MappingProxyType({}), frozenset()
        return _package_year(self.holiday_country, year)

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = to_local(day).date()
        if day in self.days_off:
            return False
        if day in self.working_days:
            return True
        names, workdays = self._package(day.year)
        if day in names:
            return False
        if day in workdays:
            return True
        return day.weekday() in self.weekdays

    def holiday_name(self, day: date) -> str | None:
        """Name of the day off or make-up working day falling on `day`; None for ordinary days."""
        if isinstance(day, datetime):
            day = to_local(day).date()
        if day in self.days_off:
            return self.days_off[day]
        if day in self.working_days:
            return self.working_days[day] or MAKEUP_WORKING_DAY_NAME
        names, workdays = self._package(day.year)
        if day in names:
            return names[day]
        if day in workdays:
            return MAKEUP_WORKING_DAY_NAME
        return None

    def holidays_in(self, *, start: date, end: date) -> Iterator[tuple[date, str]]:
        """Non-working days with a name in [start, end] (for display)."""
        day = start
        while day <= end:
            if not self.is_working_day(day):
                name = self.holiday_name(day)
                if name:
                    yield day, name
            day += _ONE_DAY

    # -- moments ------------------------------------------------------------------------------

    @staticmethod
    def _wall(moment: datetime) -> datetime:
        """Naive local wall-clock time: arithmetic on it is exact because UTC+7 has no DST."""
        return to_local(moment).replace(tzinfo=None)

    @staticmethod
    def _aware(wall: datetime) -> datetime:
        return wall.replace(tzinfo=LOCAL_TZ)

    def _spans(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        midnight = datetime.combine(day, time())
        for s, e in self._period_deltas:
            yield midnight + s, midnight + e

    def is_working_time(self, moment: datetime) -> bool:
        wall = self._wall(moment)
        if not self.is_working_day(wall.date()):
            return False
        return any(s <= wall < e for s, e in self._spans(wall.date()))

    def _next_working_wall(self, wall: datetime) -> datetime:
        day = wall.date()
        for _ in range(_MAX_IDLE_DAYS):
            if self.is_working_day(day):
                for s, e in self._spans(day):
                    if wall < e:
                        return max(s, wall)
            day += _ONE_DAY
        raise ValueError("Lịch làm việc không có ngày làm việc nào trong 10 năm tới.")

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself if it is working time, otherwise the start of the next period."""
        return self._aware(self._next_working_wall(self._wall(moment)))

    def _year(self, year: int) -> tuple[int, list[int]]:
        """(ordinal of 1 January, `cum`): `cum[i]` is the number of working days among the first
        `i` days of `year`, so any run of days counts in two lookups instead of a walk."""
        table = self._years.get(year)
        if table is None:
            first = date(year, 1, 1).toordinal()
            cum = [0]
            for ordinal in range(first, date(year, 12, 31).toordinal() + 1):
                cum.append(cum[-1] + self.is_working_day(date.fromordinal(ordinal)))
            table = self._years[year] = (first, cum)
        return table

    def _working_days_in(self, first: int, stop: int) -> int:
        """Working days among the day ordinals [first, stop): one step per calendar year."""
        count = 0
        while first < stop:
            jan1, cum = self._year(date.fromordinal(first).year)
            end = min(stop, jan1 + len(cum) - 1)
            count += cum[end - jan1] - cum[first - jan1]
            first = end
        return count

    def _nth_working_day_after(self, day: date, n: int) -> date:
        """The `n`-th (n ≥ 1) working day after the working day `day`, found by bisecting each
        year's prefix counts. Fails like a day-by-day walk would: ValueError after more than
        `_MAX_IDLE_DAYS` days off in a row, OverflowError past the last representable date."""
        previous = day.toordinal()  # the last working day met so far
        ordinal = previous + 1
        while True:
            if ordinal > _LAST_ORDINAL:
                raise OverflowError("date value out of range")
            jan1, cum = self._year(date.fromordinal(ordinal).year)
            before = cum[ordinal - jan1]
            available = cum[-1] - before
            if available:
                first_working = jan1 + bisect_left(cum, before + 1) - 1
                if first_working - previous - 1 > _MAX_IDLE_DAYS:
                    raise ValueError("Lịch làm việc không có ngày làm việc nào trong 10 năm tới.")
                if n <= available:
                    return date.fromordinal(jan1 + bisect_left(cum, before + n) - 1)
                n -= available
                previous = jan1 + bisect_left(cum, cum[-1]) - 1
            elif jan1 + len(cum) - 2 - previous > _MAX_IDLE_DAYS:
                raise ValueError("Lịch làm việc không có ngày làm việc nào trong 10 năm tới.")
            ordinal = jan1 + len(cum) - 1

    def _add(self, start: datetime, budget: timedelta) -> datetime:
        if budget < timedelta():
            raise ValueError("Thời hạn cộng thêm không được là số âm.")
        if budget == timedelta():
            # Nothing to spend: the clock does not move, even from outside working time.
            return to_local(start)
        remaining = budget
        cursor = self._next_working_wall(self._wall(start))
        day = cursor.date()  # a working day: the cursor is working time
        for s, e in self._spans(day):
            seg_start = max(s, cursor)
            if seg_start >= e:
                continue
            available = e - seg_start
            if remaining <= available:
                # `<=`: a budget used up at a period end finishes there.
                return self._aware(seg_start + remaining)
            remaining -= available
        # Whole working days follow; the budget ends in the first day that has at most a day's
        # length left to spend (a budget of whole days ends at that day's last period end).
        whole, rest = divmod(remaining, self._day_length)
        if not rest:
            whole, rest = whole - 1, self._day_length
        day = self._nth_working_day_after(day, whole + 1)
        for s, e in self._spans(day):
            if rest <= e - s:
                break
            rest -= e - s
        return self._aware(s + rest)

    def add_working_seconds(self, start: datetime, seconds: Number) -> datetime:
        """The moment `seconds` of working time after `start`.

        A start outside working time first moves to the next working moment; seconds=0 returns
        `start` unchanged (in local time) wherever it lies, since no time is spent.
        """
        return self._add(start, _to_timedelta(seconds))

    def add_working_hours(self, start: datetime, hours: Number) -> datetime:
        if isinstance(hours, Decimal):
            return self._add(start, _to_timedelta(hours * 3600))
        return self._add(start, timedelta(hours=hours))

    def add_working_days(self, start: datetime, days: Number) -> datetime:
        """One working day is the total length of the periods (8 h by default)."""
        if isinstance(days, Decimal):
            return self._add(start, _to_timedelta(days * Decimal(self._day_length.total_seconds())))
        return self._add(start, self._day_length * days)

    def _time_in_day(self, day: date, lo: datetime, hi: datetime) -> timedelta:
        """Working time of `day` inside [lo, hi)."""
        total = timedelta()
        if self.is_working_day(day):
            for s, e in self._spans(day):
                a, b = max(s, lo), min(e, hi)
                if a < b:
                    total += b - a
        return total

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end), exact to the microsecond: the two end days by their
        periods, the whole days between from the yearly prefix counts (no walk over the span)."""
        lo, hi = self._wall(start), self._wall(end)
        if hi <= lo:
            return timedelta()
        first, last = lo.date(), hi.date()
        if last == date.max:
            raise OverflowError("date value out of range")  # as the former day walk did
        total = self._time_in_day(first, lo, hi)
        if last > first:
            whole = self._working_days_in(first.toordinal() + 1, last.toordinal())
            total += self._day_length * whole + self._time_in_day(last, lo, hi)
        return total

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Whole working seconds in [start, end) (rounded down); 0 if end <= start."""
        return self.working_time_between(start, end) // _ONE_SECOND
