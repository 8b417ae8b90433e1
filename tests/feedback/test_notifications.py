"""The sender of feedback is told of the answer after the approval commits (a rolled-back one
sends nothing), once per approval, retried through the stand-in SMS gateway with every attempt
recorded; the result message carries the rating link."""

import pytest
from django.core import mail
from django.db import transaction

from motcua.dossiers import services as dossier_services
from motcua.feedback import services
from motcua.feedback.models import Feedback
from motcua.notifications.models import Notification, NotificationAttempt
from tests.feedback.conftest import send
from tests.notifications.helpers import receive

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def answered(staff, tree, text="Đã chấn chỉnh việc tiếp nhận."):
    item = send(unit=tree.tien_dong)
    return services.feedback_answer(actor=staff.processor, feedback=item, answer=text)


def test_approval_commits_then_the_sender_is_told_once(immediate_tasks, client, staff, tree):
    item = answered(staff, tree)
    with pytest.raises(Rollback), transaction.atomic():
        services.feedback_approve(actor=staff.leader, feedback=item)
        raise Rollback
    assert mail.outbox == [] and Notification.objects.count() == 0
    assert Feedback.objects.get().status == "answered"
    services.feedback_approve(actor=staff.leader, feedback=item)
    assert [m.subject for m in mail.outbox] == [f"Trả lời phản ánh, kiến nghị {item.reference}"]
    assert "Đã chấn chỉnh việc tiếp nhận." in mail.outbox[0].body
    assert "Lê Thị Mai" not in mail.outbox[0].body  # only what the message needs
    assert Notification.objects.filter(status="sent").count() == 2  # e-mail and SMS
    # Each attempt is on the feedback's page, addresses masked.
    client.force_login(staff.leader)
    page = client.get(f"/phan-anh/{item.reference}/").content.decode()
    assert "Thông báo cho người gửi" in page and "Gửi được" in page
    assert "0912000111" not in page.rsplit("Thông báo cho người gửi", 1)[1]
    # Raised again and answered anew: told again.
    item = services.feedback_raise_again(feedback=Feedback.objects.get(), reason="Chưa rõ")
    item = services.feedback_answer(actor=staff.processor, feedback=item, answer="Lần hai")
    services.feedback_approve(actor=staff.leader, feedback=item)
    assert len(mail.outbox) == 2 and "Lần hai" in mail.outbox[1].body


def test_the_answer_by_sms_is_retried_through_the_stand_in(
    immediate_tasks, standin_gateway, settings, staff, tree
):
    settings.MOTCUA_NOTIFY_CHANNELS = ["sms"]
    standin_gateway.fail_next = 2
    services.feedback_approve(actor=staff.leader, feedback=answered(staff, tree))
    outcomes = list(
        NotificationAttempt.objects.order_by("number").values_list("outcome", flat=True)
    )
    assert outcomes == ["retry", "retry", "sent"]
    [delivered] = standin_gateway.delivered.values()
    assert delivered["to"] == "84912000111"


def test_the_result_message_carries_the_rating_link(
    immediate_tasks, client, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    dossier = dossier_services.dossier_forward(actor=staff.desk, dossier=dossier)
    dossier = dossier_services.dossier_forward(actor=staff.processor, dossier=dossier)
    dossier_services.dossier_resolve(actor=staff.leader, dossier=dossier, result_summary="Giấy")
    email = next(m for m in mail.outbox if "đã có kết quả" in m.subject)
    link = next(w for w in email.body.split() if "/cong-dich-vu/danh-gia/" in w)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and "Gửi đánh giá" in page.content.decode()
