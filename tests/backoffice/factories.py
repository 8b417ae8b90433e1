"""Dossiers for the officer pages and the selectors, made through the real services."""

from types import SimpleNamespace

from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local

ID_NUMBER = "001099012345"


def land_procedure():
    procedure, _ = procedure_upsert(
        code="1.000001",
        name="Chứng thực bản sao từ bản chính",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=5,
    )
    return procedure


def inbox_dossiers(*, staff, tree, birth_registration):
    """Tiên Động holds: one overdue (received 2024), one running due soon, one running due later,
    one paused for a supplement; Cộng Lạc holds one of its own."""
    land = land_procedure()
    overdue = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Nguyễn Văn An", id_number=ID_NUMBER),
        components=handed_in(birth_registration, digitized=True),
        at=local(2024, 3, 4, 8, 0),
    )
    soon = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Trần Thị Bình", id_number="001188000111"),
    )
    later = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=land,
        components=handed_in(land),
        applicant=Applicant(name="Lê Văn Cường"),
    )
    paused = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Phạm Thị Dung"),
    )
    paused = services.dossier_request_supplement(
        actor=staff.desk, dossier=paused, content="Thiếu giấy chứng sinh bản chính"
    )
    other = services.dossier_receive(
        actor=staff.other_desk,
        unit=tree.cong_lac,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Hoàng Văn Em", id_number="001077000222"),
    )
    return SimpleNamespace(overdue=overdue, soon=soon, later=later, paused=paused, other=other)
