"""A small hand-computed data set for March 2024 (no holidays between 28/2 and 31/3/2024).

UBND xã Tiên Động (all birth registration — commune, fully online, 8 000 đ fee, paper result — unless
said otherwise; time limit 1 working day):
  D1 direct 04/03 08:00, digitized; resolved 04/03 10:00 (early)            fee, paid at the desk
  D2 online, accepted 05/03 08:00, digitized; paid online; resolved 08/03 with an electronic
     result (late)
  D3 direct 06/03 08:00, data reused, not digitized; still open (overdue)
  D4 direct 29/03 16:00; still open, due 01/04 16:00 (within deadline)
  D5 certified copy (no fee, electronic result) direct 11/03 08:00, digitized; resolved 11/03
  D6 direct 29/02 15:00 (carried over); resolved 01/03 09:00 (on time: the due day itself)
UBND xã Cộng Lạc:
  C1 online, accepted 04/03 08:00, digitized; paid online; resolved 04/03 10:00 with an
     electronic result (early)
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from motcua.catalog.models import Publication
from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local, make_user

MARCH = (date(2024, 3, 1), date(2024, 3, 31))
ALL_PARTS = list(Publication.CONTENT_PARTS)


def receive(staff, unit, procedure, at, *, digitized=False, reused=False, desk=None):
    return services.dossier_receive(
        actor=desk or staff.desk,
        unit=unit,
        procedure=procedure,
        applicant=Applicant(name="Nguyễn Văn A"),
        components=handed_in(procedure, digitized=digitized, reused=reused, otherwise="Tờ khai"),
        at=at,
    )


def receive_online(staff, unit, procedure, at, *, digitized=False, desk=None):
    dossier = services.dossier_submit_online(
        unit=unit,
        procedure=procedure,
        applicant=Applicant(name="Trần Thị B"),
        components=handed_in(procedure, digitized=digitized, otherwise="Tờ khai"),
        at=at - timedelta(hours=12),
    )
    return services.dossier_accept(actor=desk or staff.desk, dossier=dossier, at=at)


def resolve(staff, dossier, at, *, electronic=False, team=None):
    """Desk → processor → leader, the leader signing at `at`."""
    desk, processor, leader = team or (staff.desk, staff.processor, staff.leader)
    dossier = services.dossier_forward(actor=desk, dossier=dossier, at=at - timedelta(minutes=2))
    dossier = services.dossier_forward(
        actor=processor, dossier=dossier, at=at - timedelta(minutes=1)
    )
    return services.dossier_resolve(
        actor=leader,
        dossier=dossier,
        result_summary="Giấy khai sinh",
        electronic=electronic,
        at=at,
    )


@pytest.fixture
def catalogue(tree, birth_registration):
    certified_copy, _ = procedure_upsert(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=1,
        online_level="partial",
        result_kind="electronic",
    )
    unused_fee, _ = procedure_upsert(
        code="1.000894",
        name="Đăng ký kết hôn",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=3,
        fees=[{"name": "Lệ phí", "amount": 10000}],
    )
    district_fee, _ = procedure_upsert(
        code="1.001766",
        name="Cấp bản sao trích lục hộ tịch",
        field_name="Hộ tịch",
        level="district",
        time_limit_value=1,
        fees=[{"name": "Lệ phí", "amount": 5000}],
    )
    assigned_elsewhere, _ = procedure_upsert(
        code="1.003583",
        name="Thủ tục chỉ giao cho xã Cộng Lạc",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        fees=[{"name": "Phí", "amount": 2000}],
    )
    assigned_elsewhere.units.set([tree.cong_lac])
    return SimpleNamespace(
        birth=birth_registration,
        certified_copy=certified_copy,
        unused_fee=unused_fee,
        district_fee=district_fee,
        assigned_elsewhere=assigned_elsewhere,
    )


@pytest.fixture
def march(tree, staff, catalogue):
    birth, copy = catalogue.birth, catalogue.certified_copy
    d6 = receive(staff, tree.tien_dong, birth, local(2024, 2, 29, 15, 0))
    d6 = resolve(staff, d6, local(2024, 3, 1, 9, 0))
    d1 = receive(staff, tree.tien_dong, birth, local(2024, 3, 4, 8, 0), digitized=True)
    services.dossier_record_payment(
        actor=staff.desk, dossier=d1, amount=8000, online=False, at=local(2024, 3, 4, 8, 5)
    )
    d1 = resolve(staff, d1, local(2024, 3, 4, 10, 0))
    d2 = receive_online(staff, tree.tien_dong, birth, local(2024, 3, 5, 8, 0), digitized=True)
    services.dossier_record_payment(
        actor=None,
        dossier=d2,
        amount=8000,
        online=True,
        reference="PAY-D2",
        at=local(2024, 3, 5, 8, 5),
    )
    d2 = resolve(staff, d2, local(2024, 3, 8, 9, 0), electronic=True)
    d3 = receive(staff, tree.tien_dong, birth, local(2024, 3, 6, 8, 0), reused=True)
    d4 = receive(staff, tree.tien_dong, birth, local(2024, 3, 29, 16, 0))
    d5 = receive(staff, tree.tien_dong, copy, local(2024, 3, 11, 8, 0), digitized=True)
    d5 = resolve(staff, d5, local(2024, 3, 11, 10, 0), electronic=True)
    c1 = receive_online(
        staff, tree.cong_lac, birth, local(2024, 3, 4, 8, 0), digitized=True, desk=staff.other_desk
    )
    services.dossier_record_payment(
        actor=None,
        dossier=c1,
        amount=8000,
        online=True,
        reference="PAY-C1",
        at=local(2024, 3, 4, 8, 5),
    )
    cong_lac_leader = make_user("lanhdao.conglac", unit=tree.cong_lac, role="leader")
    c1 = resolve(
        staff,
        c1,
        local(2024, 3, 4, 10, 0),
        electronic=True,
        team=(staff.other_desk, staff.other_processor, cong_lac_leader),
    )

    # Publications: P1 on time on every count; P2 late on every count; P3 outside the period;
    # P4 of a district procedure (not offered by the commune).
    Publication.objects.create(
        procedure=birth,
        decision_number="P1",
        decision_date=date(2024, 3, 1),
        effective_date=date(2024, 3, 8),  # 1, 4, 5, 6, 7 March: 5 working days ahead
        made_public_date=date(2024, 3, 8),  # 4–8 March: the 5th working day after
        content_parts=ALL_PARTS,
    )
    Publication.objects.create(
        procedure=birth,
        decision_number="P2",
        decision_date=date(2024, 3, 11),
        effective_date=date(2024, 3, 15),  # 4 working days ahead
        made_public_date=date(2024, 3, 19),  # the 6th working day after
        content_parts=ALL_PARTS[:5],
    )
    Publication.objects.create(
        procedure=birth,
        decision_number="P3",
        decision_date=date(2024, 2, 20),
        effective_date=date(2024, 3, 1),
        content_parts=ALL_PARTS,
    )
    Publication.objects.create(
        procedure=catalogue.district_fee,
        decision_number="P4",
        decision_date=date(2024, 3, 4),
        effective_date=date(2024, 3, 5),
    )
    return SimpleNamespace(d1=d1, d2=d2, d3=d3, d4=d4, d5=d5, d6=d6, c1=c1)
