"""A citizen files online, makes a mistake, corrects it and files — without attaching the papers
a second time: the portal kept the valid files of the failed round."""

from urllib.parse import urlsplit

import pytest

from motcua.dossiers.models import Dossier
from tests.e2e.helpers import tiny_pdf, tiny_png, write

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_error_round_then_success_without_attaching_again(
    page, live_server, tree, birth_registration, tmp_path
):
    declaration = write(tmp_path, "to-khai.pdf", tiny_pdf("To khai"))
    certificate = write(tmp_path, "giay-chung-sinh.png", tiny_png())

    page.goto(f"{live_server.url}/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/")
    page.get_by_label("Nơi nộp hồ sơ").select_option(label="UBND xã Tiên Động")
    page.get_by_label("Họ và tên người nộp").fill("Bùi Thị Hường")
    page.get_by_label("Số CCCD, CMND hoặc hộ chiếu").fill("12!")  # two mistakes at once
    page.get_by_label("Số điện thoại").fill("09x")
    page.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(declaration)
    page.get_by_label("Giấy chứng sinh").set_input_files(certificate)
    page.get_by_role("button", name="Nộp hồ sơ").click()  # consent not ticked: a third
    page.wait_for_load_state()

    assert urlsplit(page.url).path.endswith("/nop-ho-so/")
    alert = page.get_by_role("alert").inner_text()
    assert "không cần đính kèm lại" in alert
    main = page.locator("main").inner_text()
    assert "Số giấy tờ tùy thân không hợp lệ" in main
    assert "Số điện thoại không hợp lệ." in main
    assert "Vui lòng đánh dấu xác nhận cam đoan" in main
    assert "Đã đính kèm: to-khai.pdf" in main and "Đã đính kèm: giay-chung-sinh.png" in main
    assert not Dossier.objects.exists()

    # Correct the mistakes; no file is chosen again.
    page.get_by_label("Số CCCD, CMND hoặc hộ chiếu").fill("030190004321")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/cong-dich-vu/nop-ho-so/da-nop/")

    dossier = Dossier.objects.get()
    files = {d.component.code: d.file.read() for d in dossier.documents.all()}
    assert files == {"TP1": tiny_pdf("To khai"), "TP2": tiny_png()}
