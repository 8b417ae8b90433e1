"""The public result verification page in a real browser: a citizen uploads the signed PDF of
their result and sees that it is authentic, who signed it and the dossier; a tampered copy is
refused; the page meets WCAG 2.1 AA and fits a phone."""

import pytest

from motcua.digitization.selectors import result_verification_url, signature_block_context
from motcua.digitization.services import demo_signing_certificates_ensure, result_pdf_sign
from tests.digitization.conftest import render_result_pdf
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations
from tests.portal.conftest import returned

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_result(staff, tree, birth_registration, tmp_path):
    """A returned dossier and its result, signed with the demo certificate of its commune."""
    demo_signing_certificates_ensure(units=[("11143", "UBND xã Tiên Động")], default_unit="11143")
    dossier = returned(staff=staff, tree=tree, procedure=birth_registration)
    block = signature_block_context(unit_code="11143", signer_name="Lê Thị Mai")
    pdf = result_pdf_sign(
        pdf=render_result_pdf(signature=block),
        unit_code="11143",
        dossier_code=dossier.code,
        signer_name="Lê Thị Mai",
    )
    path = tmp_path / "ket-qua-da-ky.pdf"
    path.write_bytes(pdf)
    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream\n") + 20] ^= 0x01
    tampered_path = tmp_path / "ket-qua-bi-sua.pdf"
    tampered_path.write_bytes(bytes(tampered))
    return dossier, path, tampered_path


def test_upload_a_signed_result_and_see_it_is_authentic(page, live_server, signed_result):
    dossier, path, tampered_path = signed_result
    page.goto(f"{live_server.url}/cong-dich-vu/")
    page.get_by_role("link", name="Xác thực kết quả").click()
    page.get_by_role("heading", name="Xác thực kết quả điện tử").wait_for()
    page.get_by_label("Tệp PDF kết quả").set_input_files(str(path))
    page.get_by_role("button", name="Xác thực").click()
    verdict = page.get_by_role("status")
    verdict.wait_for()
    assert "Kết quả hợp lệ." in verdict.inner_text()
    body = page.locator("main").inner_text()
    assert "Lê Thị Mai" in body
    assert "UBND xã Tiên Động" in body
    assert dossier.code in body
    assert "Đăng ký khai sinh" in body
    assert "chứng thư số thử nghiệm tự ký, không có giá trị pháp lý" in body
    assert not axe_violations(page)
    screenshot(page, "result-verify")

    page.get_by_label("Tệp PDF kết quả").set_input_files(str(tampered_path))
    page.get_by_role("button", name="Xác thực").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "KHÔNG hợp lệ" in alert.inner_text()
    assert "thay đổi sau khi ký" in alert.inner_text()


def test_qr_link_on_a_phone(phone_page, live_server, signed_result):
    dossier, _path, _tampered = signed_result
    phone_page.goto(live_server.url + result_verification_url(dossier_code=dossier.code))
    assert "đã có kết quả giải quyết" in phone_page.locator("main").inner_text()
    width, viewport = phone_page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= viewport
    assert not axe_violations(phone_page)
