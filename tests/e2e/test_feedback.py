"""Feedback and ratings in a real browser: a citizen files feedback on the portal → the officer
sees it in the inbox, answers → the leader approves and publishes → the citizen tracks it by its
code and phone and reads the answer, the public page shows it without personal data; and a
citizen rates a dossier on the desk kiosk by its code."""

import re

import pytest

from motcua.feedback.models import Feedback, FeedbackStatus, Rating, RatingChannel
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import axe_violations, login, new_page
from tests.portal.conftest import returned

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Phạm Thị Hồng"
PHONE = "0913 222 333"


def acts(page, label: str, text: str | None = None) -> None:
    page.locator("details.action > summary", has_text=re.compile(f"^{re.escape(label)}$")).click()
    form = page.locator("details.action[open] form")
    if text is not None:
        form.locator("textarea").first.fill(text)
    form.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_feedback_filed_answered_approved_and_read(browser, live_server, staff, tree):
    url = live_server.url
    citizen, processor, leader = new_page(browser), new_page(browser), new_page(browser)
    try:
        # --- the citizen files feedback --------------------------------------------------------
        citizen.goto(f"{url}/cong-dich-vu/phan-anh-kien-nghi/")
        citizen.get_by_label("Họ và tên").fill(NAME)
        citizen.get_by_label("Số điện thoại").fill(PHONE)
        citizen.get_by_label("Cơ quan, đơn vị được phản ánh").select_option(
            label="UBND xã Tiên Động"
        )
        citizen.get_by_label("Nội dung phản ánh, kiến nghị").fill(
            f"Tôi là {NAME}, gọi 0913222333 nhiều lần nhưng Bộ phận Một cửa không nghe máy."
        )
        citizen.get_by_role("button", name=re.compile("Gửi")).click()
        citizen.wait_for_url("**/phan-anh-kien-nghi/da-gui/")
        item = Feedback.objects.get()
        assert item.reference in citizen.content()

        # --- the processor sees it in the inbox and answers --------------------------------------
        login(processor, live_server, "chuyenvien.tiendong")
        processor.get_by_role("link", name="Phản ánh, kiến nghị").click()
        processor.get_by_role("link", name=item.reference).click()
        acts(processor, "Phân loại")
        acts(processor, "Dự thảo trả lời", "UBND xã đã bố trí thêm người trực điện thoại từ 01/4.")
        assert Feedback.objects.get().status == FeedbackStatus.ANSWERED
        screenshot(processor, "feedback-officer")
        assert axe_violations(processor) == []

        # --- the leader approves and publishes ---------------------------------------------------
        login(leader, live_server, "lanhdao.tiendong")
        leader.goto(f"{url}/phan-anh/{item.reference}/")
        acts(leader, "Lãnh đạo duyệt câu trả lời")
        acts(leader, "Công khai câu trả lời")
        assert Feedback.objects.get().status == FeedbackStatus.PUBLISHED

        # --- the citizen tracks it by code and phone ---------------------------------------------
        citizen.goto(f"{url}/cong-dich-vu/phan-anh-kien-nghi/tra-cuu/")
        citizen.get_by_label("Số phản ánh").fill(item.reference)
        citizen.get_by_label("Số điện thoại hoặc thư điện tử").fill(PHONE)
        citizen.get_by_role("button", name="Tra cứu").click()
        citizen.wait_for_url(f"**/phan-anh-kien-nghi/{item.reference}/")
        assert "bố trí thêm người trực" in citizen.locator("#feedback-answer").inner_text()
        citizen.get_by_label("Hài lòng", exact=True).check()
        citizen.get_by_role("button", name="Gửi đánh giá").click()
        citizen.wait_for_load_state()
        assert Feedback.objects.get().satisfied is True

        # --- the public page shows it without personal data --------------------------------------
        citizen.goto(f"{url}/cong-dich-vu/phan-anh-kien-nghi/da-tra-loi/")
        article = citizen.locator(f"article#{item.reference}")
        text = article.inner_text()
        assert "bố trí thêm người trực" in text
        assert NAME not in text and "0913222333" not in text
        article.get_by_role("button", name=re.compile("Hữu ích")).click()
        citizen.wait_for_load_state()
        assert Feedback.objects.get().likes == 1
        screenshot(citizen, "feedback-published")
        assert axe_violations(citizen) == []
    finally:
        for page in (citizen, processor, leader):
            page.context.close()


def test_rating_on_the_desk_kiosk(browser, live_server, staff, tree, birth_registration):
    dossier = returned(staff=staff, tree=tree, procedure=birth_registration)
    kiosk = new_page(browser, width=1024, height=768)
    try:
        kiosk.goto(f"{live_server.url}/cong-dich-vu/danh-gia-tai-quay/")
        kiosk.get_by_label("Mã hồ sơ").fill(dossier.code)
        kiosk.get_by_role("button", name="Tiếp tục").click()
        kiosk.wait_for_url("**/danh-gia-tai-quay/danh-gia/")
        criteria = kiosk.locator("fieldset.rating-criterion")
        assert criteria.count() == 4
        # Large touch targets: each choice at least 48 px high.
        box = criteria.first.locator("label.rating-choice").first.bounding_box()
        assert box["height"] >= 48
        for position in range(criteria.count()):
            criteria.nth(position).get_by_label("Hài lòng", exact=True).check()
        screenshot(kiosk, "rating-kiosk")
        assert axe_violations(kiosk) == []
        kiosk.get_by_role("button", name="Gửi đánh giá").click()
        kiosk.wait_for_load_state()
        assert "Cảm ơn" in kiosk.get_by_role("heading", level=1).inner_text()
        rating = Rating.objects.get(dossier=dossier)
        assert (rating.score, rating.channel) == (4, RatingChannel.KIOSK)
    finally:
        kiosk.context.close()
