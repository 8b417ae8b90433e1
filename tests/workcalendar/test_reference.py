"""The prefix-sum arithmetic of `WorkCalendar` gives exactly what the former day-by-day walk gave
(reference.py): same moments, same durations, same errors — on random calendars (periods,
weekdays, days off, make-up days, with and without the lunar holidays) and random moments over
several years, in both directions."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from motcua.core.timeutil import LOCAL_TZ
from motcua.workcalendar.calendar import WorkCalendar
from tests.workcalendar import reference

DEFAULT = WorkCalendar()
NO_HOLIDAYS = WorkCalendar(holiday_country=None)
MANY = settings(max_examples=300, deadline=None)


def outcome(call) -> tuple:
    """The value, or the kind and text of the error: equal outcomes mean equal behaviour."""
    try:
        return ("ok", call())
    except (ValueError, OverflowError) as error:
        return (type(error).__name__, str(error))


@st.composite
def periods(draw) -> tuple[tuple[time, time], ...]:
    # 1–3 ordered, non-overlapping periods on whole minutes (as parse_periods accepts them).
    count = draw(st.integers(min_value=1, max_value=3))
    marks = sorted(
        draw(
            st.lists(
                st.integers(min_value=0, max_value=23 * 60 + 59),
                min_size=2 * count,
                max_size=2 * count,
                unique=True,
            )
        )
    )
    return tuple(
        (time(*divmod(marks[i], 60)), time(*divmod(marks[i + 1], 60)))
        for i in range(0, len(marks), 2)
    )


special_days = st.dictionaries(
    st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31)),
    st.just("Ngày đặc biệt"),
    max_size=40,
)

calendars = st.one_of(
    st.just(DEFAULT),
    st.just(NO_HOLIDAYS),
    st.builds(
        WorkCalendar,
        periods=st.one_of(st.just(DEFAULT.periods), periods()),
        weekdays=st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
        days_off=special_days,
        working_days=special_days,
        holiday_country=st.sampled_from(["VN", None]),
    ),
)

moments = st.datetimes(
    min_value=datetime(2022, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.sampled_from([LOCAL_TZ, UTC]),
)
# Often exactly on a minute (period boundaries, midnight), sometimes at microsecond precision.
on_minute = moments.map(lambda d: d.replace(second=0, microsecond=0))
at_midnight = moments.map(lambda d: d.astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0))
any_moment = st.one_of(moments, on_minute, at_midnight)


def budgets(cal: WorkCalendar) -> st.SearchStrategy[timedelta]:
    day = cal.working_day_seconds
    return st.one_of(
        st.integers(min_value=0, max_value=3 * 260 * day).map(lambda s: timedelta(seconds=s)),
        st.integers(min_value=0, max_value=400).map(lambda n: timedelta(seconds=n * day)),
        st.integers(min_value=0, max_value=day).map(lambda s: timedelta(seconds=s - s % 900)),
        st.integers(min_value=0, max_value=10**12).map(lambda us: timedelta(microseconds=us)),
    )


@MANY
@given(calendars, any_moment, any_moment)
@example(DEFAULT, datetime(2024, 2, 7, 10, tzinfo=LOCAL_TZ), datetime(2024, 2, 19, 10, tzinfo=UTC))
@example(
    DEFAULT, datetime(2023, 12, 29, 16, tzinfo=LOCAL_TZ), datetime(2026, 1, 2, tzinfo=LOCAL_TZ)
)
def test_between_equals_the_day_walk(cal: WorkCalendar, a: datetime, b: datetime) -> None:
    assert cal.working_time_between(a, b) == reference.working_time_between(cal, a, b)
    assert cal.working_time_between(b, a) == reference.working_time_between(cal, b, a)
    assert cal.working_seconds_between(a, b) == reference.working_seconds_between(cal, a, b)
    assert cal.working_seconds_between(b, a) == reference.working_seconds_between(cal, b, a)


def seconds(budget: timedelta) -> Decimal:
    """Exact to the microsecond (a float of a long budget would round)."""
    return Decimal(budget // timedelta(microseconds=1)).scaleb(-6)


@MANY
@given(st.data(), calendars, any_moment)
def test_add_equals_the_day_walk(data, cal: WorkCalendar, start: datetime) -> None:
    budget = data.draw(budgets(cal))
    fast = outcome(lambda: cal.add_working_seconds(start, seconds(budget)))
    assert fast == outcome(lambda: reference.add(cal, start, budget))
    if fast[0] == "ok":
        # The result ends exactly `budget` of working time after the start (as far as it is
        # exact: seconds from the next working moment, which `start` may precede).
        assert cal.working_time_between(start, fast[1]) == budget


@settings(max_examples=60, deadline=None)
@given(
    calendars,
    st.datetimes(min_value=datetime(1976, 1, 1), max_value=datetime(2199, 1, 1)),
    st.integers(min_value=0, max_value=3 * 366 * 24 * 3600),
)
def test_far_years_equal_the_day_walk(cal: WorkCalendar, naive: datetime, span: int) -> None:
    # Years the holiday package may not know, and spans over several year boundaries.
    a = naive.replace(tzinfo=LOCAL_TZ)
    b = a + timedelta(seconds=span)
    assert cal.working_time_between(a, b) == reference.working_time_between(cal, a, b)
    budget = reference.working_time_between(cal, a, b)
    assert outcome(lambda: cal.add_working_seconds(a, seconds(budget))) == outcome(
        lambda: reference.add(cal, a, budget)
    )


# -- the edges a walk reaches only in pathological calendars ------------------------------------


@pytest.mark.parametrize("gap", [3659, 3660, 3661, 4000])
@pytest.mark.parametrize("anchor", ["starts on 1 January", "ends on 31 December"])
def test_long_runs_of_days_off_fail_as_before(gap: int, anchor: str) -> None:
    # The walk gave up after more than 3,660 days off in a row; the year tables must too, whether
    # the run begins with a year or ends with one.
    if anchor == "starts on 1 January":
        first = date(2030, 1, 1)
    else:
        first = date(2039, 12, 31) - timedelta(days=gap - 1)
    cal = WorkCalendar(
        weekdays=frozenset(range(7)),
        days_off={first + timedelta(days=i): "Nghỉ" for i in range(gap)},
        holiday_country=None,
    )
    before = datetime.combine(first - timedelta(days=1), time(), tzinfo=LOCAL_TZ)
    for start in (
        before + timedelta(hours=9),
        before + timedelta(hours=18),
        before + timedelta(days=100, hours=9),
    ):
        for days in (1, 2, 30):
            budget = timedelta(hours=8 * days)
            assert outcome(lambda s=start, b=budget: cal.add_working_seconds(s, seconds(b))) == (
                outcome(lambda s=start, b=budget: reference.add(cal, s, b))
            )
        end = start + timedelta(days=gap + 10)
        assert cal.working_time_between(start, end) == (
            reference.working_time_between(cal, start, end)
        )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(9999, 12, 30, 9), datetime(9999, 12, 31, 10)),
        (datetime(9999, 12, 31, 8), datetime(9999, 12, 31, 10)),
        (datetime(9999, 12, 31, 0), datetime(9999, 12, 31, 23)),
        (datetime(9999, 12, 28, 9), datetime(9999, 12, 30, 10)),
        (datetime(1, 1, 1, 0), datetime(1, 1, 9, 12)),
    ],
)
def test_the_ends_of_the_calendar_behave_as_before(start: datetime, end: datetime) -> None:
    start, end = start.replace(tzinfo=LOCAL_TZ), end.replace(tzinfo=LOCAL_TZ)
    for cal in (DEFAULT, NO_HOLIDAYS):
        assert outcome(lambda c=cal: c.working_time_between(start, end)) == outcome(
            lambda c=cal: reference.working_time_between(c, start, end)
        )
        for hours in (1, 8, 24):
            budget = timedelta(hours=hours)
            assert outcome(lambda c=cal, b=budget: c.add_working_seconds(start, seconds(b))) == (
                outcome(lambda c=cal, b=budget: reference.add(c, start, b))
            )


def test_years_are_built_once_and_reused() -> None:
    cal = WorkCalendar()
    a = datetime(2023, 3, 1, 9, tzinfo=LOCAL_TZ)
    b = datetime(2026, 3, 1, 9, tzinfo=LOCAL_TZ)
    cal.working_seconds_between(a, b)
    assert sorted(cal._years) == [2023, 2024, 2025, 2026]
    tables = dict(cal._years)
    cal.working_seconds_between(a, b)
    assert all(cal._years[year] is tables[year] for year in tables)
