"""An electronic result in a real browser: the leader approves with an electronic result (the
system renders and signs it with the commune's certificate), the citizen verifies themselves on
the tracking page, downloads the signed PDF and checks it on the public verification page."""

import re

import pytest

from motcua.digitization.services import demo_signing_certificates_ensure, result_pdf_verify
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in
from tests.e2e.helpers import login, new_page

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "0912345678"


@pytest.fixture
def at_leader(staff, tree, birth_registration):
    demo_signing_certificates_ensure(units=[("11143", tree.tien_dong.name)], default_unit="11143")
    dossier = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Trần Thị Bích Ngọc", phone=PHONE),
        result_delivery="online",
    )
    dossier = services.dossier_accept(actor=staff.desk, dossier=dossier)
    dossier = services.dossier_forward(actor=staff.desk, dossier=dossier)
    return services.dossier_forward(actor=staff.processor, dossier=dossier)


def test_leader_signs_citizen_downloads_and_verifies(browser, live_server, at_leader, tmp_path):
    code = at_leader.code
    leader = new_page(browser)
    login(leader, live_server, "lanhdao.tiendong")
    leader.goto(f"{live_server.url}/ho-so/{code}/")
    label = "Phê duyệt kết quả"
    leader.locator("details.action > summary", has_text=re.compile(f"^{label}$")).click()
    form = leader.locator("details.action[open] form")
    form.get_by_label("Nội dung kết quả giải quyết").fill("Cấp Giấy khai sinh bản chính số 12.")
    form.get_by_label("Kết quả là văn bản điện tử").check()
    form.get_by_role("button", name=f"Xác nhận: {label.lower()}").click()
    leader.wait_for_load_state()
    assert leader.locator(".messages .message-success").inner_text() == "Đã phê duyệt kết quả."
    dossier = Dossier.objects.get(pk=at_leader.pk)
    assert dossier.state == State.RESOLVED and dossier.has_result_file

    citizen = new_page(browser)
    citizen.goto(f"{live_server.url}/cong-dich-vu/tra-cuu/")
    citizen.get_by_label("Mã hồ sơ").fill(code)
    citizen.get_by_label("Số điện thoại hoặc 4 ký tự cuối").fill(PHONE)
    citizen.get_by_role("button", name="Tra cứu").click()
    citizen.wait_for_url(f"**/cong-dich-vu/ho-so/{code}/")
    with citizen.expect_download() as download_info:
        citizen.get_by_role("link", name="Tải kết quả điện tử (PDF có chữ ký số)").click()
    saved = tmp_path / "ket-qua.pdf"
    download_info.value.save_as(saved)
    verdict = result_pdf_verify(pdf=saved.read_bytes())
    assert verdict.valid and verdict.dossier_code == code and verdict.unit_code == "11143"

    citizen.get_by_role("link", name="Cách xác thực kết quả").click()
    citizen.get_by_label("Tệp PDF kết quả").set_input_files(str(saved))
    citizen.get_by_role("button", name="Xác thực").click()
    verdict_box = citizen.get_by_role("status")
    verdict_box.wait_for()
    assert "Kết quả hợp lệ." in verdict_box.inner_text()
    assert code in citizen.locator("main").inner_text()
