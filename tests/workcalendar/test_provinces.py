"""The per-unit override layer: a province's own swaps apply to its whole subtree, win over the
national data, and never reach another province."""

import importlib
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import ValidationFailed
from motcua.core.timeutil import LOCAL_TZ
from motcua.units.services import unit_upsert
from motcua.workcalendar.models import CalendarOverride, OverrideKind
from motcua.workcalendar.selectors import calendar_cache_clear, calendar_get
from motcua.workcalendar.services import (
    calendar_override_delete,
    calendar_override_set,
    working_schedule_set,
)

pytestmark = pytest.mark.django_db
shipped = importlib.import_module("motcua.workcalendar.migrations.0003_national_swaps_2026")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def provinces(db):
    shipped.ship(django_apps, None)  # the national 2026 rows, even after a flushing test
    hai_phong, _ = unit_upsert(code="31", name="UBND thành phố Hải Phòng", level="province")
    tu_ky, _ = unit_upsert(code="11074", name="UBND xã Tứ Kỳ", level="commune", parent=hai_phong)
    desk, _ = unit_upsert(
        code="11074-MC", name="Bộ phận Một cửa xã Tứ Kỳ", level="centre", parent=tu_ky
    )
    ha_noi, _ = unit_upsert(code="01", name="UBND thành phố Hà Nội", level="province")
    ba_dinh, _ = unit_upsert(
        code="00004", name="UBND phường Ba Đình", level="commune", parent=ha_noi
    )
    return hai_phong, tu_ky, desk, ha_noi, ba_dinh


def test_a_provinces_swap_reaches_its_subtree_only(provinces) -> None:
    hai_phong, tu_ky, desk, ha_noi, ba_dinh = provinces
    # A province moves its own bridging day: Friday 6/3/2026 off, Saturday 14/3 worked.
    calendar_override_set(
        unit=hai_phong,
        day=date(2026, 3, 6),
        kind=OverrideKind.DAY_OFF,
        name="Nghỉ hoán đổi",
        source="Quyết định của UBND thành phố Hải Phòng",
    )
    calendar_override_set(unit=hai_phong, day=date(2026, 3, 14), kind=OverrideKind.WORKING_DAY)

    for unit in (hai_phong, tu_ky, desk):
        cal = calendar_get(unit=unit)
        assert not cal.is_working_day(date(2026, 3, 6))
        assert cal.is_working_day(date(2026, 3, 14))
        assert cal.holiday_name(date(2026, 3, 6)) == "Nghỉ hoán đổi"
    for unit in (ha_noi, ba_dinh, None):
        cal = calendar_get(unit=unit)
        assert cal.is_working_day(date(2026, 3, 6))
        assert not cal.is_working_day(date(2026, 3, 14))

    start = at("2026-03-05 10:00")  # Thursday
    assert calendar_get(unit=desk).add_working_days(start, 2) == at("2026-03-10 10:00")
    assert calendar_get(unit=ba_dinh).add_working_days(start, 2) == at("2026-03-09 10:00")


def test_a_provinces_row_wins_over_the_national_swap(provinces) -> None:
    hai_phong, tu_ky, _desk, _ha_noi, ba_dinh = provinces
    # The shipped national swap makes Friday 2/1/2026 a day off; this province works it.
    assert not calendar_get(unit=tu_ky).is_working_day(date(2026, 1, 2))
    calendar_override_set(unit=hai_phong, day=date(2026, 1, 2), kind=OverrideKind.WORKING_DAY)
    calendar_override_set(unit=hai_phong, day=date(2026, 1, 10), kind=OverrideKind.DAY_OFF)
    assert calendar_get(unit=tu_ky).is_working_day(date(2026, 1, 2))
    assert not calendar_get(unit=tu_ky).is_working_day(date(2026, 1, 10))
    assert not calendar_get(unit=ba_dinh).is_working_day(date(2026, 1, 2))
    assert calendar_get(unit=ba_dinh).is_working_day(date(2026, 1, 10))
    # A province row beats the package too: Culture Day worked in this province only.
    calendar_override_set(unit=hai_phong, day=date(2026, 11, 24), kind=OverrideKind.WORKING_DAY)
    assert calendar_get(unit=tu_ky).is_working_day(date(2026, 11, 24))
    assert not calendar_get(unit=ba_dinh).is_working_day(date(2026, 11, 24))

    # Deleting the province's row gives the national verdict back.
    assert calendar_override_delete(unit=hai_phong, day=date(2026, 1, 2)) is True
    assert not calendar_get(unit=tu_ky).is_working_day(date(2026, 1, 2))
    # The national row of that day is still there: deleting one layer leaves the others.
    assert CalendarOverride.objects.filter(date=date(2026, 1, 2), unit__isnull=True).exists()


def test_the_nearest_unit_decides(provinces) -> None:
    hai_phong, tu_ky, desk, _ha_noi, _ba_dinh = provinces
    day = date(2026, 3, 6)
    calendar_override_set(unit=hai_phong, day=day, kind=OverrideKind.DAY_OFF)
    calendar_override_set(unit=tu_ky, day=day, kind=OverrideKind.WORKING_DAY, name="Xã vẫn làm")
    assert not calendar_get(unit=hai_phong).is_working_day(day)
    assert calendar_get(unit=tu_ky).is_working_day(day)
    assert calendar_get(unit=desk).holiday_name(day) == "Xã vẫn làm"


def test_the_layer_combines_with_the_units_schedule(provinces) -> None:
    hai_phong, tu_ky, _desk, ha_noi, _ba_dinh = provinces
    working_schedule_set(unit=tu_ky, periods="07:00-11:00")
    calendar_override_set(unit=hai_phong, day=date(2026, 3, 6), kind=OverrideKind.DAY_OFF)
    cal = calendar_get(unit=tu_ky)
    assert cal.working_day_seconds == 4 * 3600
    assert not cal.is_working_day(date(2026, 3, 6))
    assert calendar_get(unit=ha_noi).is_working_day(date(2026, 3, 6))


def test_one_row_per_day_and_layer(provinces) -> None:
    hai_phong, _tu_ky, _desk, ha_noi, _ba_dinh = provinces
    day = date(2026, 3, 6)
    calendar_override_set(unit=hai_phong, day=day, kind=OverrideKind.DAY_OFF)
    calendar_override_set(unit=hai_phong, day=day, kind=OverrideKind.WORKING_DAY, source="Sửa")
    calendar_override_set(unit=ha_noi, day=day, kind=OverrideKind.DAY_OFF)
    calendar_override_set(day=day, kind=OverrideKind.DAY_OFF)
    rows = CalendarOverride.objects.filter(date=day)
    assert rows.count() == 3
    assert rows.get(unit=hai_phong).kind == OverrideKind.WORKING_DAY
    assert rows.get(unit=hai_phong).source == "Sửa"


def test_bad_kind_for_a_province_writes_nothing(provinces) -> None:
    hai_phong = provinces[0]
    with pytest.raises(ValidationFailed, match="không hợp lệ"):
        calendar_override_set(unit=hai_phong, day=date(2026, 3, 6), kind="le")
    assert not CalendarOverride.objects.filter(unit=hai_phong).exists()


# -- properties -----------------------------------------------------------------------------

FIRST = date(2026, 1, 1)
SPAN = 120  # days: Tết, the New Year swap and ordinary weeks
days = st.integers(min_value=0, max_value=SPAN - 1).map(lambda n: FIRST + timedelta(days=n))
overrides = st.lists(
    st.tuples(
        st.sampled_from(["province", "commune", "national"]),
        days,
        st.sampled_from(list(OverrideKind.values)),
    ),
    max_size=12,
)
starts = st.integers(min_value=0, max_value=(SPAN - 40) * 24 * 4).map(
    lambda q: datetime(2026, 1, 1, tzinfo=LOCAL_TZ) + timedelta(minutes=15 * q)
)
limits = st.integers(min_value=0, max_value=20 * 8 * 4).map(lambda q: q * 900)  # quarter hours


class _Rollback(Exception):
    pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=overrides, s1=starts, s2=starts, budget=limits)
def test_random_overrides_stay_in_their_province(provinces, rows, s1, s2, budget) -> None:
    hai_phong, tu_ky, desk, ha_noi, ba_dinh = provinces
    owner = {"province": hai_phong, "commune": tu_ky, "national": None}
    try:
        with transaction.atomic():
            calendar_cache_clear()  # the previous example was rolled back without a signal
            before = calendar_get(unit=ba_dinh)
            before_days = [before.is_working_day(FIRST + timedelta(n)) for n in range(SPAN)]
            before_due = before.add_working_seconds(s1, budget)
            for layer, day, kind in rows:
                calendar_override_set(unit=owner[layer], day=day, kind=kind)
            national_rows = any(layer == "national" for layer, _, _ in rows)

            other, mine = calendar_get(unit=ba_dinh), calendar_get(unit=desk)
            national = calendar_get()
            for n in range(SPAN):
                day = FIRST + timedelta(n)
                # Another province follows the national calendar, whatever Hải Phòng decides.
                assert other.is_working_day(day) == national.is_working_day(day)
                if not national_rows:
                    assert other.is_working_day(day) == before_days[n]
                # The nearest layer decides for the commune's desk.
                decided = [k for layer, d, k in rows if d == day and layer != "national"]
                commune = [k for layer, d, k in rows if d == day and layer == "commune"]
                verdict = commune[-1] if commune else (decided[-1] if decided else None)
                if verdict is not None:
                    assert mine.is_working_day(day) == (verdict == OverrideKind.WORKING_DAY)
                else:
                    assert mine.is_working_day(day) == national.is_working_day(day)
            if not national_rows:
                assert other.add_working_seconds(s1, budget) == before_due
            # Deadlines are monotone in the start, in every province.
            lo, hi = min(s1, s2), max(s1, s2)
            for cal in (mine, other):
                assert cal.add_working_seconds(lo, budget) <= cal.add_working_seconds(hi, budget)
            assert calendar_get(unit=ha_noi).add_working_seconds(s1, budget) == (
                other.add_working_seconds(s1, budget)
            )
            raise _Rollback
    except _Rollback:
        pass
    calendar_cache_clear()


def test_a_duplicate_row_is_refused_in_vietnamese(provinces) -> None:
    # What the admin form meets: the partial unique constraints speak Vietnamese.
    hai_phong = provinces[0]
    calendar_override_set(unit=hai_phong, day=date(2026, 3, 6), kind=OverrideKind.DAY_OFF)
    twin = CalendarOverride(unit=hai_phong, date=date(2026, 3, 6), kind=OverrideKind.DAY_OFF)
    with pytest.raises(ValidationError, match="Đơn vị này đã có ngày nghỉ / làm bù"):
        twin.full_clean()
    national = CalendarOverride(date=date(2026, 1, 2), kind=OverrideKind.WORKING_DAY)
    with pytest.raises(ValidationError, match="đã có ngày nghỉ / làm bù toàn quốc"):
        national.full_clean()
    other = CalendarOverride(unit=provinces[3], date=date(2026, 3, 6), kind=OverrideKind.DAY_OFF)
    other.full_clean()  # another province may decide the same day


def test_deadline_command_uses_the_provinces_layer(provinces) -> None:
    hai_phong = provinces[0]
    calendar_override_set(
        unit=hai_phong,
        day=date(2026, 3, 6),
        kind=OverrideKind.DAY_OFF,
        name="Nghỉ hoán đổi",
        source="Quyết định của UBND thành phố Hải Phòng",
    )
    args = ["--start", "2026-03-05T10:00:00+07:00", "--working-days", "2"]
    out = StringIO()
    call_command("deadline", *args, "--unit", "11074-MC", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "2026-03-10T10:00:00+07:00"
    assert any(
        "06/03/2026 (thứ Sáu): Ngày nghỉ — Nghỉ hoán đổi [UBND thành phố Hải Phòng]"
        " — căn cứ: Quyết định của UBND thành phố Hải Phòng" in line
        for line in lines
    )
    out = StringIO()
    call_command("deadline", *args, "--unit", "00004", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "2026-03-09T10:00:00+07:00"
    assert not any("Nghỉ hoán đổi" in line for line in lines)
