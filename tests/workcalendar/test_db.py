"""Database-backed calendar: overrides, schedules per unit, and the `deadline` command."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.errors import ValidationFailed
from motcua.core.timeutil import LOCAL_TZ
from motcua.units.models import Unit
from motcua.workcalendar.models import CalendarOverride, OverrideKind, WorkingSchedule
from motcua.workcalendar.selectors import calendar_get
from motcua.workcalendar.services import (
    calendar_override_delete,
    calendar_override_set,
    working_schedule_set,
)

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def deadline(*args: str) -> list[str]:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def make_unit(code: str, parent: Unit | None = None) -> Unit:
    path = f"{parent.path if parent else '/'}{code}/"
    return Unit.objects.create(
        code=code, name=f"Đơn vị {code}", level="district", parent=parent, path=path
    )


# -- overrides ----------------------------------------------------------------------------------


def test_overrides_take_effect_immediately() -> None:
    day = date(2024, 2, 7)
    assert calendar_get().is_working_day(day)

    calendar_override_set(day=day, kind=OverrideKind.DAY_OFF, name="Nghỉ địa phương")
    assert not calendar_get().is_working_day(day)
    assert calendar_get().holiday_name(day) == "Nghỉ địa phương"

    calendar_override_set(day=day, kind=OverrideKind.WORKING_DAY, name="")
    assert CalendarOverride.objects.filter(date=day).count() == 1
    assert calendar_get().is_working_day(day)

    assert calendar_override_delete(day=day) is True
    assert calendar_override_delete(day=day) is False
    assert calendar_get().holiday_name(day) is None


def test_make_up_saturday_from_the_database_moves_deadlines() -> None:
    start = at("2024-02-16 10:00")  # Friday
    assert calendar_get().add_working_days(start, 1) == at("2024-02-19 10:00")
    calendar_override_set(day=date(2024, 2, 17), kind="working_day", name="Làm bù")
    assert calendar_get().add_working_days(start, 1) == at("2024-02-17 10:00")


def test_a_day_off_can_cancel_a_package_make_up_saturday() -> None:
    calendar_override_set(day=date(2024, 5, 4), kind="day_off", name="Không làm bù")
    assert not calendar_get().is_working_day(date(2024, 5, 4))


def test_no_leak_between_tests() -> None:
    # The previous tests' rows were rolled back (no signal fires); the cache must notice.
    assert calendar_get().is_working_day(date(2024, 2, 7))
    assert calendar_get().is_working_day(date(2024, 5, 4))
    assert not calendar_get().is_working_day(date(2024, 2, 17))


def test_invalid_kind_is_rejected() -> None:
    with pytest.raises(ValidationFailed, match="không hợp lệ"):
        calendar_override_set(day=date(2024, 2, 7), kind="holiday", name="")


def test_override_str() -> None:
    row = calendar_override_set(day=date(2024, 2, 7), kind="day_off", name="")
    assert str(row) == "07/02/2024 — Ngày nghỉ"


# -- schedules ----------------------------------------------------------------------------------


def test_default_calendar_follows_settings(settings) -> None:
    assert calendar_get().working_day_seconds == 8 * 3600


def test_schedule_of_nearest_ancestor_applies() -> None:
    province = make_unit("30")
    district = make_unit("298", province)
    commune = make_unit("11143", district)
    other = make_unit("31")

    working_schedule_set(periods="08:00-12:00,13:30-17:30")
    working_schedule_set(unit=district, periods="07:00-11:00", weekdays="0,1,2,3,4,5")

    assert calendar_get(unit=commune).periods == calendar_get(unit=district).periods
    assert calendar_get(unit=commune).working_day_seconds == 4 * 3600
    assert calendar_get(unit=commune).is_working_day(date(2024, 2, 17))  # Saturday
    assert calendar_get(unit=province).add_working_hours(at("2024-02-07 07:00"), 1) == at(
        "2024-02-07 09:00"
    )
    assert calendar_get(unit=other).working_day_seconds == 8 * 3600
    assert calendar_get().working_day_seconds == 8 * 3600

    # Editing a schedule is seen at once.
    working_schedule_set(unit=district, periods="07:00-09:00")
    assert calendar_get(unit=commune).working_day_seconds == 2 * 3600


def test_schedule_validation_is_vietnamese() -> None:
    with pytest.raises(ValidationFailed, match="chồng lấn"):
        working_schedule_set(periods="07:30-12:00,11:00-17:00")
    with pytest.raises(ValidationError, match="Thứ"):
        WorkingSchedule(periods="07:30-11:30", weekdays="0,8").full_clean()


def test_single_default_schedule() -> None:
    WorkingSchedule.objects.create()
    with pytest.raises(ValidationError, match="mặc định"):
        WorkingSchedule().full_clean()


# -- the deadline command -----------------------------------------------------------------------


def test_command_issue_example() -> None:
    lines = deadline("--start", "2024-02-07T10:00:00+07:00", "--working-days", "3")
    assert lines[-1] == "2024-02-19T10:00:00+07:00"
    assert lines[0] == "Hạn xử lý: 19/02/2024 10:00 (thứ Hai)"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--start", "2024-02-07T10:00:00", "--working-days", "3"), "2024-02-19T10:00:00+07:00"),
        (("--start", "2024-02-07T03:00:00Z", "--working-days", "3"), "2024-02-19T10:00:00+07:00"),
        (("--start", "20240207100000", "--working-days", "3"), "2024-02-19T10:00:00+07:00"),
        (("--start", "20240207100000", "--working-hours", "2"), "2024-02-07T13:30:00+07:00"),
        (("--start", "20240207100000", "--working-hours", "1.5"), "2024-02-07T11:30:00+07:00"),
        (("--start", "20240207100000", "--working-days", "0.5"), "2024-02-07T15:30:00+07:00"),
    ],
)
def test_command_variants(args: tuple[str, ...], expected: str) -> None:
    assert deadline(*args)[-1] == expected


def test_command_default_start_is_now() -> None:
    due = datetime.fromisoformat(deadline("--working-hours", "1")[-1])
    assert due.utcoffset().total_seconds() == 7 * 3600


def test_command_uses_database_overrides() -> None:
    calendar_override_set(day=date(2024, 2, 15), kind="day_off", name="Nghỉ thêm")
    lines = deadline("--start", "2024-02-07T10:00:00+07:00", "--working-days", "3")
    assert lines[-1] == "2024-02-20T10:00:00+07:00"


def test_command_unit_calendar() -> None:
    unit = make_unit("298")
    working_schedule_set(unit=unit, periods="07:00-11:00")
    lines = deadline("--start", "20240207070000", "--working-hours", "5", "--unit", "298")
    assert lines[-1] == "2024-02-15T08:00:00+07:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2024-02-07T10:00:00+07:00"), "Cần đúng một"),
        (("--working-days", "1", "--working-hours", "2"), "Cần đúng một"),
        (("--start", "hôm qua", "--working-days", "1"), "không hợp lệ"),
        (("--working-days", "ba"), "không phải là số"),
        (("--working-days", "-1"), "không âm"),
        (("--working-days", "NaN"), "không âm"),
        (("--working-days", "1", "--unit", "KHONGCO"), "Không tìm thấy đơn vị"),
    ],
)
def test_command_rejects_bad_input(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        deadline(*args)
