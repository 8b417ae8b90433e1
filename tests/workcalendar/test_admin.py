"""The administrator's screen for days off / make-up days: national or per unit, with a source."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from motcua.units.services import unit_upsert
from motcua.workcalendar.models import CalendarOverride
from motcua.workcalendar.selectors import calendar_get

pytestmark = pytest.mark.django_db

ADD = "/admin/workcalendar/calendaroverride/add/"


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "x")
    client.force_login(user)
    return client


def test_province_swap_added_in_the_admin_applies_to_the_province(admin_client) -> None:
    province, _ = unit_upsert(code="31", name="UBND thành phố Hải Phòng", level="province")
    commune, _ = unit_upsert(code="11074", name="UBND xã Tứ Kỳ", level="commune", parent=province)
    response = admin_client.post(
        ADD,
        {
            "date": "2027-03-05",
            "unit": province.pk,
            "kind": "day_off",
            "name": "Nghỉ hoán đổi",
            "source": "Quyết định số 1/QĐ-UBND của UBND thành phố Hải Phòng",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarOverride.objects.get(date=date(2027, 3, 5))
    assert row.unit == province and row.source.startswith("Quyết định số 1/QĐ-UBND")
    assert not calendar_get(unit=commune).is_working_day(date(2027, 3, 5))
    assert calendar_get().is_working_day(date(2027, 3, 5))

    listing = admin_client.get("/admin/workcalendar/calendaroverride/?year=2026").content.decode()
    assert "Công văn của Chính phủ ngày 25/12/2025" in listing  # the shipped rows, with sources


def test_a_second_national_row_for_a_day_is_refused_in_vietnamese(admin_client) -> None:
    CalendarOverride.objects.get_or_create(
        date=date(2026, 1, 2), unit=None, defaults={"kind": "day_off"}
    )
    response = admin_client.post(
        ADD, {"date": "2026-01-02", "unit": "", "kind": "working_day", "name": "", "source": ""}
    )
    assert response.status_code == 200
    assert "đã có ngày nghỉ / làm bù toàn quốc" in response.content.decode()
    assert CalendarOverride.objects.filter(date=date(2026, 1, 2)).count() == 1


def test_calendar_edits_in_the_admin_are_recorded(admin_client) -> None:
    """Deadlines follow the calendar: who declared or removed a day, and when, is kept."""
    from motcua.core.models import ChangeRecord

    response = admin_client.post(
        ADD,
        {"date": "2027-04-02", "unit": "", "kind": "day_off", "name": "Nghỉ bù", "source": "Công văn số 9"},
    )  # fmt: skip
    assert response.status_code == 302
    row = CalendarOverride.objects.get(date=date(2027, 4, 2))
    response = admin_client.post(
        f"/admin/workcalendar/calendaroverride/{row.pk}/change/",
        {"kind": "working_day", "name": "Làm bù", "source": "Công văn số 10"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calendar_get().is_working_day(date(2027, 4, 2))  # a Friday, declared worked
    response = admin_client.post(
        f"/admin/workcalendar/calendaroverride/{row.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    records = ChangeRecord.objects.filter(
        object_type="workcalendar.calendaroverride", object_id=str(row.pk)
    ).order_by("pk")
    assert [r.action for r in records] == ["created", "updated", "deleted"]
    assert records[1].before["kind"] == "day_off" and records[1].after["kind"] == "working_day"
    assert all(r.actor_name == "quantri" for r in records)
