"""The processing officer's drafted result: attached (a PDF through the one scan check, stored
under its SHA-256) or generated from the default template, replaced until the approval, recorded
as an event in the log; the leader's approval adds the signature page (WeasyPrint) after the
draft's pages and signs the whole. Checked on the real PDFs."""

import hashlib
import io
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile

from motcua.core.errors import DomainError, InvalidTransition, PermissionDenied, StaleVersion
from motcua.digitization.results import result_draft_generate, result_pdf_append_pages
from motcua.digitization.scans import pdf_page_count
from motcua.digitization.selectors import dossier_result_draft
from motcua.digitization.services import demo_signing_certificates_ensure, result_pdf_verify
from motcua.dossiers import services
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.models import DossierDocument
from motcua.dossiers.replay import dossier_projection_rebuild
from motcua.dossiers.selectors import dossier_action_allowed, dossier_timeline
from tests.digitization.conftest import render_result_pdf
from tests.portal.conftest import processing

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"


@pytest.fixture
def in_processing(staff, tree, birth_registration):
    return processing(staff=staff, tree=tree, procedure=birth_registration)


@pytest.fixture
def certificates(tree):
    return demo_signing_certificates_ensure(
        units=[(tree.tien_dong.code, tree.tien_dong.name)], default_unit=tree.tien_dong.code
    )


@pytest.fixture(scope="module")
def draft_pdf() -> bytes:
    return render_result_pdf()


def attach(staff, dossier, content, *, name="du-thao.pdf", actor=None):
    dossier.refresh_from_db()
    return services.dossier_attach_result_draft(
        actor=actor or staff.processor,
        dossier=dossier,
        draft=ContentFile(content, name=name),
        expected_version=dossier.last_event_seq,
    )


def approve(staff, dossier):
    dossier.refresh_from_db()
    if dossier.current_role != "leader":
        dossier = services.dossier_forward(actor=staff.processor, dossier=dossier)
    return services.dossier_perform(
        actor=staff.leader,
        dossier=dossier,
        slug="resolve",
        expected_version=dossier.last_event_seq,
        inputs={"result_summary": "Cấp Giấy xác nhận tình trạng hôn nhân", "electronic": True},
    )


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_processor_attaches_a_draft_recorded_in_the_log(staff, in_processing, draft_pdf):
    dossier = attach(staff, in_processing, draft_pdf)
    dossier.refresh_from_db()
    assert dossier.state == 4  # the state does not change
    draft = dossier_result_draft(dossier=dossier)
    assert draft is not None and draft.kind == DossierDocument.Kind.RESULT_DRAFT
    assert draft.sha256 == hashlib.sha256(draft_pdf).hexdigest()
    assert draft.file.name == f"dossiers/scans/{draft.sha256[:2]}/{draft.sha256}.pdf"
    assert draft.file.read() == draft_pdf and draft.page_count == 1
    event = dossier.events.order_by("-seq").first()
    assert event.kind == "result_drafted" and event.actor == staff.processor
    assert event.payload["draft_document_id"] == draft.pk
    assert event.payload["draft_sha256"] == draft.sha256
    assert audit_verify().intact
    # The projection rebuilt from the log is the one the service wrote.
    assert dossier_projection_rebuild(dossier=dossier) == []
    entry = dossier_timeline(dossier=dossier)[-1]
    assert entry.label == "Đính kèm dự thảo kết quả"
    assert ("Tệp dự thảo", "du-thao.pdf") in entry.details


def test_a_later_draft_replaces_the_earlier(staff, in_processing, draft_pdf):
    attach(staff, in_processing, draft_pdf)
    second = draft_pdf + b"\n%% second\n"
    attach(staff, in_processing, second, name="du-thao-2.pdf")
    draft = dossier_result_draft(dossier=in_processing)
    assert draft.sha256 == hashlib.sha256(second).hexdigest()
    assert in_processing.documents.filter(kind="result_draft").count() == 2


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"not a pdf at all", "scan_type_invalid"),
        (b"", "scan_empty"),
        (b"%PDF-1.4 broken", "scan_pdf_invalid"),
    ],
)
def test_bad_files_are_refused_with_nothing_recorded(staff, in_processing, content, code):
    before = in_processing.last_event_seq
    with pytest.raises(DomainError) as refused:
        attach(staff, in_processing, content)
    assert refused.value.code == code and "Tệp “du-thao.pdf”" in refused.value.message
    in_processing.refresh_from_db()
    assert in_processing.last_event_seq == before
    assert not in_processing.documents.filter(kind="result_draft").exists()


def test_an_image_is_not_a_draft(staff, in_processing):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    with pytest.raises(DomainError) as refused:
        attach(staff, in_processing, buffer.getvalue(), name="anh.png")
    assert refused.value.code == "result_draft_not_pdf"
    assert "PDF" in refused.value.message


def test_who_and_when(staff, in_processing, draft_pdf, certificates):
    assert dossier_action_allowed(
        user=staff.processor, dossier=in_processing, kind="result_drafted"
    )
    assert not dossier_action_allowed(user=staff.desk, dossier=in_processing, kind="result_drafted")
    with pytest.raises(PermissionDenied):
        attach(staff, in_processing, draft_pdf, actor=staff.desk)
    with pytest.raises(PermissionDenied):
        attach(staff, in_processing, draft_pdf, actor=staff.other_desk)
    in_processing.refresh_from_db()
    with pytest.raises(StaleVersion):
        services.dossier_attach_result_draft(
            actor=staff.processor,
            dossier=in_processing,
            draft=ContentFile(draft_pdf, name="x.pdf"),
            expected_version=in_processing.last_event_seq - 1,
        )
    dossier = approve(staff, in_processing)
    with pytest.raises(InvalidTransition):
        attach(staff, dossier, draft_pdf)


def test_the_approval_signs_the_draft_with_a_signature_page(
    staff, in_processing, draft_pdf, certificates, tmp_path
):
    attach(staff, in_processing, draft_pdf)
    dossier = approve(staff, in_processing)
    dossier.refresh_from_db()
    assert dossier.state == 9 and dossier.has_result_file
    result = dossier.documents.get(kind="result")
    content = result.file.read()
    verdict = result_pdf_verify(pdf=content)
    assert verdict.valid and verdict.dossier_code == dossier.code, verdict.message
    assert result.page_count == 2  # the draft's page and the signature page
    event = dossier.events.get(kind="resolved")
    assert event.payload["result_draft_document_id"] == dossier_result_draft(dossier=dossier).pk
    if shutil.which("pdftotext"):
        text = pdf_text(content, tmp_path)
        assert DRAFT_TEXT in text and "Nguyễn Thị Hoa" in text
        assert "ĐÃ KÝ SỐ" in text.upper() and "lanhdao.tiendong" in text
        assert dossier.code in text and "chứng thư số thử nghiệm tự ký" in text


def test_a_draft_replaced_after_the_leader_loaded_the_page_refuses_the_approval(
    staff, in_processing, draft_pdf, certificates
):
    attach(staff, in_processing, draft_pdf)
    dossier = services.dossier_forward(actor=staff.processor, dossier=in_processing)
    dossier.refresh_from_db()
    loaded = dossier.last_event_seq
    attach(staff, dossier, draft_pdf + b"\n%% later\n", actor=staff.leader)
    with pytest.raises(StaleVersion):
        services.dossier_perform(
            actor=staff.leader,
            dossier=dossier,
            slug="resolve",
            expected_version=loaded,
            inputs={"result_summary": "Cấp", "electronic": True},
        )


def test_without_a_draft_the_result_is_rendered_as_before(staff, in_processing, certificates):
    dossier = approve(staff, in_processing)
    result = dossier.documents.get(kind="result")
    assert result.page_count == 1
    assert "result_draft_document_id" not in dossier.events.get(kind="resolved").payload


def test_a_generated_draft_is_signed_at_the_approval(staff, in_processing, certificates, tmp_path):
    result_draft_generate(
        actor=staff.processor,
        dossier=in_processing,
        result_summary="Đủ điều kiện cấp giấy khai sinh cho cháu Lê Minh Đức",
        expected_version=in_processing.last_event_seq,
    )
    draft = dossier_result_draft(dossier=in_processing)
    assert draft is not None and draft.name == "Dự thảo kết quả"
    event = in_processing.events.order_by("-seq").first()
    assert event.payload["generated"] is True
    if shutil.which("pdftotext"):
        text = pdf_text(draft.file.read(), tmp_path)
        assert "Lê Minh Đức" in text and "ĐÃ KÝ SỐ" not in text.upper()
    dossier = approve(staff, in_processing)
    content = dossier.documents.get(kind="result").file.read()
    assert result_pdf_verify(pdf=content).valid
    if shutil.which("pdftotext"):
        text = pdf_text(content, tmp_path)
        assert "Lê Minh Đức" in text and "ĐÃ KÝ SỐ" in text.upper()


def test_generating_is_refused_for_others_before_rendering(staff, in_processing):
    with pytest.raises(PermissionDenied):
        result_draft_generate(actor=staff.desk, dossier=in_processing, result_summary="Cấp")
    with pytest.raises(DomainError) as refused:
        result_draft_generate(actor=staff.processor, dossier=in_processing, result_summary="  ")
    assert refused.value.code == "result_required"
    assert not in_processing.documents.filter(kind="result_draft").exists()


def test_appending_drops_a_signature_the_draft_carried(draft_pdf, certificates):
    from motcua.digitization.services import result_pdf_sign

    signed = result_pdf_sign(pdf=draft_pdf, unit_code="11143")
    merged = result_pdf_append_pages(pdf=signed, pages=draft_pdf)
    assert pdf_page_count(merged) == 2
    # The draft's own signature no longer counts: the approval's is the only one.
    assert not result_pdf_verify(pdf=merged).valid
    verdict = result_pdf_verify(pdf=result_pdf_sign(pdf=merged, unit_code="11143"))
    assert verdict.valid and verdict.signatures == 1
