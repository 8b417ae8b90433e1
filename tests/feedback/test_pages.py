"""The officers' feedback pages and the citizen's tracking: the inbox flags overdue and soon-due
feedback of the user's units only; actions go through the services; tracking needs the code and
the phone (or e-mail) given."""

from datetime import timedelta

import pytest

from motcua.core import timeutil
from motcua.feedback.models import Feedback, FeedbackStatus
from tests.feedback.conftest import PHONE, send

pytestmark = pytest.mark.django_db

INBOX = "/phan-anh/"


def test_inbox_flags_late_and_soon_due(client, staff, tree):
    now = timeutil.now()
    late = send(unit=tree.tien_dong, at=now - timedelta(days=40))
    soon = send(unit=tree.tien_dong, at=now - timedelta(days=19))
    # Due dates as stored, whatever holidays fall around today.
    Feedback.objects.filter(pk=late.pk).update(handle_due_at=now - timedelta(hours=1))
    Feedback.objects.filter(pk=soon.pk).update(handle_due_at=now + timedelta(hours=1))
    fresh = send(unit=tree.tien_dong, at=now)
    elsewhere = send(unit=tree.cong_lac, at=now)
    client.force_login(staff.processor)
    page = client.get(INBOX).content.decode()
    assert late.reference in page and soon.reference in page and fresh.reference in page
    assert elsewhere.reference not in page
    assert "Quá hạn: 1" in page
    # The officers' menu shows the count on every page.
    assert "(1 quá hạn)" in client.get("/ho-so/").content.decode()
    only_late = client.get(f"{INBOX}?loc=late").content.decode()
    assert late.reference in only_late and fresh.reference not in only_late
    assert soon.reference in client.get(f"{INBOX}?loc=soon_due").content.decode()


def test_detail_and_actions_through_the_services(client, staff, tree):
    item = send(unit=tree.tien_dong)
    client.force_login(staff.other_processor)
    assert client.get(f"{INBOX}{item.reference}/").status_code == 404
    client.force_login(staff.processor)
    page = client.get(f"{INBOX}{item.reference}/").content.decode()
    assert "Dự thảo trả lời" in page and "Lãnh đạo duyệt" not in page
    empty = client.post(f"{INBOX}{item.reference}/thao-tac/answered/", {"text": ""}, follow=True)
    assert "Hãy nhập nội dung trả lời." in empty.content.decode()
    done = client.post(
        f"{INBOX}{item.reference}/thao-tac/answered/", {"text": "Đã xử lý"}, follow=True
    )
    assert "Đã thực hiện: Dự thảo trả lời." in done.content.decode()
    assert Feedback.objects.get().status == FeedbackStatus.ANSWERED
    refused = client.post(f"{INBOX}{item.reference}/thao-tac/approved/", follow=True)
    assert "không có quyền" in refused.content.decode()


def test_tracking_needs_the_code_and_the_phone(client, staff, tree):
    item = send(unit=tree.tien_dong)
    url = "/cong-dich-vu/phan-anh-kien-nghi/tra-cuu/"
    assert client.get(f"/cong-dich-vu/phan-anh-kien-nghi/{item.reference}/").status_code == 302
    wrong = client.post(url, {"reference": item.reference, "contact": "0900000000"})
    assert "Không tìm thấy phản ánh" in wrong.content.decode()
    right = client.post(url, {"reference": item.reference, "contact": "+84 " + PHONE[1:]})
    assert right["Location"] == f"/cong-dich-vu/phan-anh-kien-nghi/{item.reference}/"
    page = client.get(right["Location"]).content.decode()
    assert "Đang xử lý" in page and "UBND xã Tiên Động" in page


def test_the_desk_records_feedback(client, staff, tree):
    client.force_login(staff.desk)
    form = client.get(f"{INBOX}tiep-nhan/").content.decode()
    assert "UBND xã Tiên Động" in form and "UBND xã Cộng Lạc" not in form
    response = client.post(
        f"{INBOX}tiep-nhan/",
        {
            "name": "Trần Văn Hải",
            "phone": "0912000222",
            "unit": tree.tien_dong.pk,
            "content": "Ý kiến",
        },
    )
    item = Feedback.objects.get()
    assert response["Location"] == f"{INBOX}{item.reference}/"
    assert (item.channel, item.unit) == ("desk", tree.tien_dong)
    outside = client.post(
        f"{INBOX}tiep-nhan/",
        {"name": "A", "phone": "0912000222", "unit": tree.cong_lac.pk, "content": "Ý kiến"},
    )
    assert outside.status_code == 200 and Feedback.objects.count() == 1


def test_reactions_once_per_session_and_a_few_per_address(staff, tree):
    from django.test import Client

    from motcua.feedback import services

    item = send(unit=tree.tien_dong)
    item = services.feedback_answer(actor=staff.processor, feedback=item, answer="Đã xử lý")
    item = services.feedback_approve(actor=staff.leader, feedback=item)
    services.feedback_publish(actor=staff.processor, feedback=item)
    url = f"/cong-dich-vu/phan-anh-kien-nghi/da-tra-loi/{item.reference}/y-kien/"
    one = Client()
    one.post(url, {"y_kien": "khong-thich"})
    one.post(url, {"y_kien": "khong-thich"})
    assert Feedback.objects.get().dislikes == 1
    for _ in range(10):  # cookie-less clients from one address
        Client().post(url, {"y_kien": "khong-thich"})
    assert Feedback.objects.get().dislikes == 5
