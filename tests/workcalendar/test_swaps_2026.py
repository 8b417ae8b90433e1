"""The shipped 2026 calendar: Vietnam Culture Day from the package, the government's day swaps from
the data migration, and deadlines counted across them."""

import importlib
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.timeutil import LOCAL_TZ
from motcua.workcalendar.calendar import WorkCalendar
from motcua.workcalendar.models import CalendarOverride, OverrideKind
from motcua.workcalendar.selectors import calendar_get
from motcua.workcalendar.services import calendar_override_delete, calendar_override_set

shipped = importlib.import_module("motcua.workcalendar.migrations.0003_national_swaps_2026")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


# -- the package alone ------------------------------------------------------------------------


def test_culture_day_is_a_holiday_from_2026_only() -> None:
    cal = WorkCalendar()  # package only: no database rows
    assert not cal.is_working_day(date(2026, 11, 24))  # Tuesday
    assert cal.holiday_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert cal.is_working_day(date(2025, 11, 24))  # Monday, before the holiday existed
    assert cal.add_working_days(at("2026-11-23 10:00"), 1) == at("2026-11-25 10:00")


def test_package_already_has_hung_kings_2026_and_the_tet_weekdays() -> None:
    # What the shipped data need not repeat (checked so a package change is noticed).
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2026, 4, 27))  # Monday after Sunday 26/4
    assert all(not cal.is_working_day(date(2026, 2, d)) for d in range(16, 21))
    assert cal.is_working_day(date(2026, 2, 23))


def test_package_lacks_the_new_year_2026_swap() -> None:
    cal = WorkCalendar()
    assert cal.is_working_day(date(2026, 1, 2))
    assert not cal.is_working_day(date(2026, 1, 10))


# -- the shipped rows -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _shipped_rows(request):
    """The migration's rows. A transactional test earlier in the run (PostgreSQL) flushes every
    table, so the migration's own function puts back what is missing; it adds, never overwrites."""
    if "django_db" in request.keywords:
        shipped.ship(django_apps, None)


@pytest.mark.django_db
def test_the_rows_come_with_migrate() -> None:
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("workcalendar", "0003_national_swaps_2026") in applied
    operation = shipped.Migration.operations[0]
    assert operation.code is shipped.ship and operation.reverse_code is shipped.unship


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 1), False),  # Thursday, New Year (package)
        (date(2026, 1, 2), False),  # Friday, swapped off
        (date(2026, 1, 10), True),  # Saturday, worked
        (date(2026, 2, 14), False),  # Tết weekends, also for Saturday-working units
        (date(2026, 2, 22), False),
        (date(2026, 8, 22), True),  # Saturday, worked
        (date(2026, 8, 31), False),  # Monday, swapped off
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 9, 3), True),
    ],
)
def test_shipped_2026_swaps_decide_the_national_calendar(day: date, working: bool) -> None:
    assert calendar_get().is_working_day(day) is working


@pytest.mark.django_db
def test_shipped_rows_carry_their_legal_source() -> None:
    rows = list(CalendarOverride.objects.filter(date__year=2026, unit__isnull=True))
    assert {r.date for r in rows} >= {
        date(2026, 1, 2),
        date(2026, 1, 10),
        date(2026, 8, 22),
        date(2026, 8, 31),
    }
    assert all(r.source and r.name for r in rows)
    new_year = CalendarOverride.objects.get(date=date(2026, 1, 2), unit__isnull=True)
    assert "25/12/2025" in new_year.source
    assert calendar_get().holiday_name(date(2026, 1, 10)) == new_year_name(date(2026, 1, 10))


def new_year_name(day: date) -> str:
    return CalendarOverride.objects.get(date=day, unit__isnull=True).name


@pytest.mark.django_db
def test_administrator_can_undo_a_shipped_swap() -> None:
    assert calendar_override_delete(day=date(2026, 1, 10)) is True
    assert not calendar_get().is_working_day(date(2026, 1, 10))  # back to a plain Saturday
    calendar_override_set(
        day=date(2026, 1, 2), kind=OverrideKind.WORKING_DAY, name="Đi làm", source="Thử"
    )
    assert calendar_get().is_working_day(date(2026, 1, 2))


@pytest.mark.django_db
def test_migration_keeps_an_administrators_row_and_reverses_only_untouched_rows() -> None:
    edited = CalendarOverride.objects.get(date=date(2026, 8, 31), unit__isnull=True)
    edited.name = "Sửa bởi quản trị"
    edited.save()
    CalendarOverride.objects.filter(date=date(2026, 1, 2), unit__isnull=True).delete()

    shipped.ship(django_apps, None)  # running again adds what is missing, overwrites nothing
    assert CalendarOverride.objects.get(date=date(2026, 8, 31), unit__isnull=True).name == (
        "Sửa bởi quản trị"
    )
    assert CalendarOverride.objects.filter(date=date(2026, 1, 2), unit__isnull=True).exists()
    assert CalendarOverride.objects.filter(date__year=2026, unit__isnull=True).count() == len(
        shipped.SWAPS_2026
    )

    shipped.unship(django_apps, None)
    left = list(CalendarOverride.objects.filter(date__year=2026, unit__isnull=True))
    assert [r.date for r in left] == [date(2026, 8, 31)]


# -- deadlines over the swaps (3 working days = 24 h of 07:30–11:30, 13:00–17:00) ------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Wed 31/12 10:00 leaves 5.5 h; Thu 1/1 and Fri 2/1 off, weekend; Mon 5, Tue 6, Wed 7/1.
        ("2025-12-31 10:00", 3, "2026-01-07 10:00"),
        # … and a longer limit counts Saturday 10/1: 31/12, 5–9/1, Sat 10/1, Mon 12/1 10:00.
        ("2025-12-31 10:00", 7, "2026-01-12 10:00"),
        # Fri 21/8 10:00 leaves 5.5 h; Saturday 22/8 is worked: Sat 22, Mon 24, Tue 25/8 10:00.
        ("2026-08-21 10:00", 3, "2026-08-25 10:00"),
        # Ten days go through 24–28/8, skip Mon 31/8, Tue 1/9, Wed 2/9: 3, 4, 7/9, Tue 8/9.
        ("2026-08-21 10:00", 10, "2026-09-08 10:00"),
    ],
)
def test_deadlines_across_the_2026_swaps(start: str, days: int, due: str) -> None:
    assert calendar_get().add_working_days(at(start), days) == at(due)


@pytest.mark.django_db
def test_without_the_new_year_swap_the_deadline_is_a_day_earlier() -> None:
    calendar_override_delete(day=date(2026, 1, 2))
    assert calendar_get().add_working_days(at("2025-12-31 10:00"), 3) == at("2026-01-06 10:00")


@pytest.mark.django_db
def test_deadline_command_names_the_swaps_it_went_through() -> None:
    out = StringIO()
    call_command(
        "deadline", "--start", "2025-12-31T10:00:00+07:00", "--working-days", "7", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "Hạn xử lý: 12/01/2026 10:00 (thứ Hai)"
    assert lines[-1] == "2026-01-12T10:00:00+07:00"
    middle = "\n".join(lines[1:-1])
    assert "02/01/2026 (thứ Sáu): Ngày nghỉ" in middle
    assert "10/01/2026 (thứ Bảy): Ngày làm việc bù" in middle
    assert "căn cứ: Công văn của Chính phủ ngày 25/12/2025" in middle


# -- any day and any deadline of 2026 (hypothesis) ------------------------------------------------

days_2026 = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
SHIPPED = {day: kind for day, kind, _name, _source in shipped.SWAPS_2026}


def expected_working(day: date) -> bool:
    """The oracle: the shipped row decides its day; else the package's holidays and weekends."""
    if day in SHIPPED:
        return SHIPPED[day] == "working_day"
    return day.weekday() < 5 and not WorkCalendar().holiday_name(day)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=days_2026)
@pytest.mark.django_db
def test_every_day_of_2026_is_decided_by_the_shipped_rows_then_the_package(day: date) -> None:
    assert calendar_get().is_working_day(day) is expected_working(day)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=days_2026, days=st.integers(min_value=1, max_value=30))
@pytest.mark.django_db
def test_whole_day_deadlines_of_2026_count_the_oracles_working_days(start: date, days: int):
    # From 07:30 (the opening) n whole working days end at the close of the n-th working day.
    cal = calendar_get()
    due = cal.add_working_days(
        datetime.combine(start, datetime.min.time()).replace(hour=7, minute=30, tzinfo=LOCAL_TZ),
        days,
    )
    day, counted = start, 0
    while True:
        if expected_working(day):
            counted += 1
            if counted == days:
                break
        day += timedelta(days=1)
    assert due.date() == day
