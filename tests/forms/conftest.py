"""Dossiers in every shape the official forms print from, made through the real services."""

from types import SimpleNamespace

import pytest

from motcua.dossiers import services
from motcua.dossiers.services import Applicant, ReceivedComponent
from tests.conftest import handed_in, local

ID_NUMBER = "001099012345"


def receive(*, staff, tree, procedure, name="Nguyễn Văn An", at=None):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        applicant=Applicant(
            name=name,
            id_number=ID_NUMBER,
            phone="0912345678",
            address="Thôn Đông, xã Tiên Động",
        ),
        summary="Đăng ký khai sinh cho con thứ hai",
        components=[
            ReceivedComponent(
                name="Tờ khai đăng ký khai sinh",
                component=procedure.components.get(code="TP1"),
                digitized=True,
            ),
            ReceivedComponent(
                name="Giấy chứng sinh",
                component=procedure.components.get(code="TP2"),
                digitized=False,
            ),
        ],
        at=at or local(2024, 3, 4, 8, 0),
    )


@pytest.fixture
def shapes(staff, tree, birth_registration):
    """received: just received and paid at the desk. full: forwarded, supplemented, apologised,
    approved, returned. stopped, rejected: ended early. not_accepted: an online filing refused."""
    s = services
    received = receive(staff=staff, tree=tree, procedure=birth_registration)
    received = s.dossier_record_payment(
        actor=staff.desk, dossier=received, amount=8000, online=False, at=local(2024, 3, 4, 8, 5)
    )

    full = receive(staff=staff, tree=tree, procedure=birth_registration, name="Trần Thị Bình")
    s.dossier_forward(actor=staff.desk, dossier=full, at=local(2024, 3, 4, 9, 0))
    s.dossier_request_supplement(
        actor=staff.processor,
        dossier=full,
        content="Bổ sung bản chính Giấy chứng sinh do bệnh viện cấp.",
        at=local(2024, 3, 4, 10, 0),
    )
    s.dossier_receive_supplement(actor=staff.desk, dossier=full, at=local(2024, 3, 6, 8, 0))
    s.dossier_apologise(
        actor=staff.processor,
        dossier=full,
        new_due_at=local(2024, 3, 8, 16, 0),
        reason="Cần xác minh thông tin nơi sinh với bệnh viện huyện.",
        at=local(2024, 3, 6, 9, 0),
    )
    s.dossier_forward(actor=staff.processor, dossier=full, at=local(2024, 3, 7, 9, 0))
    s.dossier_resolve(
        actor=staff.leader,
        dossier=full,
        result_summary="Giấy khai sinh bản chính",
        at=local(2024, 3, 7, 10, 0),
    )
    full = s.dossier_return_result(actor=staff.desk, dossier=full, at=local(2024, 3, 7, 14, 0))

    stopped = receive(staff=staff, tree=tree, procedure=birth_registration, name="Lê Văn Cường")
    s.dossier_forward(actor=staff.desk, dossier=stopped, at=local(2024, 3, 4, 9, 0))
    s.dossier_request_supplement(
        actor=staff.processor,
        dossier=stopped,
        content="Bổ sung giấy chứng sinh.",
        at=local(2024, 3, 4, 10, 0),
    )
    stopped = s.dossier_stop(
        actor=staff.processor,
        dossier=stopped,
        reason="Quá thời hạn bổ sung mà công dân không bổ sung hồ sơ.",
        at=local(2024, 4, 4, 10, 0),
    )

    rejected = receive(staff=staff, tree=tree, procedure=birth_registration, name="Phạm Thị Dung")
    s.dossier_forward(actor=staff.desk, dossier=rejected, at=local(2024, 3, 4, 9, 0))
    s.dossier_forward(actor=staff.processor, dossier=rejected, at=local(2024, 3, 4, 10, 0))
    rejected = s.dossier_reject(
        actor=staff.leader,
        dossier=rejected,
        reason="Việc khai sinh đã được đăng ký tại nơi khác.",
        at=local(2024, 3, 4, 11, 0),
    )

    online = s.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Hoàng Văn Em", id_number="001077000222"),
        at=local(2024, 3, 4, 7, 0),
    )
    not_accepted = s.dossier_not_accept(
        actor=staff.desk,
        dossier=online,
        reason="Tờ khai không có chữ ký của người đi đăng ký.",
        at=local(2024, 3, 4, 8, 30),
    )
    return SimpleNamespace(
        received=received,
        full=full,
        stopped=stopped,
        rejected=rejected,
        not_accepted=not_accepted,
    )
