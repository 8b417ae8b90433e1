"""Property tests: the arithmetic is a monotone, additive clock over working time."""

from datetime import datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.timeutil import LOCAL_TZ
from motcua.workcalendar.calendar import WorkCalendar

CAL = WorkCalendar()
DAY = CAL.working_day_seconds
FAST = settings(max_examples=200, deadline=None)

moments = st.datetimes(
    min_value=datetime(2023, 11, 1), max_value=datetime(2027, 2, 1), timezones=st.just(LOCAL_TZ)
)
# Half the time exactly on a minute, to hit period boundaries often.
on_minute = moments.map(lambda d: d.replace(second=0, microsecond=0))
starts = st.one_of(moments, on_minute)
budgets = st.one_of(
    st.integers(min_value=0, max_value=40 * DAY),
    st.integers(min_value=0, max_value=DAY).map(lambda s: s - s % 900),  # quarter hours
)


def _at_period_end(moment: datetime) -> bool:
    local = moment.astimezone(LOCAL_TZ)
    return CAL.is_working_day(local.date()) and any(local.time() == end for _, end in CAL.periods)


@FAST
@given(starts, budgets.filter(lambda n: n > 0))
def test_result_is_working_time_or_a_period_end(start: datetime, n: int) -> None:
    result = CAL.add_working_seconds(start, n)
    assert result.tzinfo == LOCAL_TZ
    assert CAL.is_working_time(result) or _at_period_end(result)
    assert result > start


@FAST
@given(starts, starts, budgets)
def test_monotone_in_start(a: datetime, b: datetime, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert CAL.add_working_seconds(a, n) <= CAL.add_working_seconds(b, n)


@FAST
@given(starts, budgets, budgets)
def test_monotone_in_budget(start: datetime, m: int, n: int) -> None:
    m, n = min(m, n), max(m, n)
    assert CAL.add_working_seconds(start, m) <= CAL.add_working_seconds(start, n)


@FAST
@given(starts, budgets, budgets)
def test_additive(start: datetime, a: int, b: int) -> None:
    assert CAL.add_working_seconds(CAL.add_working_seconds(start, a), b) == (
        CAL.add_working_seconds(start, a + b)
    )


@FAST
@given(starts, budgets)
def test_between_inverts_add(start: datetime, n: int) -> None:
    assert CAL.working_seconds_between(start, CAL.add_working_seconds(start, n)) == n


@FAST
@given(starts, starts, starts)
def test_between_is_additive_over_splits(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    whole = CAL.working_time_between(a, c)
    assert whole == CAL.working_time_between(a, b) + CAL.working_time_between(b, c)
    assert CAL.working_seconds_between(c, a) == 0


@FAST
@given(starts)
def test_next_working_moment(start: datetime) -> None:
    result = CAL.next_working_moment(start)
    assert result >= start
    assert CAL.is_working_time(result)
    assert CAL.working_time_between(start, result) == timedelta()
    if result > start:
        assert result.time() in {s for s, _ in CAL.periods}


@FAST
@given(starts, st.integers(min_value=0, max_value=60))
def test_whole_days_are_day_length(start: datetime, days: int) -> None:
    assert CAL.add_working_days(start, days) == CAL.add_working_seconds(start, days * DAY)


@settings(max_examples=40, deadline=None)
@given(starts)
def test_day_arithmetic_agrees_with_brute_force(start: datetime) -> None:
    # Walk minute by minute over one day to cross-check the fast path.
    local = start.astimezone(LOCAL_TZ).replace(second=0, microsecond=0)
    day_start = datetime.combine(local.date(), time(), tzinfo=LOCAL_TZ)
    minutes = sum(
        1 for i in range(24 * 60) if CAL.is_working_time(day_start + timedelta(minutes=i))
    )
    expected = DAY // 60 if CAL.is_working_day(local.date()) else 0
    assert minutes == expected
    assert CAL.working_seconds_between(day_start, day_start + timedelta(days=1)) == expected * 60
