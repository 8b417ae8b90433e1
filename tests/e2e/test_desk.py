"""The intake desk in a real browser: find the procedure without diacritics, tick the components
(one scanned, one marked digitized), take the fee, then open the printed receipt and read its text
and its QR code the way a scanner at the counter would."""

import json
import shutil
import subprocess

import pytest

from motcua.catalog.models import Component
from motcua.dossiers.models import Channel, Dossier, State
from motcua.portal.selectors import dossier_tracking_url
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import login, tiny_pdf, write

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER = "001099012345"
RECEIPT_TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"


def need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"thiếu {', '.join(missing)} (apt-get install poppler-utils zbar-tools)")


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def test_desk_receives_a_dossier_and_prints_a_receipt_with_qr(
    page, live_server, staff, tree, birth_registration, tmp_path
):
    need("pdftotext", "pdftoppm", "zbarimg")
    scan = write(tmp_path, "CCCD Nguyen Van An.pdf", tiny_pdf("To khai da ky"))
    declaration = Component.objects.get(procedure=birth_registration, code="TP1")
    certificate = Component.objects.get(procedure=birth_registration, code="TP2")

    login(page, live_server, "tiepnhan.tiendong")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.wait_for_url("**/tiep-nhan/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tiếp nhận hồ sơ tại quầy"

    # Search without diacritics: nothing for another procedure, the right one for "dang ky khai sinh".
    search = page.get_by_role("searchbox")
    search.fill("ket hon")
    page.get_by_role("button", name="Tìm thủ tục").click()
    assert "Không tìm thấy thủ tục nào" in page.locator("#main").inner_text()
    search.fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    page.wait_for_url("**/tiep-nhan/?*q=dang+ky+khai+sinh*")
    results = page.locator(".procedure-list a")
    assert results.count() == 1
    assert "Đăng ký khai sinh" in results.inner_text()
    results.click()
    page.wait_for_url("**/tiep-nhan/11143/1.001193/")

    # Both components received; the declaration scanned, the birth certificate digitized by hand.
    page.get_by_label("Tờ khai đăng ký khai sinh", exact=True).check()
    page.locator(f"#id_c{declaration.pk}_file").set_input_files(scan)
    page.get_by_label("Giấy chứng sinh", exact=True).check()
    page.locator(f"#id_c{certificate.pk}_digitized").check()
    page.get_by_label("Số định danh cá nhân").fill(ID_NUMBER)
    page.get_by_label("Họ và tên chủ hồ sơ").fill("Nguyễn Văn An")
    page.get_by_label("Số điện thoại").fill("0988 111 222")
    page.get_by_label("Địa chỉ").fill("Thôn Lạc Dục, xã Tiên Động")
    page.get_by_label("Trích yếu nội dung yêu cầu").fill("Đăng ký khai sinh cho con")
    page.get_by_label("Đã thu phí, lệ phí tại quầy").check()
    screenshot(page, "desk-intake")
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    page.wait_for_url("**/tiep-nhan/da-tiep-nhan/*/")

    # The success page.
    assert page.get_by_role("heading", level=1).inner_text() == "Đã tiếp nhận hồ sơ"
    code = page.locator(".code").inner_text().strip()
    facts = page.locator("dl.facts").inner_text()
    assert "đã thu tại quầy" in facts
    assert "Tờ khai đăng ký khai sinh (đã số hóa)" in facts
    assert "Giấy chứng sinh (đã số hóa)" in facts
    assert f"Đã tiếp nhận hồ sơ {code}." in page.get_by_role("status").first.inner_text()

    dossier = Dossier.objects.get(code=code)
    assert dossier.state == State.RECEIVED
    assert dossier.channel == Channel.DIRECT
    assert dossier.unit == tree.tien_dong
    assert (dossier.fee_amount, dossier.fee_paid_amount, dossier.paid_online) == (8000, 8000, False)
    documents = {d.component.code: d for d in dossier.documents.select_related("component")}
    assert documents["TP1"].digitized and documents["TP1"].file.name.endswith("TP1.pdf")
    assert documents["TP2"].digitized and not documents["TP2"].file
    assert "Nguyen" not in documents["TP1"].file.name  # the citizen's file name is not kept

    # The receipt, as the "In giấy tiếp nhận" link serves it to the officer's browser session.
    link = page.get_by_role("link", name="In giấy tiếp nhận")
    response = page.context.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers["cache-control"]
    pdf = tmp_path / "giay-tiep-nhan.pdf"
    pdf.write_bytes(response.body())

    text = run("pdftotext", "-layout", str(pdf), "-")
    assert RECEIPT_TITLE in text
    assert code in text
    assert "Nguyễn Văn An" in text
    assert "Tiên Động" in text
    assert "8.000 đồng" in text
    assert ID_NUMBER not in text  # the full ID number is printed nowhere

    # 300 dpi, as a desk scanner reads paper: at 150 dpi the modules of a QR this long blur.
    run("pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    image = next(tmp_path.glob("page*.png"))
    payload = json.loads(run("zbarimg", "--quiet", "--raw", str(image)).strip())
    assert payload == {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "SoGiayToChuHoSo": "*" * (len(ID_NUMBER) - 4) + ID_NUMBER[-4:],
        "DuongDanTraCuu": dossier_tracking_url(code=code),
    }
