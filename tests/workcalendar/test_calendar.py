"""Explicit cases of the working-day calendar (pure Python, no database)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from motcua.core.timeutil import LOCAL_TZ
from motcua.workcalendar.calendar import WorkCalendar, parse_periods, parse_weekdays

CAL = WorkCalendar()


def at(text: str) -> datetime:
    """Local (UTC+7) moment from "YYYY-MM-DD HH:MM[:SS]"."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


# -- days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        *(date(2024, 2, d) for d in range(8, 15)),  # Tết Giáp Thìn
        *(date(2025, 1, d) for d in range(27, 32)),
        date(2025, 2, 1),  # Saturday, but in the package's Tết list
        *(date(2026, 2, d) for d in range(16, 21)),  # Tết Bính Ngọ
        date(2024, 4, 29),  # bridge Monday swapped for Saturday 4/5
        date(2024, 4, 30),
        date(2024, 5, 1),
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),  # swapped for Saturday 26/4
        date(2024, 9, 2),
        date(2024, 9, 3),  # 2/9 plus the adjacent day
        date(2025, 9, 1),
        date(2025, 9, 2),
        date(2024, 1, 1),
        date(2024, 2, 17),  # ordinary Saturday
        date(2024, 2, 18),  # ordinary Sunday
    ],
)
def test_days_off(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 2, 7),
        date(2024, 2, 15),
        date(2025, 2, 3),
        date(2026, 2, 23),
        date(2024, 5, 4),  # official make-up Saturday
        date(2025, 4, 26),
        date(2026, 8, 22),
    ],
)
def test_working_days(day: date) -> None:
    assert CAL.is_working_day(day)


def test_holiday_names_are_vietnamese() -> None:
    assert "Quốc khánh" in CAL.holiday_name(date(2024, 9, 2))
    assert "Tết" in CAL.holiday_name(date(2024, 2, 10))
    assert CAL.holiday_name(date(2024, 5, 4)) == "Ngày làm việc bù"
    assert CAL.holiday_name(date(2024, 2, 7)) is None


def test_explicit_overrides_beat_the_package() -> None:
    cal = WorkCalendar(
        days_off={date(2024, 2, 7): "Nghỉ địa phương", date(2024, 5, 4): "Không làm bù"},
        working_days={date(2024, 9, 3): "Làm bù", date(2024, 2, 17): "Làm thứ Bảy"},
    )
    assert not cal.is_working_day(date(2024, 2, 7))
    assert cal.holiday_name(date(2024, 2, 7)) == "Nghỉ địa phương"
    assert not cal.is_working_day(date(2024, 5, 4))
    assert cal.is_working_day(date(2024, 9, 3))
    assert cal.is_working_day(date(2024, 2, 17))


def test_without_holiday_country_only_weekdays_count() -> None:
    cal = WorkCalendar(holiday_country=None)
    assert cal.is_working_day(date(2024, 2, 12))
    assert not cal.is_working_day(date(2024, 5, 4))


def test_custom_weekdays() -> None:
    cal = WorkCalendar(weekdays=frozenset(range(6)), holiday_country=None)
    assert cal.is_working_day(date(2024, 2, 17))
    assert not cal.is_working_day(date(2024, 2, 18))


# -- moments ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-02-07 07:30", True),
        ("2024-02-07 07:29:59.999999", False),
        ("2024-02-07 11:29:59", True),
        ("2024-02-07 11:30", False),  # periods are half-open
        ("2024-02-07 12:00", False),
        ("2024-02-07 13:00", True),
        ("2024-02-07 17:00", False),
        ("2024-02-08 09:00", False),  # 29 Tết
        ("2024-05-04 09:00", True),  # make-up Saturday
    ],
)
def test_is_working_time(moment: str, expected: bool) -> None:
    assert CAL.is_working_time(at(moment)) is expected


def test_is_working_time_converts_other_zones() -> None:
    assert CAL.is_working_time(datetime(2024, 2, 7, 2, 0, tzinfo=ZoneInfo("UTC")))  # 09:00 +07
    assert not CAL.is_working_time(datetime(2024, 2, 7, 5, 0, tzinfo=ZoneInfo("UTC")))  # 12:00


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-02-07 09:15:30", "2024-02-07 09:15:30"),
        ("2024-02-07 05:00", "2024-02-07 07:30"),  # early morning
        ("2024-02-07 11:30", "2024-02-07 13:00"),  # lunch
        ("2024-02-07 17:00", "2024-02-15 07:30"),  # evening before Tết
        ("2024-02-16 22:00", "2024-02-19 07:30"),  # Friday night
        ("2024-02-17 10:00", "2024-02-19 07:30"),  # weekend
        ("2024-05-03 18:00", "2024-05-04 07:30"),  # make-up Saturday
        ("2024-04-27 10:00", "2024-05-02 07:30"),  # 27/4 – 1/5 off
    ],
)
def test_next_working_moment(moment: str, expected: str) -> None:
    result = CAL.next_working_moment(at(moment))
    assert result == at(expected)
    assert result.tzinfo == LOCAL_TZ


def test_issue_example_three_working_days_across_tet() -> None:
    start = datetime.fromisoformat("2024-02-07T10:00:00+07:00")
    assert CAL.add_working_days(start, 3).isoformat() == "2024-02-19T10:00:00+07:00"


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2025-01-24 08:00", 1, "2025-02-03 08:00"),  # Friday before Tết 2025 (27/1–1/2)
        ("2026-02-13 10:00", 1, "2026-02-23 10:00"),  # Friday before Tết 2026 (16–20/2)
        ("2024-05-03 09:00", 1, "2024-05-04 09:00"),  # into the make-up Saturday
        ("2024-04-26 09:00", 1, "2024-05-02 09:00"),  # over 27/4 – 1/5
        ("2024-08-30 14:00", 1, "2024-09-04 14:00"),  # over 2/9 and 3/9
        ("2025-08-29 14:00", 1, "2025-09-03 14:00"),  # over 1/9 and 2/9
        ("2024-02-07 10:00", Decimal("0.5"), "2024-02-07 15:30"),
    ],
)
def test_add_working_days(start: str, days, expected: str) -> None:
    assert CAL.add_working_days(at(start), days) == at(expected)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2024-02-06 22:00", "2024-02-07 17:00"),  # night
        ("2024-02-06 12:15", "2024-02-07 11:30"),  # lunch: 4 h afternoon + 4 h next morning
        ("2024-02-03 10:00", "2024-02-05 17:00"),  # Saturday
        ("2024-02-10 10:00", "2024-02-15 17:00"),  # Tết
        ("2024-09-02 08:00", "2024-09-04 17:00"),  # National Day
    ],
)
def test_one_working_day_from_outside_working_time(start: str, expected: str) -> None:
    assert CAL.add_working_days(at(start), 1) == at(expected)


def test_budget_ending_at_a_period_end_stays_there() -> None:
    assert CAL.add_working_hours(at("2024-02-07 07:30"), 4) == at("2024-02-07 11:30")
    assert CAL.add_working_hours(at("2024-02-07 07:30"), 8) == at("2024-02-07 17:00")
    assert CAL.add_working_hours(at("2024-02-07 13:00"), 4) == at("2024-02-07 17:00")
    # …and continuing from there resumes at the next period start.
    assert CAL.add_working_seconds(at("2024-02-07 11:30"), 1) == at("2024-02-07 13:00:01")
    assert CAL.add_working_seconds(at("2024-02-07 17:00"), 1) == at("2024-02-15 07:30:01")


def test_working_hours() -> None:
    assert CAL.add_working_hours(at("2024-02-07 10:00"), 2) == at("2024-02-07 13:30")
    assert CAL.add_working_hours(at("2024-02-07 10:00"), Decimal("1.25")) == at("2024-02-07 11:15")
    assert CAL.add_working_hours(at("2024-02-07 10:00"), 0.5) == at("2024-02-07 10:30")
    assert CAL.add_working_hours(at("2024-02-07 16:00"), 2) == at("2024-02-15 08:30")


def test_zero_budget_returns_start_unchanged() -> None:
    night = at("2024-02-07 22:00")
    assert CAL.add_working_seconds(night, 0) == night
    assert CAL.add_working_days(night, 0) == night


def test_negative_budget_is_rejected() -> None:
    with pytest.raises(ValueError, match="âm"):
        CAL.add_working_seconds(at("2024-02-07 09:00"), -1)


def test_microseconds_are_kept() -> None:
    start = at("2024-02-07 11:29:59.250000")
    assert CAL.add_working_seconds(start, 1) == at("2024-02-07 13:00:00.250000")
    assert CAL.working_seconds_between(start, at("2024-02-07 13:00:00.250000")) == 1
    assert CAL.working_seconds_between(start, at("2024-02-07 13:00:00.249999")) == 0


def test_working_seconds_between() -> None:
    assert CAL.working_seconds_between(at("2024-02-07 10:00"), at("2024-02-19 10:00")) == 3 * 28800
    assert CAL.working_seconds_between(at("2024-02-07 12:00"), at("2024-02-07 12:30")) == 0
    assert CAL.working_seconds_between(at("2024-02-07 17:00"), at("2024-02-07 10:00")) == 0
    assert CAL.working_seconds_between(at("2024-02-05 00:00"), at("2024-02-12 00:00")) == 3 * 28800


def test_working_day_seconds() -> None:
    assert CAL.working_day_seconds == 8 * 3600
    assert WorkCalendar(periods=parse_periods("08:00-12:00")).working_day_seconds == 4 * 3600


def test_long_spans_are_fast() -> None:
    start = at("2024-01-01 00:00")
    end = CAL.add_working_days(start, 2500)
    assert CAL.working_seconds_between(start, end) == 2500 * 28800
    assert end - start > timedelta(days=3400)


def test_custom_periods() -> None:
    cal = WorkCalendar(periods=((time(8), time(12)), (time(13, 30), time(17, 30))))
    assert cal.add_working_hours(at("2024-02-07 11:00"), 2) == at("2024-02-07 14:30")


# -- parsing ------------------------------------------------------------------------------------


def test_parse_periods() -> None:
    assert parse_periods("07:30-11:30,13:00-17:00") == (
        (time(7, 30), time(11, 30)),
        (time(13), time(17)),
    )
    assert parse_periods(" 7:30 - 11:30 , 13:00-17:00 ") == parse_periods("07:30-11:30,13:00-17:00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Chưa khai báo"),
        ("07:30", "định dạng"),
        ("7h30-11h30", "định dạng"),
        ("25:00-26:00", "không hợp lệ"),
        ("11:30-07:30", "bắt đầu phải trước"),
        ("07:30-07:30", "bắt đầu phải trước"),
        ("07:30-12:00,11:00-17:00", "chồng lấn"),
        ("13:00-17:00,07:30-11:30", "chồng lấn"),
    ],
)
def test_parse_periods_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_periods(text)


def test_parse_weekdays() -> None:
    assert parse_weekdays("0,1,2,3,4") == frozenset(range(5))
    for bad in ("", "7", "a", "-1"):
        with pytest.raises(ValueError):
            parse_weekdays(bad)
