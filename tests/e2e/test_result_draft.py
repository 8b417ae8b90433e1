"""A drafted result in a real browser: the processing officer attaches a draft on the dossier page
(a file that is no PDF is refused in Vietnamese), the leader approves an electronic result, the
citizen downloads it, and it verifies as `motcua result verify` does: the draft's own text and the
signature page's block are in the signed file."""

import re
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.digitization.selectors import dossier_result_draft
from motcua.digitization.services import demo_signing_certificates_ensure, result_pdf_verify
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in
from tests.digitization.conftest import render_result_pdf
from tests.e2e.helpers import login, new_page

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "0912345678"
DRAFT_TEXT = "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"


@pytest.fixture
def at_processor(staff, tree, birth_registration):
    demo_signing_certificates_ensure(units=[("11143", tree.tien_dong.name)], default_unit="11143")
    dossier = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Trần Thị Bích Ngọc", phone=PHONE),
        result_delivery="online",
    )
    dossier = services.dossier_accept(actor=staff.desk, dossier=dossier)
    return services.dossier_forward(actor=staff.desk, dossier=dossier)


def test_processor_drafts_leader_signs_the_draft(browser, live_server, at_processor, tmp_path):
    code = at_processor.code
    not_pdf = tmp_path / "du-thao.pdf"
    not_pdf.write_bytes(b"Day khong phai PDF")
    draft = tmp_path / "du-thao-ket-qua.pdf"
    draft.write_bytes(render_result_pdf())

    processor = new_page(browser)
    login(processor, live_server, "chuyenvien.tiendong")
    processor.goto(f"{live_server.url}/ho-so/{code}/")
    section = processor.locator("#result-draft")
    section.locator("summary", has_text="Đính kèm dự thảo kết quả").click()
    section.get_by_label("Tệp dự thảo kết quả (PDF)").set_input_files(str(not_pdf))
    section.get_by_role("button", name="Đính kèm dự thảo").click()
    processor.wait_for_load_state()
    error = processor.locator(".messages .message-error").inner_text()
    assert "chỉ nhận bản quét dạng PDF" in error and "du-thao.pdf" in error
    assert dossier_result_draft(dossier=at_processor) is None

    section.locator("summary", has_text="Đính kèm dự thảo kết quả").click()
    section.get_by_label("Tệp dự thảo kết quả (PDF)").set_input_files(str(draft))
    section.get_by_role("button", name="Đính kèm dự thảo").click()
    processor.wait_for_load_state()
    assert "Đã đính kèm dự thảo kết quả" in processor.locator(".messages").inner_text()
    assert "du-thao-ket-qua.pdf" in processor.locator("#result-draft").inner_text()
    assert "Đính kèm dự thảo kết quả" in processor.locator(".timeline").inner_text()
    label = "Chuyển bước tiếp theo"
    processor.locator("details.action > summary", has_text=re.compile(f"^{label}$")).click()
    processor.locator("details.action[open] form").get_by_role(
        "button", name=f"Xác nhận: {label.lower()}"
    ).click()
    processor.wait_for_load_state()

    leader = new_page(browser)
    login(leader, live_server, "lanhdao.tiendong")
    leader.goto(f"{live_server.url}/ho-so/{code}/")
    assert "du-thao-ket-qua.pdf" in leader.locator("#result-draft").inner_text()
    label = "Phê duyệt kết quả"
    leader.locator("details.action > summary", has_text=re.compile(f"^{label}$")).click()
    form = leader.locator("details.action[open] form")
    form.get_by_label("Nội dung kết quả giải quyết").fill("Cấp Giấy xác nhận tình trạng hôn nhân.")
    form.get_by_label("Kết quả là văn bản điện tử").check()
    form.get_by_role("button", name=f"Xác nhận: {label.lower()}").click()
    leader.wait_for_load_state()
    assert leader.locator(".messages .message-success").inner_text() == "Đã phê duyệt kết quả."
    assert Dossier.objects.get(pk=at_processor.pk).state == State.RESOLVED

    citizen = new_page(browser)
    citizen.goto(f"{live_server.url}/cong-dich-vu/tra-cuu/")
    citizen.get_by_label("Mã hồ sơ").fill(code)
    citizen.get_by_label("Số điện thoại hoặc 4 ký tự cuối").fill(PHONE)
    citizen.get_by_role("button", name="Tra cứu").click()
    citizen.wait_for_url(f"**/cong-dich-vu/ho-so/{code}/")
    assert "dự thảo" not in citizen.locator("main").inner_text().lower()
    with citizen.expect_download() as download_info:
        citizen.get_by_role("link", name="Tải kết quả điện tử (PDF có chữ ký số)").click()
    saved = tmp_path / "ket-qua.pdf"
    download_info.value.save_as(saved)
    verdict = result_pdf_verify(pdf=saved.read_bytes())
    assert verdict.valid and verdict.dossier_code == code and verdict.unit_code == "11143"
    assert verdict.signatures == 1 and verdict.signer == "lanhdao.tiendong"
    out = StringIO()
    call_command("result", "verify", str(saved), stdout=out)  # exits non-zero unless valid
    assert out.getvalue().startswith("Hợp lệ:") and f"Mã hồ sơ: {code}" in out.getvalue()
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert DRAFT_TEXT in text and "Nguyễn Thị Hoa" in text  # the draft's own page
        assert "ĐÃ KÝ SỐ" in text.upper() and "lanhdao.tiendong" in text  # the signature page
        assert code in text
