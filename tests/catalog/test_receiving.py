"""Who resolves and who receives which procedures: one rule each (catalog.selectors), and every
door agrees — the desk's list and intake page, the portal's list of where to file, and the intake
services."""

from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from motcua.catalog.selectors import (
    procedure_is_handled_by,
    procedure_is_received_by,
    procedure_is_resolved_by,
    procedures_received_by,
    units_receiving,
    units_resolving,
)
from motcua.catalog.services import filing_anywhere_set, procedure_upsert
from motcua.core.errors import ValidationFailed
from motcua.desk.selectors import desk_procedures
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from motcua.units.services import unit_merge, unit_upsert
from tests.conftest import handed_in, make_user


@pytest.fixture
def places(tree):
    """The test tree plus the kinds of unit the rule treats apart: a provincial department, a
    provincial centre, a district's one-stop desk, and a commune merged away."""
    department, _ = unit_upsert(
        code="30-STP", name="Sở Tư pháp tỉnh Hải Dương", level="department", parent=tree.province
    )
    centre, _ = unit_upsert(
        code="30-TTHCC",
        name="Trung tâm Phục vụ hành chính công tỉnh",
        level="centre",
        parent=tree.province,
    )
    desk, _ = unit_upsert(
        code="298-MC", name="Bộ phận Một cửa huyện Tứ Kỳ", level="centre", parent=tree.district
    )
    merged, _ = unit_upsert(
        code="11137", name="UBND xã Phượng Kỳ", level="commune", parent=tree.district
    )
    unit_merge(unit=merged, successor=tree.cong_lac, on=date(2020, 1, 1))
    return [
        tree.province,
        department,
        centre,
        tree.district,
        tree.justice,
        desk,
        tree.tien_dong,
        tree.cong_lac,
        merged,
    ]


@pytest.fixture
def procedures(birth_registration, tree):
    district, _ = procedure_upsert(
        code="2.000046",
        name="Đăng ký hộ kinh doanh",
        field_name="Hộ kinh doanh",
        level="district",
        time_limit_value=3,
    )
    province, _ = procedure_upsert(
        code="2.001023",
        name="Cấp phiếu lý lịch tư pháp",
        field_name="Lý lịch tư pháp",
        level="province",
        time_limit_value=10,
    )
    listed, _ = procedure_upsert(
        code="1.004227", name="Đăng ký kết hôn có yếu tố nước ngoài", field_name="Hộ tịch",
        level="commune", time_limit_value=5,
    )  # fmt: skip
    listed.units.add(tree.cong_lac)
    retired, _ = procedure_upsert(
        code="1.000001", name="Thủ tục đã bãi bỏ", field_name="Hộ tịch",
        level="commune", time_limit_value=1,
    )  # fmt: skip
    retired.active = False
    retired.save()
    return [birth_registration, district, province, listed, retired]


@pytest.fixture
def filed_anywhere(tree, birth_registration):
    """The province lets citizens file birth registration at any of its centres."""
    return filing_anywhere_set(
        province=tree.province,
        procedure=birth_registration,
        decision_number="2095/QĐ-UBND",
        decision_date=date(2025, 10, 31),
        valid_from=date(2025, 11, 1),
    )


def test_the_rule_and_its_queries_agree(places, procedures, filed_anywhere):
    received = {}
    for unit in places:
        offered = set(procedures_received_by(unit=unit))
        for procedure in procedures:
            by_rule = procedure_is_received_by(procedure=procedure, unit=unit)
            assert by_rule == (procedure in offered), (unit.name, procedure.name)
            assert by_rule == units_receiving(procedure=procedure).filter(pk=unit.pk).exists()
            resolves = procedure_is_resolved_by(procedure=procedure, unit=unit)
            in_list = units_resolving(procedure=procedure).filter(pk=unit.pk).exists()
            assert in_list == (resolves and procedure.active and unit.code != "11137")
            received[(unit.code, procedure.code)] = by_rule
    # What the rules say, in the cases they name. Centres: their government's procedures, and
    # those the province lists as filed anywhere — not every procedure.
    assert received[("30-TTHCC", "2.001023")] and not received[("30-TTHCC", "2.000046")]
    assert received[("298-MC", "2.000046")] and not received[("298-MC", "1.004227")]
    assert received[("30-TTHCC", "1.001193")] and received[("298-MC", "1.001193")]  # the list
    assert not received[("30-STP", "1.001193")]  # the list is for centres, not departments
    assert received[("30-STP", "2.001023")] and not received[("30-STP", "2.000046")]
    assert received[("298-TP", "2.000046")] and not received[("298-TP", "2.001023")]
    assert received[("11143", "1.001193")] and not received[("11143", "1.004227")]
    assert received[("11140", "1.004227")]
    assert not any(received[(unit.code, "1.000001")] for unit in places)  # not active
    assert not any(received[("11137", p.code)] for p in procedures)  # merged away


def test_desk_portal_and_service_agree(places, procedures, filed_anywhere, client, tree):
    officer = make_user("tiepnhan.tinh", unit=places[0], role=Role.DESK_OFFICER)
    desk = Client()
    desk.force_login(officer)
    for procedure in procedures:
        portal = client.get(f"/cong-dich-vu/thu-tuc/{procedure.code}/")
        for unit in places:
            expected = procedure_is_received_by(procedure=procedure, unit=unit)
            listed = procedure in desk_procedures(unit=unit, query=procedure.code)
            intake = desk.get(f"/tiep-nhan/{unit.code}/{procedure.code}/")
            assert listed == expected, (unit.name, procedure.name)
            assert intake.status_code == (200 if expected else 404), (unit.name, procedure.name)
            if procedure.active:
                resolves = procedure_is_resolved_by(procedure=procedure, unit=unit)
                current = unit.code != "11137"
                assert (unit.name in portal.content.decode()) == (resolves and current), unit.name
            # Received for another agency: the desk names the one the dossier is filed with.
            handled = procedure_is_handled_by(procedure=procedure, unit=unit)
            try:
                with transaction.atomic():
                    services.dossier_receive(
                        actor=officer,
                        unit=unit,
                        procedure=procedure,
                        components=handed_in(procedure),
                        applicant=Applicant(name="Phạm Văn Long"),
                        processing_unit=None if handled else tree.tien_dong,
                    )
                    transaction.set_rollback(True)
                accepted = True
            except ValidationFailed as error:
                assert error.code in {"procedure_not_offered", "procedure_inactive"}
                accepted = False
            assert accepted == expected, (unit.name, procedure.name)


def test_whether_a_unit_handles_a_procedure_is_asked_once_per_instance(
    tree, birth_registration, django_assert_num_queries
):
    from motcua.catalog.models import Procedure

    procedure = Procedure.objects.get(pk=birth_registration.pk)
    for unit in (tree.tien_dong, tree.district):
        answer = procedure_is_handled_by(procedure=procedure, unit=unit)
        with django_assert_num_queries(0):
            assert procedure_is_handled_by(procedure=procedure, unit=unit) == answer
        # A fresh instance asks again, and gets the same answer.
        fresh = Procedure.objects.get(pk=birth_registration.pk)
        assert procedure_is_handled_by(procedure=fresh, unit=unit) == answer
