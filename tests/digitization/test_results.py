"""The leader's approval issues the electronic result: rendered with the QR code and the visible
signature block, signed with the approving unit's certificate, stored with the dossier, and the
dossier's facts set through the event. Checked on the real PDF: pyHanko's verification, Poppler's
text extraction and zbar's reading of the QR code."""

import hashlib
import shutil
import subprocess

import pytest

from motcua.core.errors import DomainError, PermissionDenied
from motcua.digitization.selectors import result_check_key_valid
from motcua.digitization.services import demo_signing_certificates_ensure, result_pdf_verify
from motcua.dossiers import services
from motcua.dossiers.models import DossierDocument
from tests.portal.conftest import processing

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_leader(staff, tree, birth_registration):
    dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    return services.dossier_forward(actor=staff.processor, dossier=dossier)


@pytest.fixture
def certificates(tree):
    return demo_signing_certificates_ensure(
        units=[(tree.tien_dong.code, tree.tien_dong.name)], default_unit=tree.tien_dong.code
    )


def approve(staff, dossier, *, electronic=True, actor=None):
    return services.dossier_perform(
        actor=actor or staff.leader,
        dossier=dossier,
        slug="resolve",
        expected_version=dossier.last_event_seq,
        inputs={"result_summary": "Cấp Giấy khai sinh bản chính", "electronic": electronic},
    )


def test_approval_signs_and_stores_the_result(staff, at_leader, certificates, tmp_path):
    dossier = approve(staff, at_leader)
    dossier.refresh_from_db()
    assert dossier.state == 9 and dossier.result_electronic and dossier.has_result_file
    document = dossier.documents.get(kind=DossierDocument.Kind.RESULT)
    content = document.file.read()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.page_count == 1 and document.digitized_by == staff.leader

    verdict = result_pdf_verify(pdf=content)
    assert verdict.valid and verdict.code == "valid"
    assert verdict.dossier_code == dossier.code
    assert verdict.unit_code == "11143" and verdict.signer == "lanhdao.tiendong"

    event = dossier.events.get(kind="resolved")
    assert event.payload["result_file"] == document.file.name
    assert event.payload["result_document_code"] == f"KQ.{dossier.code}"
    assert event.payload["result_sha256"] == document.sha256
    assert event.payload["set"]["has_result_file"] is True

    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(content)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        # Vietnamese text is real text in the page (searchable), the signature block too.
        assert "Cấp Giấy khai sinh bản chính" in text and dossier.code in text
        assert "ĐÃ KÝ SỐ" in text.upper() and "chứng thư số thử nghiệm tự ký" in text
    if shutil.which("pdftoppm") and shutil.which("zbarimg"):
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", "-singlefile", str(path), str(tmp_path / "p")],
            check=True,
        )
        link = subprocess.run(
            ["zbarimg", "-q", "--raw", str(tmp_path / "p.png")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert "/xac-thuc-ket-qua/?ma=" in link and dossier.code in link
        key = link.split("k=", 1)[1]
        assert result_check_key_valid(dossier_code=dossier.code, key=key)


def test_a_byte_changed_in_the_stored_result_is_rejected(staff, at_leader, certificates):
    dossier = approve(staff, at_leader)
    content = bytearray(dossier.documents.get(kind="result").file.read())
    content[content.index(b"stream\n") + 30] ^= 0x01
    assert result_pdf_verify(pdf=bytes(content)).code == "modified"


def test_a_unit_without_certificate_gets_no_unsigned_result(staff, at_leader):
    with pytest.raises(DomainError) as refused:
        approve(staff, at_leader)
    assert refused.value.code.startswith("signing_")
    at_leader.refresh_from_db()
    assert at_leader.state == 4 and not at_leader.documents.filter(kind="result").exists()


def test_only_the_leader_approves_and_nothing_is_signed_for_others(staff, at_leader, certificates):
    with pytest.raises(PermissionDenied):
        approve(staff, at_leader, actor=staff.processor)
    at_leader.refresh_from_db()
    assert at_leader.state == 4 and at_leader.events.filter(kind="resolved").count() == 0


def test_a_paper_result_stores_no_file(staff, at_leader):
    dossier = approve(staff, at_leader, electronic=False)
    dossier.refresh_from_db()
    assert dossier.state == 9 and not dossier.has_result_file and not dossier.result_electronic
    assert not dossier.documents.filter(kind="result").exists()


def test_the_export_lists_the_signed_result(staff, tree, at_leader, certificates):
    import io
    import json

    from motcua.core import timeutil
    from motcua.interchange.services import interchange_export

    dossier = approve(staff, at_leader)
    document = dossier.documents.get(kind="result")
    out = io.StringIO()
    today = timeutil.local_date(timeutil.now())
    interchange_export(unit=tree.district, start=today, end=today, out=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    record = next(r for r in records if r.get("MaHoSo") == dossier.code)
    assert record["DanhSachGiayToKetQua"] == [
        {
            "TenGiayTo": "Cấp Giấy khai sinh bản chính",
            "MaGiayToKetQua": f"KQ.{dossier.code}",
            "DuongDanTepTinKetQua": document.file.name,
        }
    ]


def test_through_the_api(client, staff, at_leader, certificates):
    client.force_login(staff.leader)
    response = client.post(
        f"/api/v1/dossiers/{at_leader.code}/actions/resolve",
        {
            "expected_version": at_leader.last_event_seq,
            "result_summary": "Giấy khai sinh",
            "electronic": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    content = at_leader.documents.get(kind="result").file.read()
    assert result_pdf_verify(pdf=content).dossier_code == at_leader.code


def test_through_the_api_without_certificate(client, staff, at_leader):
    client.force_login(staff.leader)
    response = client.post(
        f"/api/v1/dossiers/{at_leader.code}/actions/resolve",
        {"expected_version": at_leader.last_event_seq, "result_summary": "KQ", "electronic": True},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"].startswith("signing_")
    assert not at_leader.events.filter(kind="resolved").exists()
