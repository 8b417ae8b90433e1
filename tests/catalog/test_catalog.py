import pytest

from motcua.catalog.selectors import procedure_search, procedures_received_by
from motcua.catalog.services import procedure_upsert
from motcua.core.errors import ValidationFailed
from motcua.core.text import fold
from motcua.units.models import Role


def test_fold_ignores_diacritics_and_case():
    assert fold("  Nguyễn   Văn ĐÔNG ") == "nguyen van dong"
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"


def test_search_without_diacritics(birth_registration):
    procedure_upsert(
        code="1.000894",
        name="Đăng ký kết hôn",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
    )
    assert list(procedure_search(query="dang ky khai sinh")) == [birth_registration]
    assert {p.code for p in procedure_search(query="DANG KY")} == {"1.001193", "1.000894"}
    assert list(procedure_search(query="1.001193")) == [birth_registration]
    assert list(procedure_search(query="ho tich ket hon"))[0].code == "1.000894"
    assert list(procedure_search(query="khong co thu tuc nay")) == []


def test_process_template_must_add_up_to_the_time_limit(db):
    with pytest.raises(ValidationFailed) as error:
        procedure_upsert(
            code="2.000815",
            name="Chứng thực bản sao từ bản chính",
            field_name="Chứng thực",
            level="commune",
            time_limit_value=4,
            time_limit_unit="working_hours",
            steps=[{"name": "Tiếp nhận", "role": Role.DESK_OFFICER, "working_hours": 1}],
        )
    assert error.value.code == "process_steps_time_mismatch"
    assert "phải bằng thời hạn" in error.value.message
    procedure, created = procedure_upsert(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=4,
        time_limit_unit="working_hours",
        fees=[{"name": "Phí chứng thực", "amount": 2000}],
        steps=[
            {"name": "Tiếp nhận", "role": Role.DESK_OFFICER, "working_hours": 1},
            {"name": "Chứng thực", "role": Role.LEADER, "working_hours": 3},
        ],
    )
    assert created and procedure.process_steps.count() == 2 and procedure.total_fee == 2000
    assert procedure.time_limit_display == "4 giờ làm việc"


def test_procedures_received_by_level_or_explicit_units(tree, birth_registration):
    district_procedure, _ = procedure_upsert(
        code="2.000046",
        name="Đăng ký hộ kinh doanh",
        field_name="Thành lập và hoạt động của hộ kinh doanh",
        level="district",
        time_limit_value=3,
    )
    assert list(procedures_received_by(unit=tree.tien_dong)) == [birth_registration]
    assert list(procedures_received_by(unit=tree.district)) == [district_procedure]
    birth_registration.units.add(tree.cong_lac)
    assert list(procedures_received_by(unit=tree.tien_dong)) == []
    assert list(procedures_received_by(unit=tree.cong_lac)) == [birth_registration]


def test_resaving_a_procedure_keeps_component_identity(birth_registration):
    first = birth_registration.components.get(code="TP1")
    procedure_upsert(
        code="1.001193",
        name="Đăng ký khai sinh",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        components=[
            {"code": "TP1", "name": "Tờ khai (mẫu mới)"},
            {"code": "TP3", "name": "Giấy tờ khác"},
        ],
        steps=[],
    )
    assert birth_registration.components.get(code="TP1").pk == first.pk
    assert birth_registration.components.get(code="TP1").name == "Tờ khai (mẫu mới)"
    assert set(birth_registration.components.values_list("code", flat=True)) == {"TP1", "TP3"}
