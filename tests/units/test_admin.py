"""Units and staff roles edited in the admin go through units.services and are recorded."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.core.models import ChangeRecord
from motcua.units.models import Membership, Unit


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("quantri", password="x", first_name="Quản trị")
    client = Client()
    client.force_login(user)
    return client


def _unit_form(unit: Unit, **changes) -> dict:
    values = {
        "code": unit.code,
        "agency_id": unit.agency_id,
        "name": unit.name,
        "short_name": unit.short_name,
        "level": unit.level,
        "parent": unit.parent_id or "",
        "valid_from": "",
        "valid_to": "",
        "successor": "",
    }
    return {**values, **changes}


def test_choosing_a_successor_merges_the_unit(admin_client, tree):
    unit = Unit.objects.create(
        code="11137", name="UBND xã Phượng Kỳ", level="commune", parent=tree.district,
        path=f"{tree.district.path}11137/", depth=2,
    )  # fmt: skip
    response = admin_client.post(
        f"/admin/units/unit/{unit.pk}/change/",
        _unit_form(unit, successor=tree.cong_lac.pk, valid_to="2020-01-01"),
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    unit.refresh_from_db()
    assert unit.successor == tree.cong_lac and unit.valid_to == date(2020, 1, 1)
    records = ChangeRecord.objects.filter(object_type="units.unit", object_id=str(unit.pk))
    assert any(r.after.get("successor") == tree.cong_lac.pk for r in records)
    assert all(r.actor_name == "Quản trị" for r in records)


def test_moving_a_unit_in_the_admin_repaths_its_subtree(admin_client, tree):
    response = admin_client.post(
        f"/admin/units/unit/{tree.district.pk}/change/",
        _unit_form(tree.district, parent=""),
    )
    assert response.status_code == 302
    tree.tien_dong.refresh_from_db()
    assert tree.tien_dong.path == "/298/11143/"


def test_roles_granted_changed_and_revoked_are_recorded(admin_client, tree):
    officer = get_user_model().objects.create_user("canbo", password="x")
    response = admin_client.post(
        "/admin/units/membership/add/",
        {"user": officer.pk, "unit": tree.tien_dong.pk, "role": "desk_officer", "title": "", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    membership = Membership.objects.get(user=officer)
    response = admin_client.post(
        f"/admin/units/membership/{membership.pk}/change/", {"title": "Công chức", "active": ""}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.title == "Công chức" and not membership.active
    response = admin_client.post(
        f"/admin/units/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = list(
        ChangeRecord.objects.filter(object_type="units.membership", object_id=str(membership.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "updated", "deleted"]


def test_account_changes_are_recorded_without_the_password(admin_client):
    officer = get_user_model().objects.create_user("canbo2", password="mat-khau-cu-123")
    response = admin_client.post(
        f"/admin/auth/user/{officer.pk}/password/",
        {"password1": "Mat-Khau-Moi-2026!", "password2": "Mat-Khau-Moi-2026!", "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1000]
    # The admin's password page saves through the service: recorded, by whom, without the value.
    officer.refresh_from_db()
    assert officer.check_password("Mat-Khau-Moi-2026!")
    changed = ChangeRecord.objects.filter(object_type="auth.user", object_id=str(officer.pk)).get()
    assert changed.after["password"] == "đã đổi" and changed.actor.is_superuser
    assert "Mat-Khau-Moi" not in str(changed.before) + str(changed.after)
    page = admin_client.get(f"/admin/auth/user/{officer.pk}/change/").content.decode()
    assert "Lịch sử thay đổi" in page
    data = {
        "username": "canbo2", "first_name": "Nguyễn", "last_name": "Văn B", "email": "",
        "is_active": "", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
    }  # fmt: skip
    response = admin_client.post(f"/admin/auth/user/{officer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    officer.refresh_from_db()
    assert not officer.is_active
    record = ChangeRecord.objects.filter(object_type="auth.user", object_id=str(officer.pk)).latest(
        "pk"
    )
    assert record.after["is_active"] is False and record.before["is_active"] is True
    assert "pbkdf2" not in str(record.before) + str(record.after)
    assert "md5" not in str(record.before) + str(record.after)
