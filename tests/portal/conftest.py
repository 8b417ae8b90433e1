"""Portal fixtures: files with real signatures, and dossiers made through the real services."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.digitization.models import HeldDocument
from motcua.dossiers import services
from motcua.dossiers.services import Applicant, ReceivedComponent
from tests.conftest import handed_in
from tests.e2e.helpers import tiny_jpeg, tiny_pdf, tiny_png

PHONE = "0912345678"
ID_NUMBER = "001099012345"
PDF = tiny_pdf()
PNG = tiny_png()
JPEG = tiny_jpeg()
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def submit_online(*, unit, procedure, phone: str = PHONE, id_number: str = ID_NUMBER):
    return services.dossier_submit_online(
        unit=unit,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=Applicant(name="Nguyễn Thị Hoa", id_number=id_number, phone=phone),
        summary="Đăng ký khai sinh cho con",
    )


def processing(*, staff, tree, procedure):
    """An online dossier accepted by the desk and forwarded to the processor (state 4)."""
    dossier = submit_online(unit=tree.tien_dong, procedure=procedure)
    dossier = services.dossier_accept(actor=staff.desk, dossier=dossier)
    return services.dossier_forward(actor=staff.desk, dossier=dossier)


def supplement_requested(*, staff, tree, procedure, content="Thiếu giấy chứng sinh bản chính"):
    dossier = processing(staff=staff, tree=tree, procedure=procedure)
    return services.dossier_request_supplement(
        actor=staff.processor, dossier=dossier, content=content
    )


def returned(*, staff, tree, procedure):
    dossier = processing(staff=staff, tree=tree, procedure=procedure)
    dossier = services.dossier_forward(actor=staff.processor, dossier=dossier)
    dossier = services.dossier_resolve(
        actor=staff.leader, dossier=dossier, result_summary="Giấy khai sinh bản chính"
    )
    return services.dossier_return_result(actor=staff.desk, dossier=dossier)


def look_up(client, dossier, contact: str = PHONE):
    return client.post("/cong-dich-vu/tra-cuu/", {"code": dossier.code, "contact": contact})


# --- the citizen's document store, online ---------------------------------------------------------

RECORDED_PHONE = "0987654321"  # on the earlier dossier the desk took: where codes go
CERTIFICATE = tiny_pdf("Giay chung sinh")


@pytest.fixture
def held_certificate(staff, tree, birth_registration, django_capture_on_commit_callbacks):
    """An earlier dossier taken at the desk, with the phone on record; its scanned birth
    certificate is kept in the store for ID_NUMBER."""
    tp2 = birth_registration.components.get(code="TP2")
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            applicant=Applicant(
                name="Nguyễn Thị Hoa",
                id_number=ID_NUMBER,
                phone=RECORDED_PHONE,
                email="hoa.cu@example.vn",
            ),
            components=[
                ReceivedComponent(
                    "Giấy chứng sinh",
                    component=tp2,
                    file=ContentFile(CERTIFICATE, name="cs.pdf"),
                )
            ],
            missing_components_reason="Tờ khai nộp sau",
        )
    return HeldDocument.objects.get(owner_id_number=ID_NUMBER, component_code="TP2")


def code_sent_in(notification) -> str:
    """The six digits of a one-time code message (read before the worker sends and blanks it)."""
    return re.search(r"\b(\d{6})\b", notification.body).group(1)
