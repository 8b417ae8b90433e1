"""The whole journey of one online dossier, in a real browser, one browser context per person:
a citizen files online → the desk accepts and forwards → the processor asks for a supplement → the
citizen looks the dossier up and supplements online → the processor forwards to the leader → the
leader approves → the desk returns the result → the citizen rates → the supervisor's figures change.

Every step is checked on the page and in the database."""

import re

import pytest

from motcua.dossiers.models import Channel, Dossier, State
from motcua.feedback.models import Rating
from motcua.units.models import Role
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import dashboard_figure, login, new_page, tiny_pdf, tiny_png, write

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "Trần Thị Bích Ngọc"
PHONE = "0912 345 678"
ONLINE_RATE = "Tỷ lệ hồ sơ trực tuyến"


def officer_acts(page, label: str, fields: dict[str, str] | None = None) -> None:
    """Open the action's <details>, fill its fields, confirm; the page comes back with a message."""
    page.locator("details.action > summary", has_text=re.compile(f"^{re.escape(label)}$")).click()
    form = page.locator("details.action[open] form")
    for field_label, value in (fields or {}).items():
        form.get_by_label(field_label).fill(value)
    form.get_by_role("button", name=f"Xác nhận: {label.lower()}").click()
    page.wait_for_load_state()


def success_message(page) -> str:
    return page.locator(".messages .message-success").inner_text()


def test_online_dossier_from_filing_to_rating(
    browser, live_server, staff, tree, birth_registration, tmp_path
):
    url = live_server.url
    declaration = write(tmp_path, "to-khai khai sinh.pdf", tiny_pdf("To khai"))
    birth_certificate = write(tmp_path, "giay chung sinh.png", tiny_png())
    stamped_copy = write(tmp_path, "giay chung sinh co dau.pdf", tiny_pdf("Ban sao"))

    citizen = new_page(browser)
    desk = new_page(browser)
    processor = new_page(browser)
    leader = new_page(browser)
    supervisor = new_page(browser)
    try:
        # --- the supervisor's figures before ----------------------------------------------------
        supervisor.goto(f"{url}/dang-nhap/")
        screenshot(supervisor, "login")
        login(supervisor, live_server, "giamsat.tuky")
        supervisor.goto(f"{url}/giam-sat/")
        assert supervisor.get_by_role("heading", level=1).inner_text().endswith("UBND huyện Tứ Kỳ")
        assert dashboard_figure(supervisor, ONLINE_RATE) == (0, 0)

        # --- the citizen finds the procedure and files online -----------------------------------
        citizen.goto(f"{url}/cong-dich-vu/")
        assert citizen.locator("html").get_attribute("lang") == "vi"
        screenshot(citizen, "portal-home")
        citizen.get_by_role("searchbox", name="Tìm thủ tục").fill("dang ky khai sinh")
        citizen.get_by_role("button", name="Tìm kiếm").click()
        citizen.wait_for_url("**/cong-dich-vu/thu-tuc/?*")
        assert "Tìm thấy 1 thủ tục." in citizen.get_by_role("status").inner_text()
        screenshot(citizen, "portal-search")
        citizen.get_by_role("link", name="Đăng ký khai sinh").click()
        assert citizen.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
        assert "8.000 đồng" in citizen.content()
        screenshot(citizen, "procedure")
        citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
        citizen.wait_for_url("**/thu-tuc/1.001193/nop-ho-so/")
        citizen.get_by_label("Nơi nộp hồ sơ").select_option(label="UBND xã Tiên Động")
        citizen.get_by_label("Họ và tên người nộp").fill(APPLICANT)
        citizen.get_by_label("Số CCCD, CMND hoặc hộ chiếu").fill("030190004321")
        citizen.get_by_label("Số điện thoại").fill(PHONE)
        citizen.get_by_label("Thư điện tử").fill("ngoc.tran@example.vn")
        citizen.get_by_label("Địa chỉ").fill("Thôn An Nhân, xã Tiên Động")
        citizen.get_by_label("Nội dung yêu cầu").fill("Đăng ký khai sinh cho con thứ hai")
        citizen.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(declaration)
        citizen.get_by_label("Giấy chứng sinh").set_input_files(birth_certificate)
        citizen.get_by_label("Tôi cam đoan").check()
        screenshot(citizen, "file-online")
        citizen.get_by_role("button", name="Nộp hồ sơ").click()
        citizen.wait_for_url("**/cong-dich-vu/nop-ho-so/da-nop/")
        assert "Đã nộp hồ sơ thành công" in citizen.get_by_role("heading", level=1).inner_text()
        code = citizen.locator(".dossier-code").inner_text().strip()
        screenshot(citizen, "confirmation")

        dossier = Dossier.objects.get(code=code)
        assert dossier.state == State.SUBMITTED_ONLINE
        assert dossier.channel == Channel.ONLINE
        assert dossier.unit == tree.tien_dong
        assert dossier.applicant_name == APPLICANT
        assert dossier.applicant_phone == "0912345678"
        documents = list(dossier.documents.order_by("pk"))
        assert [d.name for d in documents] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        assert all(d.digitized and d.file for d in documents)
        assert documents[0].file.read().startswith(b"%PDF-")
        assert documents[1].file.name.endswith(".png")

        # --- the desk accepts the online dossier and forwards it --------------------------------
        login(desk, live_server, "tiepnhan.tiendong")
        desk.get_by_role("link", name=code).click()
        desk.wait_for_url(f"**/ho-so/{code}/")
        assert APPLICANT in desk.content()
        assert "030190004321" not in desk.content()  # masked
        officer_acts(desk, "Tiếp nhận hồ sơ trực tuyến")
        assert success_message(desk) == "Đã tiếp nhận hồ sơ."
        assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED
        officer_acts(desk, "Chuyển bước tiếp theo", {"Ghi chú": "Hồ sơ đủ thành phần."})
        assert success_message(desk) == "Đã chuyển hồ sơ sang bước tiếp theo."
        dossier.refresh_from_db()
        assert dossier.state == State.PROCESSING
        assert dossier.current_role == Role.PROCESSOR
        assert dossier.received_at is not None and dossier.due_at is not None

        # --- the processor asks for a supplement --------------------------------------------------
        login(processor, live_server, "chuyenvien.tiendong")
        assert processor.get_by_role("link", name=code).is_visible()
        screenshot(processor, "inbox")
        processor.get_by_role("link", name=code).click()
        officer_acts(
            processor,
            "Yêu cầu bổ sung hồ sơ",
            {"Nội dung cần bổ sung": "Nộp bản sao giấy chứng sinh có đóng dấu của cơ sở y tế."},
        )
        assert success_message(processor).startswith("Đã gửi yêu cầu bổ sung")
        dossier.refresh_from_db()
        assert dossier.state == State.SUPPLEMENT_REQUESTED
        assert dossier.clock_paused_at is not None
        assert "Yêu cầu bổ sung" in processor.locator("dl.facts").inner_text()
        screenshot(processor, "dossier")

        # --- the citizen, on another device, looks the dossier up and supplements ---------------
        citizen.context.close()
        citizen = new_page(browser)
        citizen.goto(f"{url}/cong-dich-vu/tra-cuu/")
        citizen.get_by_label("Mã hồ sơ").fill(code)
        citizen.get_by_label("Số điện thoại hoặc 4 ký tự cuối").fill(PHONE)
        citizen.get_by_role("button", name="Tra cứu").click()
        citizen.wait_for_url(f"**/cong-dich-vu/ho-so/{code}/")
        assert citizen.locator(".state-text").inner_text().startswith("Cơ quan yêu cầu bổ sung")
        assert "Tạm dừng — chờ bổ sung" in citizen.locator("dl.facts").inner_text()
        request = citizen.locator(
            "section", has=citizen.get_by_role("heading", name="Yêu cầu bổ sung hồ sơ")
        )
        assert "có đóng dấu của cơ sở y tế" in request.inner_text()
        assert "********4321" in citizen.content() and "030190004321" not in citizen.content()
        screenshot(citizen, "tracking")
        request.get_by_label("Giấy chứng sinh").set_input_files(stamped_copy)
        request.get_by_label("Nội dung bổ sung").fill("Gửi bản sao có dấu của trạm y tế.")
        request.get_by_role("button", name="Gửi bổ sung").click()
        citizen.wait_for_url(f"**/cong-dich-vu/ho-so/{code}/")
        assert "Đã gửi hồ sơ bổ sung" in success_message(citizen)
        dossier.refresh_from_db()
        assert dossier.state == State.PROCESSING
        assert dossier.clock_paused_at is None
        assert dossier.documents.filter(file__endswith=".pdf", digitized=True).count() == 2

        # --- the processor forwards to the leader, who approves ---------------------------------
        processor.reload()
        officer_acts(processor, "Chuyển bước tiếp theo")
        dossier.refresh_from_db()
        assert dossier.state == State.PROCESSING
        assert dossier.current_role == Role.LEADER

        login(leader, live_server, "lanhdao.tiendong")
        leader.get_by_role("link", name=code).click()
        officer_acts(
            leader,
            "Phê duyệt kết quả",
            {"Nội dung kết quả giải quyết": "Cấp Giấy khai sinh bản chính số 123/2024."},
        )
        assert success_message(leader) == "Đã phê duyệt kết quả."
        dossier.refresh_from_db()
        assert dossier.state == State.RESOLVED
        assert dossier.current_role == Role.DESK_OFFICER

        # --- the desk returns the result ----------------------------------------------------------
        desk.goto(f"{url}/ho-so/{code}/")
        officer_acts(desk, "Trả kết quả")
        assert success_message(desk) == "Đã trả kết quả cho công dân."
        dossier.refresh_from_db()
        assert dossier.state == State.RETURNED
        assert dossier.returned_at is not None

        # --- the citizen reads the result and rates ----------------------------------------------
        citizen.reload()
        assert "Cấp Giấy khai sinh bản chính số 123/2024." in citizen.content()
        criteria = citizen.locator("fieldset.rating-criterion")
        for position in range(criteria.count()):
            criteria.nth(position).get_by_label("Rất hài lòng", exact=True).check()
        citizen.get_by_label("Ý kiến khác").fill("Cán bộ hướng dẫn tận tình.")
        citizen.get_by_role("button", name="Gửi đánh giá").click()
        citizen.wait_for_url(f"**/cong-dich-vu/ho-so/{code}/")
        assert "Cảm ơn bạn đã đánh giá" in success_message(citizen)
        assert "Bạn đã đánh giá hồ sơ này: 5/5" in citizen.content()
        rating = Rating.objects.get(dossier=dossier)
        assert (rating.score, rating.comment) == (5, "Cán bộ hướng dẫn tận tình.")

        # --- the supervisor's figures after ------------------------------------------------------
        supervisor.reload()
        assert dashboard_figure(supervisor, ONLINE_RATE) == (1, 1)
        screenshot(supervisor, "dashboard")
        card = supervisor.locator(".cards .card").filter(
            has=supervisor.get_by_role("heading", name=ONLINE_RATE)
        )
        card.locator("p.big a").click()
        supervisor.wait_for_url("**/giam-sat/chi-so/online_dossiers/*")
        assert supervisor.get_by_role("link", name=code).is_visible()
    finally:
        for page in (citizen, desk, processor, leader, supervisor):
            page.context.close()
