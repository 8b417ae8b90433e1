"""Reuse online in a real browser, at desktop and phone width: a citizen whose birth certificate
the desk digitized earlier files again, asks for the one-time code (sent by text message through
the stand-in gateway to the phone on record), enters it, ticks "Dùng giấy tờ đã có" instead of
attaching the certificate, files — and the dossier's document is recorded as reused, down to the
export's DuocTaiSuDung."""

import io
import json
import re

import pytest
from django_tasks import task_backends

from motcua.core import timeutil
from motcua.dossiers import services
from motcua.dossiers.models import Channel, Dossier
from motcua.interchange.services import interchange_export
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import tiny_pdf, write
from tests.notifications.standin_sms_gateway import StandinSmsGateway
from tests.portal import conftest as portal_fixtures
from tests.portal.conftest import ID_NUMBER, RECORDED_PHONE

pytestmark = pytest.mark.django_db(transaction=True)

# The earlier dossier the desk took, whose certificate the store keeps (tests/portal/conftest.py).
held_certificate = portal_fixtures.held_certificate


@pytest.fixture
def gateway(settings):
    """Codes go out at once (immediate tasks) through the HTTP adapter to the stand-in gateway."""
    standin = StandinSmsGateway().start()
    settings.MOTCUA_NOTIFY_CHANNELS = ["email", "sms"]
    settings.MOTCUA_SMS_BACKEND = "http"
    settings.MOTCUA_SMS_GATEWAY_URL = standin.url
    settings.MOTCUA_SMS_GATEWAY_KEY = standin.api_key
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _forget_task_backends()
    yield standin
    standin.stop()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _forget_task_backends()


def _forget_task_backends():
    try:
        delattr(task_backends._connections, "default")
    except AttributeError:
        pass


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_citizen_reuses_a_held_document_online(
    request,
    width,
    live_server,
    staff,
    tree,
    birth_registration,
    held_certificate,
    gateway,
    tmp_path,
):
    page = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    declaration = write(tmp_path, "to-khai.pdf", tiny_pdf("To khai"))
    page.goto(f"{live_server.url}/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/")

    step = page.locator("section.store-step")
    step.get_by_label("Số định danh cá nhân").fill(ID_NUMBER)
    step.get_by_role("button", name="Gửi mã xác thực").click()
    page.wait_for_load_state()
    assert "mã xác thực đã được gửi" in page.locator(".messages").inner_text()
    # The text message went to the phone on record (84…), read from the stand-in's outbox.
    (message,) = gateway.delivered.values()
    assert message["to"] == "84" + RECORDED_PHONE[1:]
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)

    step = page.locator("section.store-step")
    step.get_by_label("Mã xác thực").fill(code)
    step.get_by_role("button", name="Xác nhận mã").click()
    page.wait_for_load_state()
    assert "không phải tài khoản VNeID" in step.inner_text()

    tp2 = birth_registration.components.get(code="TP2")
    reuse = page.locator(f"#id_reuse_{tp2.pk}")
    assert reuse.is_visible()
    label = page.locator(f"label[for='id_reuse_{tp2.pk}']").inner_text()
    assert "Giấy chứng sinh" in label and "********2345" in label
    # Nothing wider than the screen at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.get_by_label("Nơi nộp hồ sơ").select_option(label="UBND xã Tiên Động")
    page.get_by_label("Họ và tên người nộp").fill("Nguyễn Thị Hoa")
    assert page.get_by_label("Số CCCD, CMND hoặc hộ chiếu").input_value() == ID_NUMBER
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(declaration)
    reuse.check()
    if width == "desktop":
        screenshot(page, "portal-store-reuse")
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/cong-dich-vu/nop-ho-so/da-nop/")

    dossier = Dossier.objects.get(channel=Channel.ONLINE)
    document = dossier.documents.get(component=tp2)
    assert document.reused and document.digitization_source == "reused"
    assert document.file.name == held_certificate.file.name
    assert dossier.data_reused and not dossier.vneid_verified

    services.dossier_accept(actor=staff.desk, dossier=dossier)
    out = io.StringIO()
    today = timeutil.local_date(timeutil.now())
    interchange_export(unit=tree.district, start=today, end=today, out=out)
    record = next(
        r for r in map(json.loads, out.getvalue().splitlines()) if r.get("MaHoSo") == dossier.code
    )
    assert {d["MaThanhPhanHoSo"]: d["DuocTaiSuDung"] for d in record["TaiLieuNop"]} == {
        "TP1": "0",
        "TP2": "1",
    }
