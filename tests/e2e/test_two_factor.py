"""A leader's first login in a real browser: the password, the enrolment page with its QR code and
key, the first code; then, next time, the code page after the password."""

import time

import pyotp
import pytest

from tests.e2e.helpers import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_leader_enrols_and_then_logs_in_with_a_code(page, live_server, staff, settings):
    settings.MOTCUA_TWO_FACTOR = True
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(staff.leader.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/xac-thuc-hai-buoc/")
    assert page.get_by_role("heading", level=1).inner_text() == "Xác thực hai bước"
    assert page.locator(".qr svg").count() == 1
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().strip())
    page.get_by_label("Mã xác thực").fill("12345")
    page.get_by_role("button", name="Xác nhận").click()
    assert "Mã xác thực không đúng" in page.get_by_role("alert").inner_text()
    page.get_by_label("Mã xác thực").fill(totp.now())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/ho-so/")
    assert "Đã bật xác thực hai bước" in page.get_by_role("status").first.inner_text()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(staff.leader.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/dang-nhap/ma-xac-thuc/")
    page.get_by_label("Mã xác thực").fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/ho-so/")
