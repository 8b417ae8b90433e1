"""The admin is a door like the others: its saves go through the services, every change is
recorded (who, when, before and after) and shown on the object's page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.catalog.models import Procedure
from motcua.catalog.services import procedure_upsert
from motcua.core.models import ChangeRecord
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.indicators.models import RollupCounter
from tests.conftest import handed_in


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser(
        "quantri", password="mat-khau-thu-nghiem", first_name="Quản trị"
    )
    client = Client()
    client.force_login(user)
    return client


def _inlines(**rows) -> dict:
    """Management forms of the procedure page's inlines; `rows` adds rows to one of them."""
    data = {}
    for prefix in ("components", "fees", "process_steps", "publications"):
        given = rows.get(prefix, [])
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(given)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for i, row in enumerate(given):
            data |= {f"{prefix}-{i}-{name}": value for name, value in row.items()}
    return data


def _procedure_form(procedure: Procedure, **changes) -> dict:
    values = {
        "code": procedure.code,
        "national_code": procedure.national_code,
        "name": procedure.name,
        "field": procedure.field_id,
        "level": procedure.level,
        "online_level": procedure.online_level,
        "time_limit_value": str(procedure.time_limit_value),
        "time_limit_unit": procedure.time_limit_unit,
        "result_kind": procedure.result_kind,
        "result_name": procedure.result_name,
        "legal_basis": procedure.legal_basis,
        "where_to_file": "",
        "steps_description": "",
        "applicant_requirements": "",
        "active": "on",
    }
    return {**values, **changes}


def test_a_time_limit_edited_in_the_admin_is_recorded_and_shown(admin_client, birth_registration):
    url = f"/admin/catalog/procedure/{birth_registration.pk}/change/"
    data = _procedure_form(birth_registration, time_limit_value="3") | _inlines(
        components=[{"code": "TP1", "name": "Tờ khai đăng ký khai sinh", "required": "on",
                     "must_digitize": "on", "copies": "01 bản chính"}],
        fees=[{"code": "", "name": "Lệ phí đăng ký khai sinh", "amount": "8000"}],
    )  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    birth_registration.refresh_from_db()
    assert birth_registration.time_limit_value == 3
    assert list(birth_registration.components.values_list("code", flat=True)) == ["TP1"]
    record = ChangeRecord.objects.filter(object_type="catalog.procedure").latest("pk")
    assert record.actor_name == "Quản trị"
    assert record.before["time_limit_value"] == "1" and record.after["time_limit_value"] == "3"
    assert [c["code"] for c in record.before["components"]] == ["TP1", "TP2"]
    assert [c["code"] for c in record.after["components"]] == ["TP1"]
    page = admin_client.get(url).content.decode()
    assert "Lịch sử thay đổi" in page and "Quản trị" in page


def test_process_steps_must_spend_the_time_limit_on_the_admin_page(
    admin_client, birth_registration
):
    url = f"/admin/catalog/procedure/{birth_registration.pk}/change/"
    data = _procedure_form(birth_registration) | _inlines(
        process_steps=[{"name": "Thẩm định", "role": "processor", "working_hours": "5"}]
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the service's reason
    assert "phải bằng thời hạn giải quyết" in response.content.decode()
    assert not birth_registration.process_steps.exists()
    assert not ChangeRecord.objects.filter(object_type="catalog.procedure", actor__isnull=False)


def test_the_admin_reclassifies_the_rollups_through_the_service(
    admin_client, staff, tree, birth_registration
):
    services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="A"),
    )
    data = _procedure_form(birth_registration, online_level="partial") | _inlines()
    response = admin_client.post(f"/admin/catalog/procedure/{birth_registration.pk}/change/", data)
    assert response.status_code == 302
    levels = set(
        RollupCounter.objects.filter(received__gt=0).values_list("online_level", flat=True)
    )
    assert levels == {"partial"}


def test_a_new_procedure_from_the_admin(admin_client, birth_registration):
    data = _procedure_form(birth_registration, code="1.000894", name="Đăng ký kết hôn") | _inlines(
        fees=[{"code": "", "name": "Lệ phí", "amount": "0"}]
    )
    response = admin_client.post("/admin/catalog/procedure/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Procedure.objects.get(code="1.000894")
    assert created.fees.count() == 1
    actions = list(
        ChangeRecord.objects.filter(object_id=str(created.pk), object_type="catalog.procedure")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[0] == "created"


def test_services_record_changes_from_every_door(birth_registration):
    procedure_upsert(
        code="1.001193", name="Đăng ký khai sinh", field_name="Hộ tịch", level="commune",
        time_limit_value=1, online_level="full",
    )  # fmt: skip
    # Nothing changed: nothing recorded beyond the creation.
    mine = ChangeRecord.objects.filter(
        object_type="catalog.procedure", object_id=str(birth_registration.pk)
    )
    assert mine.count() == 1
    record = mine.get()
    assert record.action == "created" and record.actor_name == "Hệ thống"
    with pytest.raises(ValueError):
        record.delete()
