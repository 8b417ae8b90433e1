"""A citizen pays a fee end to end in Chromium, through the stand-in gateway: tracking page → pay
button → the stand-in's pay page → back on our return page, which waits for the callback → paid,
with the receipt to download."""

import pytest

from motcua.dossiers.models import Dossier
from tests.payments.conftest import PHONE, dossier, secrets_set, standin  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_citizen_pays_online_and_gets_the_receipt(page, live_server, standin, dossier):  # noqa: F811
    standin.behaviour.delay = 1.5  # the browser is back before the callback, as in real life
    page.goto(f"{live_server.url}/cong-dich-vu/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("Số điện thoại hoặc 4 ký tự cuối").fill(PHONE)
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(f"**/ho-so/{dossier.code}/")
    fees = page.locator("#phi-le-phi")
    assert "Lệ phí đăng ký khai sinh" in fees.inner_text()
    assert "8.000 đồng" in fees.inner_text()

    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_url(f"{standin.url}/**")
    assert "stand-in" in page.content()
    page.get_by_role("button", name="Xác nhận thanh toán").click()

    page.wait_for_url("**/thanh-toan/tra-ve/**")
    assert "Đang chờ xác nhận" in page.locator("#payment-state").inner_text()
    # The page refreshes itself until the callback has been recorded.
    page.wait_for_selector("text=Đã thanh toán", timeout=20_000)
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 8000

    with page.expect_response("**/thanh-toan/bien-lai/**") as response_info:
        page.get_by_role("link", name="Tải biên lai").click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
