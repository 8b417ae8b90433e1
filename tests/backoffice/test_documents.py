"""Officers open the files stored with a dossier; files that came with a supplement are marked."""

import logging
import re

import pytest
from django.core.files.base import ContentFile

from motcua.dossiers import services
from motcua.dossiers.services import Applicant, ReceivedComponent
from tests.backoffice.factories import ID_NUMBER
from tests.e2e.helpers import tiny_pdf, tiny_png

pytestmark = pytest.mark.django_db

PDF = tiny_pdf()
PNG = tiny_png()


@pytest.fixture
def filed(staff, tree, birth_registration):
    """A dossier filed with a scan, asked for a supplement, supplemented with a second scan."""
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Nguyễn Văn An", id_number=ID_NUMBER),
        components=[
            ReceivedComponent(
                name="Tờ khai",
                component=birth_registration.components.get(code="TP1"),
                file=ContentFile(PDF, name="TP1.pdf"),
            ),
            ReceivedComponent(
                name="Giấy chứng sinh", component=birth_registration.components.get(code="TP2")
            ),
        ],
    )
    services.dossier_request_supplement(
        actor=staff.desk, dossier=dossier, content="Thiếu giấy chứng sinh"
    )
    dossier = services.dossier_receive_supplement(
        actor=staff.desk,
        dossier=dossier,
        components=[ReceivedComponent(name="Giấy chứng sinh", file=ContentFile(PNG, name="x.png"))],
    )
    first, without_file, supplement = dossier.documents.order_by("pk")
    return dossier, first, without_file, supplement


def url(dossier, document) -> str:
    return f"/ho-so/{dossier.code}/giay-to/{document.pk}/"


def document_items(html: str) -> list[str]:
    section = html[html.index('id="documents-heading"') :]
    return re.findall(r"<li>(.*?)</li>", section, re.S)


def test_the_dossier_page_links_each_stored_file_and_marks_the_supplement(client, staff, filed):
    dossier, first, _without_file, supplement = filed
    client.force_login(staff.processor)
    items = document_items(client.get(f"/ho-so/{dossier.code}/").content.decode())
    assert len(items) == 3
    assert f'href="{url(dossier, first)}"' in items[0] and "Bổ sung" not in items[0]
    assert "href=" not in items[1]  # nothing stored: nothing to open
    assert f'href="{url(dossier, supplement)}"' in items[2] and "Bổ sung" in items[2]
    assert "nộp bổ sung ngày" in items[2]


def test_an_officer_who_may_see_the_dossier_opens_the_file(client, staff, filed, caplog):
    dossier, first, _without_file, supplement = filed
    caplog.set_level(logging.INFO, logger="motcua.audit")
    client.force_login(staff.processor)
    response = client.get(url(dossier, first))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{dossier.code}-{first.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    response = client.get(url(dossier, supplement))
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    logged = [r.getMessage() for r in caplog.records if r.name == "motcua.audit"]
    assert (
        f"action=view_document user_id={staff.processor.pk} dossier={dossier.code} "
        f"document={first.pk}" in logged
    )
    # Who, which dossier, which document — never the contents, the name or the ID number.
    assert (
        "Tờ khai" not in caplog.text and ID_NUMBER not in caplog.text and "PDF" not in caplog.text
    )


def test_a_file_of_unknown_type_is_a_download_never_a_page(client, staff, filed):
    dossier, first, _without_file, _supplement = filed
    first.file.save("trang.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    client.force_login(staff.processor)
    response = client.get(url(dossier, first))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_officer_of_another_unit_is_refused_and_the_refusal_logged(client, staff, filed, caplog):
    dossier, first, _without_file, _supplement = filed
    caplog.set_level(logging.INFO, logger="motcua.audit")
    client.force_login(staff.other_processor)
    response = client.get(url(dossier, first))
    assert response.status_code == 403
    assert "Bạn không có quyền xem hồ sơ này." in response.content.decode()
    assert "action=view_denied" in caplog.text and "view_document" not in caplog.text


def test_documents_are_found_only_within_their_dossier(client, staff, filed, dossiers):
    dossier, first, without_file, _supplement = filed
    client.force_login(staff.processor)
    # Another dossier's code with this document's id, a document without a file, no such id.
    for path in (
        f"/ho-so/{dossiers.soon.code}/giay-to/{first.pk}/",
        url(dossier, without_file),
        f"/ho-so/{dossier.code}/giay-to/999999/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Không tìm thấy tệp đính kèm này trong hồ sơ." in response.content.decode()
    assert client.get(f"/ho-so/{dossier.code}/giay-to/..%2F..%2Fetc%2Fpasswd/").status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_a_500(client, staff, filed):
    dossier, first, _without_file, _supplement = filed
    first.file.storage.delete(first.file.name)
    client.force_login(staff.processor)
    assert client.get(url(dossier, first)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, filed):
    dossier, first, _without_file, _supplement = filed
    response = client.get(url(dossier, first))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
