"""The public verification page /xac-thuc-ket-qua/: uploads (signed, tampered, garbage, too big)
and the QR link's GET variant, through Django's test client with CSRF checks on."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.digitization.selectors import (
    result_check_key,
    result_check_key_valid,
    result_qr_payload,
    result_verification_url,
)
from motcua.digitization.services import demo_signing_certificates_ensure, result_pdf_sign
from tests.portal.conftest import returned

URL = "/xac-thuc-ket-qua/"


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


def post_file(client, content: bytes, *, name: str = "ket-qua.pdf", url: str = URL):
    page = client.get(url)
    token = page.cookies["csrftoken"].value
    return client.post(
        url, {"file": SimpleUploadedFile(name, content), "csrfmiddlewaretoken": token}
    )


@pytest.fixture
def dossier(staff, tree, birth_registration):
    return returned(staff=staff, tree=tree, procedure=birth_registration)


def test_page_shows_the_form(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xác thực kết quả điện tử" in html
    assert 'enctype="multipart/form-data"' in html
    assert "tối đa 20 MB" in html


def test_signed_upload_is_authentic_with_its_dossier(client, signing, plain_pdf, dossier):
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="11143", dossier_code=dossier.code)
    response = post_file(client, signed)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-verdict="valid"' in html
    assert "Kết quả hợp lệ." in html
    assert "UBND xã Tiên Động (thử nghiệm)" in html
    assert dossier.code in html
    assert "Đăng ký khai sinh" in html  # the dossier's procedure, from the database
    assert "Đã trả kết quả" in html
    assert "Nguyễn Thị Hoa" not in html  # the applicant is never shown
    assert "không có giá trị pháp lý" not in html  # not a demo certificate


def test_tampered_upload_is_rejected(client, signing, plain_pdf, dossier):
    signed = bytearray(result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=dossier.code))
    signed[signed.index(b"stream\n") + 20] ^= 0x01
    response = post_file(client, bytes(signed))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-verdict="modified"' in html
    assert "Kết quả KHÔNG hợp lệ." in html
    assert "Đăng ký khai sinh" not in html  # a forged file learns nothing about the dossier


def test_untrusted_and_unsigned_uploads(client, signing, plain_pdf, tmp_path):
    response = post_file(client, plain_pdf)
    assert response.status_code == 200
    assert 'data-verdict="unsigned"' in response.content.decode()
    assert "Tệp không có chữ ký số." in response.content.decode()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"PK\x03\x04 not a pdf at all",
        b"%PDF-1.7\n\x00\xff garbage " * 100,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    ],
)
def test_garbage_gets_a_vietnamese_error_not_a_500(client, signing, content):
    response = post_file(client, content, name="rac.pdf")
    assert response.status_code == 400
    html = response.content.decode()
    assert any(
        message in html
        for message in (
            "Tệp không phải PDF.",
            "Tệp PDF bị hỏng, không đọc được.",
            "Tệp gửi lên rỗng, không có nội dung.",
        )
    ), html
    assert "data-verdict" not in html


def test_missing_file(client, db):
    page = client.get(URL)
    response = client.post(URL, {"csrfmiddlewaretoken": page.cookies["csrftoken"].value})
    assert response.status_code == 400
    assert "Vui lòng chọn tệp PDF cần xác thực." in response.content.decode()


def test_oversized_upload_is_cut_while_streaming(client, settings, signing, plain_pdf):
    settings.MOTCUA_VERIFY_MAX_BYTES = 2**20
    big = plain_pdf + b"%" + b"x" * (2**20 + 2**19)
    response = post_file(client, big)
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.content.decode()
    assert "Tệp quá lớn (1,5 MB); chỉ nhận tệp đến 1 MB." in response.content.decode()


def test_post_without_csrf_token_is_refused(client, signing, plain_pdf):
    response = client.post(URL, {"file": SimpleUploadedFile("a.pdf", plain_pdf)})
    assert response.status_code == 403


def test_demo_certificate_is_labelled_on_the_page(client, settings, plain_pdf, db):
    demo_signing_certificates_ensure(units=[("298", "UBND huyện Tứ Kỳ")], default_unit="298")
    response = post_file(client, result_pdf_sign(pdf=plain_pdf, unit_code=None))
    html = response.content.decode()
    assert "Kết quả hợp lệ." in html
    assert "chứng thư số thử nghiệm tự ký, không có giá trị pháp lý" in html


# --- the QR link ---------------------------------------------------------------------------------


def test_qr_link_says_what_the_system_knows(client, dossier):
    url = result_verification_url(dossier_code=dossier.code)
    assert url.startswith(URL)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert "Hệ thống ghi nhận hồ sơ này đã có kết quả giải quyết." in html
    assert "Đăng ký khai sinh" in html
    assert "UBND xã Tiên Động" in html
    assert "Nguyễn Thị Hoa" not in html


def test_qr_link_of_a_dossier_without_result(client, staff, tree, birth_registration):
    from tests.portal.conftest import processing

    open_dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    html = client.get(result_verification_url(dossier_code=open_dossier.code)).content.decode()
    assert "Hệ thống chưa ghi nhận kết quả giải quyết của hồ sơ này." in html


def test_code_without_its_check_key_reveals_nothing(client, dossier):
    for url in (f"{URL}?ma={dossier.code}", f"{URL}?ma={dossier.code}&k=abc"):
        html = client.get(url).content.decode()
        assert "Đường dẫn xác thực không đúng hoặc không đầy đủ" in html
        assert "Đăng ký khai sinh" not in html


def test_unknown_code_with_a_valid_key(client, db):
    html = client.get(result_verification_url(dossier_code="KHONG-CO-0001")).content.decode()
    assert "Hệ thống không có hồ sơ với mã này." in html


def test_qr_payload_is_an_absolute_link_with_a_check_key():
    payload = result_qr_payload(
        dossier_code="000.00.30.H23-241001-0001", base_url="https://dichvucong.example.gov.vn/"
    )
    assert payload.startswith("https://dichvucong.example.gov.vn/xac-thuc-ket-qua/?ma=000.00.30")
    key = result_check_key(dossier_code="000.00.30.H23-241001-0001")
    assert payload.endswith(f"&k={key}")
    assert result_check_key_valid(dossier_code="000.00.30.H23-241001-0001", key=key)
    assert not result_check_key_valid(dossier_code="000.00.30.H23-241001-0002", key=key)


def test_upload_from_a_qr_page_keeps_the_qr_context(client, signing, plain_pdf, dossier):
    url = result_verification_url(dossier_code=dossier.code)
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=dossier.code)
    response = post_file(client, signed, url=url)
    html = response.content.decode()
    assert "Kết quả hợp lệ." in html
    assert "Hệ thống ghi nhận hồ sơ này đã có kết quả giải quyết." in html
