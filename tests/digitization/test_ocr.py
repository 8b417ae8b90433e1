"""OCR of a real scanned Vietnamese page: a page rendered with WeasyPrint, rasterised by Poppler,
turned a little as on a scanner's glass and wrapped as an image-only PDF, handed in at the desk;
the one worker (`motcua worker`) runs ocrmypdf -l vie --deskew; officers find it by a word typed
without diacritics; officers of another unit do not."""

import shutil
import subprocess
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from PIL import Image
from weasyprint import HTML

from motcua.digitization import ocr
from motcua.digitization.models import DocumentText, OcrStatus
from motcua.digitization.selectors import document_text_search
from motcua.digitization.services import document_ocr
from motcua.dossiers import services
from motcua.dossiers.services import Applicant, ReceivedComponent

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = ["worker", "--batch", "--no-startup-delay", "--interval", "0", "--verbosity", "0"]
PAGE = """<html lang="vi"><body style="font-family: 'Liberation Serif'; font-size: 16pt">
<h1>GIẤY CHỨNG SINH</h1>
<p>Họ và tên mẹ: Nguyễn Thị Hoa. Sinh con trai tại Trạm y tế xã Tiên Động, huyện Tứ Kỳ,
tỉnh Hải Dương.</p><p>Cân nặng: 3,2 kg. Người đỡ đẻ: Lê Văn Phúc.</p></body></html>"""


@pytest.fixture(scope="module")
def scanned_page(tmp_path_factory) -> bytes:
    """An image-only PDF of a Vietnamese page at 300 dpi, turned 1.5° — no text layer at all."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("cần pdftoppm (poppler-utils)")
    folder = tmp_path_factory.mktemp("scan")
    (folder / "page.pdf").write_bytes(HTML(string=PAGE).write_pdf())
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-singlefile", "-png", "page.pdf", "page"],
        cwd=folder,
        check=True,
    )
    image = Image.open(folder / "page.png").rotate(1.5, expand=True, fillcolor=255)
    out = BytesIO()
    image.save(out, "PDF", resolution=300)
    return out.getvalue()


@pytest.fixture
def ocr_on(settings):
    missing = ocr.ocr_missing()
    if missing:
        pytest.skip(missing)
    settings.MOTCUA_OCR = True
    settings.MOTCUA_NOTIFY_CHANNELS = []  # only the OCR task in the queue


def test_a_scanned_vietnamese_page_becomes_searchable(
    ocr_on, scanned_page, staff, tree, birth_registration
):
    assert b"Nguy" not in scanned_page  # no text to find before OCR
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Nguyễn Thị Hoa"),
        components=[
            ReceivedComponent(
                "Giấy chứng sinh",
                component=birth_registration.components.get(code="TP2"),
                file=ContentFile(scanned_page, name="chung-sinh.pdf"),
            )
        ],
        missing_components_reason="Tờ khai nộp sau",
    )
    document = dossier.documents.get()
    assert DocumentText.objects.get(document=document).status == OcrStatus.PENDING
    assert DBTaskResult.objects.filter(task_path__endswith="document_ocr_task").count() == 1

    call_command(*WORKER)  # the one worker, the notifications' too

    row = DocumentText.objects.get(document=document)
    assert row.status == OcrStatus.DONE, row.error
    assert "Nguyễn Thị Hoa" in row.text and "GIẤY CHỨNG SINH" in row.text
    searchable = row.searchable_pdf.read()
    assert b"pdfaid:part" in searchable  # PDF/A
    assert document.file.read() == scanned_page  # the original scan is kept untouched

    found = document_text_search(user=staff.processor, query="nguyen thi hoa")
    assert [d.pk for d in found] == [document.pk] and found[0].dossier == dossier
    assert document_text_search(user=staff.processor, query="GIẤY CHỨNG SINH") == found
    assert document_text_search(user=staff.other_processor, query="nguyen thi hoa") == []
    assert document_text_search(user=staff.processor, query="khai tử") == []


def test_without_the_tools_the_core_says_what_is_missing(
    monkeypatch, staff, tree, birth_registration
):
    monkeypatch.setattr(ocr, "_ocrmypdf", lambda: None)
    message = ocr.ocr_missing()
    assert 'pip install "motcua[ocr]"' in message and "tesseract-ocr-vie" in message
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="A"),
        components=[
            ReceivedComponent(
                "Giấy chứng sinh",
                component=birth_registration.components.get(code="TP2"),
                file=ContentFile(tiny(), name="a.pdf"),
            )
        ],
        missing_components_reason="Tờ khai nộp sau",
    )
    row = document_ocr(document_id=dossier.documents.get().pk)
    assert row.status == OcrStatus.UNAVAILABLE and "motcua[ocr]" in row.error


def tiny() -> bytes:
    from tests.e2e.helpers import tiny_pdf

    return tiny_pdf()


def test_the_officer_search_page(client, staff, tree, birth_registration):
    from tests.e2e.helpers import tiny_pdf

    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="A"),
        components=[
            ReceivedComponent(
                "Giấy chứng sinh",
                component=birth_registration.components.get(code="TP2"),
                file=ContentFile(tiny_pdf(), name="a.pdf"),
            )
        ],
        missing_components_reason="Tờ khai nộp sau",
    )
    document = dossier.documents.get()
    # What the worker records after OCR (the OCR itself is the test above).
    DocumentText.objects.create(
        document=document,
        status=OcrStatus.DONE,
        text="GIẤY CHỨNG SINH\nHọ và tên mẹ: Nguyễn Thị Hoa",
        text_folded="giay chung sinh ho va ten me: nguyen thi hoa",
    )
    assert client.get("/tim-giay-to/").status_code == 302  # officers only
    client.force_login(staff.processor)
    page = client.post("/tim-giay-to/", {"q": "nguyen thi hoa"}).content.decode()
    assert dossier.code in page and "Họ và tên mẹ: Nguyễn Thị Hoa" in page
    client.force_login(staff.other_processor)
    page = client.post("/tim-giay-to/", {"q": "nguyen thi hoa"}).content.decode()
    assert dossier.code not in page and "Không tìm thấy" in page
