"""Each official form renders from a real dossier as a searchable PDF with the Circular 01/2023 QR,
under its number and title in Circular 03/2025/TT-VPCP."""

import json
import shutil
import subprocess
import unicodedata

import pytest
from django.template.loader import render_to_string

from motcua.core.errors import ValidationFailed
from motcua.core.formatting import date_vi
from motcua.forms.selectors import (
    FORM_KINDS,
    LOGBOOK_NUMBER,
    form_context,
    form_qr_payload,
    forms_available,
)
from motcua.forms.services import form_render_pdf, logbook_render_pdf, qr_svg_data_uri
from tests.conftest import local
from tests.forms.conftest import ID_NUMBER, receive

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    # Lines are joined: a long sentence may wrap anywhere on the page.
    return unicodedata.normalize("NFC", " ".join(out.stdout.decode("utf-8").split()))


def qr_decoded(pdf: bytes, tmp_path) -> str:
    (tmp_path / "form.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "form.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "--raw", "-q", str(page)], capture_output=True, check=True)
    return out.stdout.decode("utf-8").strip()


# (dossier shape, kind, title, snippets the text must hold)
CASES = [
    (
        "received",
        "receipt",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        [
            "Nguyễn Văn An",
            "Tờ khai đăng ký khai sinh",
            "Đã số hóa",
            "Chưa số hóa",
            "8.000 đồng",
            "Đã nộp tại Bộ phận tiếp nhận và trả kết quả",
            "08 giờ 00 phút, ngày 04/03/2024",
            "tiepnhan.tiendong",
            "Tiên Động, ngày 04 tháng 3 năm 2024",
        ],
    ),
    (
        "full",
        "supplement",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        ["Bổ sung bản chính Giấy chứng sinh do bệnh viện cấp.", "chuyenvien.tiendong"],
    ),
    (
        "full",
        "apology",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        [
            "Cần xác minh thông tin nơi sinh với bệnh viện huyện.",
            "15 giờ 30 phút, ngày 06/03/2024",  # the date before the apology
            "16 giờ 00 phút, ngày 08/03/2024",  # the new one
        ],
    ),
    (
        "stopped",
        "stop",
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        ["Quá thời hạn bổ sung mà công dân không bổ sung hồ sơ.", "ngày 04 tháng 4 năm 2024"],
    ),
    (
        "rejected",
        "rejection",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        ["Việc khai sinh đã được đăng ký tại nơi khác.", "từ chối giải quyết"],
    ),
    (
        "not_accepted",
        "rejection",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        ["Tờ khai không có chữ ký của người đi đăng ký.", "không tiếp nhận hồ sơ"],
    ),
    (
        "full",
        "control_slip",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        [
            "Tiếp nhận, chuyển hồ sơ",
            "Thẩm định, xử lý hồ sơ",
            "Chờ công dân bổ sung hồ sơ",
            "Phê duyệt, ký kết quả",
            "Cán bộ tiếp nhận",
            "chuyenvien.tiendong",
            "Đúng hạn",
            "Quá hạn",
            "Không tính thời hạn",
            "04/03/2024 08:00",
        ],
    ),
]


@needs_pdftotext
@pytest.mark.parametrize(("shape", "kind", "title", "snippets"), CASES)
def test_form_renders_searchable_vietnamese_text(shapes, shape, kind, title, snippets):
    dossier = getattr(shapes, shape)
    pdf = form_render_pdf(kind=kind, dossier=dossier)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert title in text  # diacritics intact, real text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND XÃ TIÊN ĐỘNG" in text
    assert dossier.code in text
    for snippet in snippets:
        assert snippet in text, snippet
    if dossier.due_at is not None:
        assert date_vi(dossier.due_at) in text or kind in ("supplement", "stop", "rejection")
    # Decree 13/2023: the ID number travels only inside the QR code, never as printed text.
    assert dossier.applicant_id_number not in text


@needs_pdftotext
def test_receipt_shows_the_promised_date_in_vietnamese_style(shapes):
    dossier = shapes.received
    text = pdf_text(form_render_pdf(kind="receipt", dossier=dossier))
    assert date_vi(dossier.first_due_at) == "05/03/2024"
    assert "Thời gian trả kết quả giải quyết hồ sơ: 08 giờ 00 phút, ngày 05/03/2024" in text


def test_qr_payload_carries_dossier_procedure_masked_applicant_and_link(shapes, settings):
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.haiduong.gov.vn/"
    payload = form_qr_payload(dossier=shapes.received)
    code = shapes.received.code
    assert json.loads(payload) == {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "SoGiayToChuHoSo": "********2345",
        "DuongDanTraCuu": f"https://dichvucong.haiduong.gov.vn/cong-dich-vu/tra-cuu/?ma={code}",
    }
    assert ID_NUMBER not in payload


def test_qr_is_embedded_top_left_as_svg(shapes):
    context = form_context(kind="receipt", dossier=shapes.received)
    context["qr_data_uri"] = qr_svg_data_uri(payload=context["qr_payload"])
    html = render_to_string("officialforms/receipt.html", context)
    assert context["qr_data_uri"].startswith("data:image/svg+xml")
    assert '<html lang="vi">' in html
    # The QR cell is the first cell of the header: the top-left corner of the page.
    assert html.index('class="qr"') < html.index('class="issuer"') < html.index('class="motto"')
    assert context["qr_data_uri"] in html


@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbarimg (zbar-tools) or pdftoppm (poppler-utils) is not installed",
)
@pytest.mark.parametrize("kind", ["receipt", "control_slip", "apology"])
def test_printed_qr_decodes_to_the_payload(shapes, kind, tmp_path, settings):
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.haiduong.gov.vn"
    pdf = form_render_pdf(kind=kind, dossier=shapes.full)
    decoded = qr_decoded(pdf, tmp_path)
    assert decoded == form_qr_payload(dossier=shapes.full)
    # What a phone reads from the printed receipt: Circular 01/2023's fields and the tracking link,
    # never the full ID number.
    assert json.loads(decoded) == {
        "MaHoSo": shapes.full.code,
        "MaTTHC": "1.001193",
        "SoGiayToChuHoSo": "********2345",
        "DuongDanTraCuu": f"https://dichvucong.haiduong.gov.vn/cong-dich-vu/tra-cuu/?ma={shapes.full.code}",
    }
    assert ID_NUMBER not in decoded


@pytest.mark.parametrize(
    ("shape", "kind", "message"),
    [
        ("received", "supplement", "chưa có yêu cầu bổ sung"),
        ("received", "apology", "chưa được xin lỗi"),
        ("received", "stop", "không bị dừng giải quyết"),
        ("received", "rejection", "không bị từ chối"),
        ("not_accepted", "receipt", "chưa được tiếp nhận"),
        ("not_accepted", "control_slip", "chưa được tiếp nhận"),
    ],
)
def test_forms_that_do_not_apply_are_refused_in_vietnamese(shapes, shape, kind, message):
    with pytest.raises(ValidationFailed) as refused:
        form_render_pdf(kind=kind, dossier=getattr(shapes, shape))
    assert refused.value.code == "form_not_applicable"
    assert message in refused.value.message


def test_unknown_kind_is_refused(shapes):
    with pytest.raises(ValidationFailed) as refused:
        form_render_pdf(kind="giay-khai-sinh", dossier=shapes.received)
    assert refused.value.code == "form_kind_unknown"


def test_forms_available_follow_the_events(shapes):
    def kinds(shape):
        return [f.kind for f in forms_available(dossier=getattr(shapes, shape))]

    assert kinds("received") == ["receipt", "control_slip"]
    assert kinds("full") == ["receipt", "supplement", "apology", "control_slip"]
    assert kinds("stopped") == ["receipt", "supplement", "stop", "control_slip"]
    assert kinds("rejected") == ["receipt", "rejection", "control_slip"]
    assert kinds("not_accepted") == ["rejection"]


def test_slugs_are_accepted_as_kinds(shapes):
    assert form_render_pdf(kind="giay-tiep-nhan", dossier=shapes.received).startswith(b"%PDF")


# --- log book ------------------------------------------------------------------------------------


@needs_pdftotext
def test_logbook_lists_the_units_dossiers_in_the_range(shapes, staff, tree, birth_registration):
    later = receive(staff=staff, tree=tree, procedure=birth_registration, at=local(2024, 4, 2, 8))
    pdf = logbook_render_pdf(
        unit=tree.tien_dong, start=local(2024, 3, 1).date(), end=local(2024, 3, 31).date()
    )
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/03/2024 đến ngày 31/03/2024" in text
    for dossier in (shapes.received, shapes.full, shapes.stopped, shapes.rejected):
        assert dossier.code in text
    # Never received (refused online filing) and out of range: not in the register.
    assert shapes.not_accepted.code not in text
    assert later.code not in text
    assert "Trần Thị Bình" in text and "07/03/2024" in text
    assert "Tổng cộng: 4 hồ sơ." in text
    assert ID_NUMBER not in text


def test_logbook_range_is_checked(tree):
    with pytest.raises(ValidationFailed, match="Ngày kết thúc phải bằng hoặc sau"):
        logbook_render_pdf(
            unit=tree.tien_dong, start=local(2024, 3, 2).date(), end=local(2024, 3, 1).date()
        )
    with pytest.raises(ValidationFailed, match="tối đa 366 ngày"):
        logbook_render_pdf(
            unit=tree.tien_dong, start=local(2023, 1, 1).date(), end=local(2024, 3, 1).date()
        )


# --- Circular 03/2025/TT-VPCP: numbers, titles, legal basis --------------------------------------

BASIS = "Ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 của Văn phòng Chính phủ"

# (dossier shape, kind, the circular's number, its title as printed)
CIRCULAR_FORMS = [
    ("received", "receipt", "01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
    ("full", "supplement", "02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
    ("rejected", "rejection", "03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
    ("full", "apology", "04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
    ("stopped", "stop", "05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
    ("full", "control_slip", "06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
]


@needs_pdftotext
@pytest.mark.parametrize(("shape", "kind", "number", "title"), CIRCULAR_FORMS)
def test_forms_print_their_number_title_and_the_circular(shapes, shape, kind, number, title):
    text = pdf_text(form_render_pdf(kind=kind, dossier=getattr(shapes, shape)))
    assert f"Mẫu số {number}" in text
    assert title in text
    assert BASIS in text
    assert "01/2018" not in text
    # The number and basis come first on the page, before the header and the title.
    assert text.index(f"Mẫu số {number}") < text.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert text.index(BASIS) < text.index(title)


def test_the_seven_forms_have_distinct_numbers():
    numbers = [f.number for f in FORM_KINDS] + [LOGBOOK_NUMBER]
    assert numbers == ["01", "02", "03", "04", "05", "06", "07"]


@needs_pdftotext
def test_stop_notice_prints_the_stop_reason_and_who_stopped(shapes):
    dossier = shapes.stopped
    text = pdf_text(form_render_pdf(kind="thong-bao-dung-xu-ly", dossier=dossier))
    assert "Mẫu số 05" in text
    assert "thông báo dừng giải quyết hồ sơ nêu trên kể từ 10 giờ 00 phút, ngày 04/04/2024" in text
    assert "lý do: Quá thời hạn bổ sung mà công dân không bổ sung hồ sơ." in text
    assert "Lê Văn Cường" in text
    assert dossier.state == 8


@needs_pdftotext
def test_logbook_is_form_07_of_the_circular(shapes, tree):
    text = pdf_text(
        logbook_render_pdf(
            unit=tree.tien_dong, start=local(2024, 3, 1).date(), end=local(2024, 3, 31).date()
        )
    )
    assert "Mẫu số 07" in text
    assert BASIS in text
    assert text.index("Mẫu số 07") < text.index("SỔ THEO DÕI HỒ SƠ")
