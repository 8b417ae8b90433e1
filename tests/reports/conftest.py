"""Report fixtures: more communes (six must miss a target), staff acting across the district, and a
few procedures in several fields and levels — all through the real services."""

from datetime import datetime
from types import SimpleNamespace

import pytest

from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from motcua.units.services import unit_upsert
from tests.conftest import handed_in, make_user

EXTRA_COMMUNES = {
    "tay_ky": ("11107", "UBND xã Tây Kỳ"),
    "dan_chu": ("11110", "UBND xã Dân Chủ"),
    "minh_duc": ("11128", "UBND xã Minh Đức"),
    "van_to": ("11131", "UBND xã Văn Tố"),
    "ha_ky": ("11149", "UBND xã Hà Kỳ"),
}


@pytest.fixture
def communes(tree):
    made = {
        key: unit_upsert(code=code, name=name, level="commune", parent=tree.district)[0]
        for key, (code, name) in EXTRA_COMMUNES.items()
    }
    return SimpleNamespace(tien_dong=tree.tien_dong, cong_lac=tree.cong_lac, **made)


@pytest.fixture
def crew(tree):
    """Desk, processor and leader of the district: a role reaches the whole subtree."""
    return SimpleNamespace(
        desk=make_user("tn.huyen", unit=tree.district, role=Role.DESK_OFFICER),
        processor=make_user("cv.huyen", unit=tree.district, role=Role.PROCESSOR),
        leader=make_user("ld.huyen", unit=tree.district, role=Role.LEADER),
    )


@pytest.fixture
def procedures(birth_registration):
    certification, _ = procedure_upsert(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=1,
    )
    extract, _ = procedure_upsert(
        code="2.000635",
        name="Cấp bản sao trích lục hộ tịch",
        field_name="Hộ tịch",
        level="district",
        time_limit_value=1,
    )
    land, _ = procedure_upsert(
        code="1.003003",
        name="Đăng ký đất đai lần đầu",
        field_name="Đất đai",
        level="district",
        time_limit_value=30,
    )
    return SimpleNamespace(
        birth=birth_registration, certification=certification, extract=extract, land=land
    )


def receive(crew, unit, procedure, at: datetime, *, digitized: bool = False, online: bool = False):
    components = handed_in(procedure, digitized=digitized, otherwise="Tờ khai")
    if online:
        dossier = services.dossier_submit_online(
            unit=unit,
            procedure=procedure,
            applicant=Applicant(name="Nguyễn Văn A"),
            components=components,
            at=at,
        )
        return services.dossier_accept(actor=crew.desk, dossier=dossier, at=at)
    return services.dossier_receive(
        actor=crew.desk,
        unit=unit,
        procedure=procedure,
        applicant=Applicant(name="Trần Thị B"),
        components=components,
        at=at,
    )


def resolve(crew, dossier, at: datetime):
    """Desk → processor → leader, who signs the result at `at` (hand-overs just after receipt)."""
    received = dossier.received_at
    dossier = services.dossier_forward(actor=crew.desk, dossier=dossier, at=received)
    dossier = services.dossier_forward(actor=crew.processor, dossier=dossier, at=received)
    return services.dossier_resolve(actor=crew.leader, dossier=dossier, result_summary="KQ", at=at)


def pay_online(dossier, at: datetime):
    return services.dossier_record_payment(
        actor=None, dossier=dossier, amount=8000, online=True, reference=f"TT-{dossier.pk}", at=at
    )
