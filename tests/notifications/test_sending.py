"""Messages leave only after the action commits, once, to the addresses the applicant gave, in
Vietnamese, without the ID number; every attempt is on the dossier."""

import dataclasses
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.core.errors import PermissionDenied
from motcua.dossiers import services
from motcua.notifications.models import (
    AttemptOutcome,
    MessageTemplate,
    Notification,
    NotificationAttempt,
    NotificationStatus,
)
from motcua.notifications.services import feedback_answer_notify, message_template_save
from tests.conftest import handed_in, local
from tests.notifications.helpers import APPLICANT, ID_NUMBER, receive

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def test_a_rolled_back_action_sends_nothing(immediate_tasks, staff, tree, birth_registration):
    with pytest.raises(Rollback), transaction.atomic():
        receive(staff, tree, birth_registration)
        raise Rollback
    assert mail.outbox == []
    assert Notification.objects.count() == 0
    assert NotificationAttempt.objects.count() == 0


def test_a_refused_action_sends_nothing(immediate_tasks, staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        services.dossier_request_supplement(
            actor=staff.other_processor, dossier=dossier, content="Thiếu giấy chứng sinh"
        )
    assert mail.outbox == []
    assert Notification.objects.filter(kind="supplement_requested").count() == 0


def test_a_committed_receipt_sends_one_email_and_one_sms(
    immediate_tasks, staff, tree, birth_registration, caplog
):
    with caplog.at_level(logging.INFO, logger="motcua.notifications.sms"):
        dossier = receive(staff, tree, birth_registration)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["an.nguyen@example.vn"]
    assert email.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert "UBND xã Tiên Động đã tiếp nhận hồ sơ" in email.body
    assert '"Đăng ký khai sinh"' in email.body
    assert "Ngày hẹn trả kết quả: 15/02/2024 10:00." in email.body
    link = f"https://dichvucong.example.gov.vn/cong-dich-vu/tra-cuu/?ma={dossier.code}"
    assert link in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    sms_logs = [r.getMessage() for r in caplog.records if r.name == "motcua.notifications.sms"]
    assert len(sms_logs) == 1
    assert "849*****678" in sms_logs[0] and dossier.code in sms_logs[0]
    for text in (email.subject, email.body, sms_logs[0]):
        assert ID_NUMBER not in text and ID_NUMBER[-4:] not in text
        assert "Nguyễn Văn An" not in text and "Thôn Đông" not in text
    attempts = list(NotificationAttempt.objects.filter(dossier=dossier).order_by("pk"))
    assert [(a.notification.channel, a.number, a.outcome) for a in attempts] == [
        ("email", 1, AttemptOutcome.SENT),
        ("sms", 1, AttemptOutcome.SENT),
    ]
    assert attempts[0].provider_id == email.extra_headers["Message-ID"]
    assert {n.status for n in Notification.objects.all()} == {NotificationStatus.SENT}
    # Nothing the applicant does not need is kept with the message.
    assert set(Notification.objects.values_list("address_masked", flat=True)) == {
        "a********@example.vn",
        "091****678",
    }


def test_sending_again_sends_nothing_more(immediate_tasks, staff, tree, birth_registration):
    from motcua.notifications.tasks import event_notify, notification_send

    dossier = receive(staff, tree, birth_registration)
    event = dossier.events.get()
    event_notify.enqueue(event_id=event.pk)  # a duplicate of the queued task
    for notification in Notification.objects.all():
        notification_send.enqueue(notification_id=notification.pk)
    assert len(mail.outbox) == 1
    assert NotificationAttempt.objects.count() == 2


def test_only_the_contacts_the_applicant_gave(immediate_tasks, staff, tree, birth_registration):
    receive(staff, tree, birth_registration, applicant=dataclasses.replace(APPLICANT, email=""))
    assert mail.outbox == []
    assert list(Notification.objects.values_list("channel", flat=True)) == ["sms"]
    receive(
        staff,
        tree,
        birth_registration,
        applicant=dataclasses.replace(APPLICANT, email="", phone=""),
    )
    assert Notification.objects.count() == 1


def test_channels_and_templates_can_be_turned_off(
    immediate_tasks, settings, staff, tree, birth_registration
):
    settings.MOTCUA_NOTIFY_CHANNELS = ["email"]
    receive(staff, tree, birth_registration)
    assert list(Notification.objects.values_list("channel", flat=True)) == ["email"]
    message_template_save(
        kind="received", channel="email", subject="{ma_ho_so}", body="{ma_ho_so}", enabled=False
    )
    receive(staff, tree, birth_registration)
    assert Notification.objects.count() == 1
    settings.MOTCUA_NOTIFY_CHANNELS = []
    MessageTemplate.objects.update(enabled=True)
    receive(staff, tree, birth_registration)
    assert Notification.objects.count() == 1


def test_every_notified_action_in_vietnamese_with_its_data(
    immediate_tasks, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    dossier = services.dossier_request_supplement(
        actor=staff.processor,
        dossier=dossier,
        content="Bổ sung bản sao Giấy chứng sinh",
        at=local(2024, 2, 7, 11, 0),
    )
    dossier = services.dossier_receive_supplement(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 15, 8, 0)
    )
    dossier = services.dossier_request_financial_obligation(
        actor=staff.processor,
        dossier=dossier,
        content="Nộp lệ phí đăng ký khai sinh",
        amount=1250000,
        at=local(2024, 2, 15, 9, 0),
    )
    dossier = services.dossier_fulfil_financial_obligation(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 15, 10, 0)
    )
    new_due = local(2024, 2, 21, 16, 0)
    dossier = services.dossier_apologise(
        actor=staff.processor,
        dossier=dossier,
        new_due_at=new_due,
        reason="Cần xác minh thêm thông tin",
        at=local(2024, 2, 16, 9, 0),
    )
    dossier = services.dossier_forward(
        actor=staff.processor, dossier=dossier, at=local(2024, 2, 16, 10, 0)
    )
    dossier = services.dossier_resolve(
        actor=staff.leader,
        dossier=dossier,
        result_summary="Giấy khai sinh bản chính",
        at=local(2024, 2, 16, 11, 0),
    )
    subjects = [m.subject for m in mail.outbox]
    code = dossier.code
    assert subjects == [
        f"Hồ sơ {code} đã được tiếp nhận",
        f"Hồ sơ {code} cần bổ sung",
        f"Hồ sơ {code}: thông báo nghĩa vụ tài chính",
        f"Hồ sơ {code}: xin lỗi và hẹn lại ngày trả kết quả",
        f"Hồ sơ {code} đã có kết quả",
    ]
    bodies = [m.body for m in mail.outbox]
    assert "Bổ sung bản sao Giấy chứng sinh" in bodies[1]
    assert "Nộp lệ phí đăng ký khai sinh" in bodies[2] and "Số tiền: 1.250.000 đồng." in bodies[2]
    assert "Lý do: Cần xác minh thêm thông tin" in bodies[3]
    assert "Ngày hẹn trả kết quả mới: 21/02/2024 16:00." in bodies[3]
    assert "đã có kết quả giải quyết" in bodies[4]
    sms = Notification.objects.filter(channel="sms").order_by("pk")
    assert [n.kind for n in sms] == [
        "received",
        "supplement_requested",
        "financial_obligation_requested",
        "apologised",
        "resolved",
    ]
    assert "1.250.000 đồng" in sms[2].body and "21/02/2024 16:00" in sms[3].body
    for text in [*bodies, *(n.body for n in sms)]:
        assert ID_NUMBER not in text and "Nguyễn Văn An" not in text


def test_an_online_submission_is_notified_when_accepted(
    immediate_tasks, staff, tree, birth_registration
):
    dossier = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=APPLICANT,
        at=local(2024, 2, 7, 9, 0),
    )
    assert mail.outbox == []
    services.dossier_accept(actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 0))
    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {dossier.code} đã được tiếp nhận"]


def test_an_edited_template_is_used(immediate_tasks, staff, tree, birth_registration):
    message_template_save(
        kind="received",
        channel="email",
        subject="[Một Cửa] {ma_ho_so}",
        body="Đã nhận hồ sơ {ma_ho_so} ({ten_thu_tuc}), hẹn {ngay_hen_tra}.",
    )
    dossier = receive(staff, tree, birth_registration)
    assert mail.outbox[0].subject == f"[Một Cửa] {dossier.code}"
    assert mail.outbox[0].body == (
        f"Đã nhận hồ sơ {dossier.code} (Đăng ký khai sinh), hẹn 15/02/2024 10:00."
    )


def test_feedback_answers_are_sent_after_commit_and_once(immediate_tasks, db):
    with pytest.raises(Rollback), transaction.atomic():
        feedback_answer_notify(
            reference="PAKN-000007", answer="Đã chấn chỉnh.", email="binh@example.vn"
        )
        raise Rollback
    assert mail.outbox == [] and Notification.objects.count() == 0
    with transaction.atomic():
        feedback_answer_notify(
            reference="PAKN-000007",
            answer="Cơ quan đã chấn chỉnh việc tiếp nhận.",
            email="binh@example.vn",
            phone="0987654321",
        )
        assert mail.outbox == []  # not before the commit
    feedback_answer_notify(reference="PAKN-000007", answer="lần hai", email="binh@example.vn")
    assert [m.subject for m in mail.outbox] == ["Trả lời phản ánh, kiến nghị PAKN-000007"]
    assert "Cơ quan đã chấn chỉnh việc tiếp nhận." in mail.outbox[0].body
    assert Notification.objects.filter(status="sent").count() == 2


def test_the_dossier_page_lists_the_attempts_masked(
    immediate_tasks, client, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    client.force_login(staff.desk)
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "Thông báo cho người nộp hồ sơ" in page
    assert "091****678" in page and "a********@example.vn" in page
    assert "0912345678" not in page and "an.nguyen@example.vn" not in page
    assert page.count("Gửi được") == 2


def test_the_message_task_is_queued_in_the_events_own_transaction(
    database_tasks, staff, tree, birth_registration
):
    """Committed with the event or not at all: no crash between the two can lose a message."""
    with transaction.atomic():
        dossier = receive(staff, tree, birth_registration)
        event = dossier.events.get()
        queued = DBTaskResult.objects.get()  # written beside the event, not after the commit
        assert queued.task_path == "motcua.notifications.tasks.event_notify"
        assert queued.args_kwargs["kwargs"] == {"event_id": event.pk}
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []  # the worker sends, not the officer's request
    # An action rolled back leaves no task behind for an event that never was.
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(staff, tree, birth_registration)
        raise RuntimeError("the request failed after the action")
    assert DBTaskResult.objects.count() == 1


def test_no_retry_beyond_the_limit(immediate_tasks, settings, staff, tree, birth_registration):
    settings.MOTCUA_NOTIFY_CHANNELS = ["email"]
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.BrokenEmailBackend"
    dossier = receive(staff, tree, birth_registration)
    attempts = list(dossier.notification_attempts.order_by("number"))
    assert [a.outcome for a in attempts] == ["retry", "retry", "failed"]
    assert all("Máy chủ thư lỗi" in a.error for a in attempts)
    assert Notification.objects.get().status == NotificationStatus.FAILED


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("máy chủ thư tắt")


def test_retry_delay_doubles_and_is_capped(settings):
    from motcua.notifications.services import retry_delay

    settings.MOTCUA_NOTIFY_RETRY_SECONDS = 60
    assert [retry_delay(attempt=n) for n in (1, 2, 3)] == [
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
    ]
    assert retry_delay(attempt=20) == timedelta(hours=1)


def test_paused_history_messages_nobody(immediate_tasks, staff, tree, birth_registration):
    from motcua.notifications.services import notifications_paused

    with notifications_paused():
        receive(staff, tree, birth_registration)
    assert mail.outbox == [] and Notification.objects.count() == 0
    receive(staff, tree, birth_registration)
    assert len(mail.outbox) == 1
