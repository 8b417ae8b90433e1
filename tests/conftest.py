"""Shared fixtures: a small real unit tree, staff in every role, and a procedure — all made through
the services, as production data is."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from motcua.catalog.services import procedure_upsert
from motcua.core.timeutil import LOCAL_TZ
from motcua.units.models import Role
from motcua.units.services import membership_grant, unit_upsert
from motcua.workcalendar.selectors import calendar_cache_clear


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real password hashing costs ~0.3 s a user; tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A rolled-back test sends no signal: start every test with a calendar read from the database.
    calendar_cache_clear()


@pytest.fixture
def tree(db):
    province, _ = unit_upsert(
        code="30", name="UBND tỉnh Hải Dương", level="province", agency_id="000.00.00.H23"
    )
    district, _ = unit_upsert(
        code="298",
        name="UBND huyện Tứ Kỳ",
        level="district",
        parent=province,
        agency_id="000.00.30.H23",
    )
    justice, _ = unit_upsert(
        code="298-TP", name="Phòng Tư pháp huyện Tứ Kỳ", level="department", parent=district
    )
    tien_dong, _ = unit_upsert(
        code="11143", name="UBND xã Tiên Động", level="commune", parent=district
    )
    cong_lac, _ = unit_upsert(
        code="11140", name="UBND xã Cộng Lạc", level="commune", parent=district
    )
    return SimpleNamespace(
        province=province,
        district=district,
        justice=justice,
        tien_dong=tien_dong,
        cong_lac=cong_lac,
    )


def make_user(username: str, *, unit, role: str, first_name: str = ""):
    user = get_user_model().objects.create_user(
        username, password="mat-khau-thu-nghiem", first_name=first_name
    )
    membership_grant(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def staff(tree):
    return SimpleNamespace(
        desk=make_user("tiepnhan.tiendong", unit=tree.tien_dong, role=Role.DESK_OFFICER),
        processor=make_user("chuyenvien.tiendong", unit=tree.tien_dong, role=Role.PROCESSOR),
        leader=make_user("lanhdao.tiendong", unit=tree.tien_dong, role=Role.LEADER),
        other_desk=make_user("tiepnhan.conglac", unit=tree.cong_lac, role=Role.DESK_OFFICER),
        other_processor=make_user("chuyenvien.conglac", unit=tree.cong_lac, role=Role.PROCESSOR),
        justice_processor=make_user("chuyenvien.tuphap", unit=tree.justice, role=Role.PROCESSOR),
        supervisor=make_user("giamsat.tuky", unit=tree.district, role=Role.SUPERVISOR),
    )


@pytest.fixture
def birth_registration(db):
    procedure, _ = procedure_upsert(
        code="1.001193",
        name="Đăng ký khai sinh",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        online_level="full",
        fees=[{"name": "Lệ phí đăng ký khai sinh", "amount": 8000}],
        components=[
            {"code": "TP1", "name": "Tờ khai đăng ký khai sinh"},
            {"code": "TP2", "name": "Giấy chứng sinh"},
        ],
    )
    return procedure
