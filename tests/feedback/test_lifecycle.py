"""The feedback lifecycle through its services: every door's entry, each step's rule, the
history, the deadlines and the notification of the answer."""

from datetime import timedelta

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.feedback import rules, services
from motcua.feedback.models import Feedback, FeedbackCategory, FeedbackChannel, FeedbackStatus
from motcua.feedback.redaction import MARK
from motcua.notifications.models import Notification
from motcua.workcalendar.selectors import calendar_get
from tests.conftest import local
from tests.feedback.conftest import MONDAY, PHONE, send

pytestmark = pytest.mark.django_db


def test_received_from_the_portal_with_its_deadlines(sent, tree):
    calendar = calendar_get(unit=tree.tien_dong)
    assert sent.reference == f"PAKN-{sent.pk:06d}"
    assert (sent.status, sent.unit, sent.channel) == (
        FeedbackStatus.RECEIVED,
        tree.tien_dong,
        FeedbackChannel.PORTAL,
    )
    assert sent.clock_from == MONDAY
    # 2, 5 and 15 working days of 8 h: Monday 08:00 + 2 days = Wednesday 08:00, and so on.
    assert sent.refuse_due_at == local(2026, 3, 4, 8, 0)
    assert sent.info_due_at == local(2026, 3, 9, 8, 0)
    assert sent.handle_due_at == local(2026, 3, 23, 8, 0)
    assert calendar.working_seconds_between(MONDAY, sent.handle_due_at) == 15 * 8 * 3600
    assert [e.kind for e in sent.events.all()] == ["received"]


def test_without_a_unit_it_goes_to_the_dossiers_unit_or_the_top(tree, staff):
    assert send(unit=None).unit == tree.province


def test_the_desk_needs_a_staff_role_there(tree, staff):
    item = send(unit=tree.tien_dong, channel=FeedbackChannel.DESK, actor=staff.desk)
    assert item.channel == FeedbackChannel.DESK
    with pytest.raises(PermissionDenied):
        send(unit=tree.tien_dong, channel=FeedbackChannel.DESK, actor=staff.other_desk)


def test_incomplete_feedback_is_refused_and_nothing_written(tree):
    with pytest.raises(ValidationFailed) as error:
        services.feedback_receive(name="A", content="Nội dung", unit=tree.tien_dong)
    assert error.value.code == "feedback_contact_required"
    assert Feedback.objects.count() == 0


def test_import_is_all_or_nothing(tree, staff):
    rows = [
        {
            "name": "A",
            "phone": PHONE,
            "content": "Một",
            "unit": "11143",
            "sent_at": "2026-03-02T08:00:00+07:00",
        },
        {"name": "B", "phone": PHONE, "content": "Hai", "unit": "khong-co"},
    ]
    with pytest.raises(ValidationFailed) as error:
        services.feedback_import(rows=rows)
    assert "Dòng 2" in error.value.message
    assert Feedback.objects.count() == 0
    made = services.feedback_import(rows=rows[:1])
    assert made[0].sent_at == MONDAY and made[0].channel == FeedbackChannel.IMPORT


def test_forwarding_keeps_the_history_and_restarts_the_clock(sent, tree, staff):
    later = MONDAY + timedelta(days=3)
    item = services.feedback_forward(
        actor=staff.processor,
        feedback=sent,
        unit=tree.justice,
        note="Thuộc thẩm quyền Tư pháp",
        at=later,
    )
    assert item.unit == tree.justice and item.clock_from == later
    assert item.handle_due_at == calendar_get(unit=tree.justice).add_working_days(later, 15)
    event = item.events.get(kind="forwarded")
    assert (event.from_unit, event.to_unit) == (tree.tien_dong, tree.justice)
    # The commune's processor no longer holds it; the justice office's does.
    with pytest.raises(PermissionDenied):
        services.feedback_refuse(actor=staff.processor, feedback=item, reason="x")
    services.feedback_refuse(
        actor=staff.justice_processor, feedback=item, reason="Trùng lặp", at=later
    )


def test_other_units_cannot_act(sent, staff):
    with pytest.raises(PermissionDenied):
        services.feedback_answer(actor=staff.other_processor, feedback=sent, answer="x")
    with pytest.raises(PermissionDenied):
        services.feedback_answer(actor=staff.desk, feedback=sent, answer="x")  # not the desk's
    assert Feedback.objects.get().status == FeedbackStatus.RECEIVED


def test_answer_approval_publication_verdict(sent, staff, django_capture_on_commit_callbacks):
    services.feedback_classify(
        actor=staff.processor, feedback=sent, category=FeedbackCategory.CONDUCT
    )
    services.feedback_assign(actor=staff.leader, feedback=sent, handler=staff.processor)
    item = services.feedback_answer(
        actor=staff.processor,
        feedback=sent,
        answer="Đã nhắc nhở cán bộ; liên hệ 0912000111.",
        at=MONDAY + timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        services.feedback_approve(actor=staff.processor, feedback=item)  # leaders approve
    item = services.feedback_return(actor=staff.leader, feedback=item, note="Nêu rõ biện pháp")
    assert item.status == FeedbackStatus.RECEIVED
    item = services.feedback_answer(
        actor=staff.processor, feedback=item, answer="Đã kiểm điểm cán bộ Lê Văn B."
    )
    with django_capture_on_commit_callbacks(execute=False):
        item = services.feedback_approve(
            actor=staff.leader, feedback=item, at=MONDAY + timedelta(days=2)
        )
    assert item.status == FeedbackStatus.APPROVED and not item.late
    assert item.publish_due_at == local(2026, 3, 6, 8, 0)
    assert set(Notification.objects.values_list("channel", flat=True)) == {"email", "sms"}
    # Each message's send task is queued in the approval's own transaction (the database queue).
    queued = DBTaskResult.objects.filter(task_path__endswith=".notification_send")
    assert {row.args_kwargs["kwargs"]["notification_id"] for row in queued} == set(
        Notification.objects.values_list("pk", flat=True)
    )
    item = services.feedback_publish(
        actor=staff.processor, feedback=item, at=MONDAY + timedelta(days=3)
    )
    assert item.status == FeedbackStatus.PUBLISHED
    assert "Lê Thị Mai" not in item.published_content
    assert "0987 654 321" not in item.published_content and MARK in item.published_content
    item = services.feedback_verdict(feedback=item, satisfied=True)
    assert item.satisfied is True
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [
        "received",
        "classified",
        "assigned",
        "answered",
        "returned",
        "answered",
        "approved",
        "published",
        "verdict",
    ]


def test_a_rolled_back_approval_sends_nothing(sent, staff, django_capture_on_commit_callbacks):
    services.feedback_answer(actor=staff.processor, feedback=sent, answer="Trả lời")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.feedback_approve(actor=staff.leader, feedback=sent)
        raise RuntimeError("the caller's later step failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Feedback.objects.get().status == FeedbackStatus.ANSWERED


def test_steps_after_their_limit_are_late_for_good(sent, staff):
    item = services.feedback_refuse(
        actor=staff.processor,
        feedback=sent,
        reason="Không rõ nội dung",
        at=sent.refuse_due_at + timedelta(seconds=1),
    )
    assert item.late
    item = services.feedback_raise_again(
        feedback=item, reason="Nội dung đã rõ", at=MONDAY + timedelta(days=7)
    )
    assert item.raised_again == 1 and item.status == FeedbackStatus.RECEIVED and item.late


def test_info_request_then_supply_restarts_the_clock(sent, staff):
    item = services.feedback_request_info(
        actor=staff.processor, feedback=sent, question="Ngày nào?", at=MONDAY
    )
    assert not rules.is_late_at(item, MONDAY + timedelta(days=60))  # waiting for the sender
    with pytest.raises(InvalidTransition):
        services.feedback_answer(actor=staff.processor, feedback=item, answer="x")
    supplied = MONDAY + timedelta(days=10)
    item = services.feedback_supply_info(feedback=item, text="Ngày 01/3", at=supplied)
    assert item.status == FeedbackStatus.RECEIVED and item.clock_from == supplied
    assert "Ngày 01/3" in item.content


def test_reactions_only_on_published_answers(sent, staff):
    with pytest.raises(InvalidTransition):
        services.feedback_react(feedback=sent, like=False)
