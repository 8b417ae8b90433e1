"""Writes: the feedback lifecycle and satisfaction ratings. Every door — the portal, the officers'
pages, the admin, the API, the import and the demo — calls these; each takes the action's row in
feedback.rules.ACTIONS for who may act and from which state, writes one FeedbackEvent and the
row's new state in one transaction. `at=` lets the demo and the import replay past moments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.core import timeutil
from motcua.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.dossiers.models import Dossier, State
from motcua.feedback import rules
from motcua.feedback.models import (
    Feedback,
    FeedbackCategory,
    FeedbackChannel,
    FeedbackEvent,
    FeedbackStatus,
    Rating,
    RatingChannel,
    RatingScore,
)
from motcua.feedback.redaction import redact
from motcua.units.models import Role, Unit
from motcua.units.selectors import unit_get_by_code, user_has_role
from motcua.workcalendar.selectors import calendar_get

MAX_TEXT = 5000


def _text(value: str, *, limit: int = MAX_TEXT) -> str:
    return (value or "").strip()[:limit]


def _phone_digits(phone: str) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


def feedback_default_unit() -> Unit | None:
    """Where feedback naming no unit and no dossier goes: the top of the unit tree (the
    province), whose office assigns it on."""
    return Unit.objects.filter(parent__isnull=True).order_by("path").first()


def _start_clock(feedback: Feedback, at: datetime) -> None:
    deadlines = rules.deadlines_from(calendar=calendar_get(unit=feedback.unit), start=at)
    feedback.clock_from = at
    feedback.refuse_due_at = deadlines.refuse
    feedback.info_due_at = deadlines.info
    feedback.handle_due_at = deadlines.handle
    feedback.publish_due_at = None


def _event(
    feedback: Feedback,
    *,
    kind: str,
    at: datetime,
    actor,
    from_status: str,
    note: str = "",
    from_unit: Unit | None = None,
    to_unit: Unit | None = None,
) -> FeedbackEvent:
    feedback.last_seq += 1
    return FeedbackEvent.objects.create(
        feedback=feedback,
        seq=feedback.last_seq,
        kind=kind,
        at=at,
        actor=actor,
        from_status=from_status,
        to_status=feedback.status,
        from_unit=from_unit,
        to_unit=to_unit,
        note=note,
    )


# --- receiving -----------------------------------------------------------------------------------


@transaction.atomic
def feedback_receive(
    *,
    name: str,
    content: str,
    phone: str = "",
    email: str = "",
    channel: str = FeedbackChannel.PORTAL,
    unit: Unit | None = None,
    dossier: Dossier | None = None,
    procedure: Procedure | None = None,
    category: str = "",
    actor=None,
    at: datetime | None = None,
) -> Feedback:
    """A feedback from any door. It goes to the unit named, else the dossier's, else the top of
    the tree; its clock starts at `at` (the sending; an import gives the original moment)."""
    name, content = " ".join((name or "").split())[:255], _text(content)
    if not name or not content:
        raise ValidationFailed(
            "Chưa nhập họ tên hoặc nội dung phản ánh.", code="feedback_incomplete"
        )
    phone, email = (phone or "").strip()[:32], (email or "").strip()[:254]
    if not phone and not email:
        raise ValidationFailed(
            "Hãy để lại số điện thoại hoặc thư điện tử để cơ quan trả lời.",
            code="feedback_contact_required",
        )
    if channel not in FeedbackChannel.values:
        raise ValidationFailed("Kênh tiếp nhận không hợp lệ.", code="feedback_channel_invalid")
    if category and category not in FeedbackCategory.values:
        raise ValidationFailed("Phân loại không hợp lệ.", code="feedback_category_invalid")
    unit = unit or (dossier.unit if dossier is not None else None) or feedback_default_unit()
    if unit is None:
        raise ValidationFailed("Chưa có cơ quan nào để tiếp nhận.", code="feedback_no_unit")
    # At the desk and through the API someone of the receiving unit takes it in; from the portal
    # and by import the citizen's own sending (or the file) stands for itself.
    if channel in (FeedbackChannel.DESK, FeedbackChannel.API) and not user_has_role(
        user=actor, role=(Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER), unit=unit
    ):
        raise PermissionDenied(
            "Bạn không có quyền tiếp nhận phản ánh cho cơ quan này.", code="feedback_forbidden"
        )
    now = timeutil.now()
    at = at or now
    if at > now:
        raise ValidationFailed(
            "Thời điểm gửi phản ánh không thể ở tương lai.", code="feedback_sent_in_future"
        )
    feedback = Feedback(
        name=name,
        phone=phone,
        email=email,
        content=content,
        channel=channel,
        category=category,
        dossier=dossier,
        procedure=procedure or (dossier.procedure if dossier is not None else None),
        unit=unit,
        status=FeedbackStatus.RECEIVED,
        sent_at=at,
    )
    _start_clock(feedback, at)
    feedback.save()
    _event(
        feedback,
        kind="received",
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status="",
        to_unit=unit,
        note=FeedbackChannel(channel).label,
    )
    feedback.save(update_fields=["last_seq"])
    return feedback


def feedback_import(*, rows: Iterable[dict], actor=None) -> list[Feedback]:
    """Feedback from another system (a CSV or the national portal): each row as `feedback_receive`
    takes it, `sent_at` the original sending. All or nothing."""
    units = {}
    made = []
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            code = (row.get("unit") or "").strip()
            unit = None
            if code:
                unit = units.get(code) or unit_get_by_code(code=code)
                if unit is None:
                    raise ValidationFailed(
                        f"Dòng {number}: không có đơn vị mã “{code}”.", code="feedback_import_unit"
                    )
                units[code] = unit
            dossier = None
            if row.get("dossier"):
                dossier = Dossier.objects.filter(code=row["dossier"].strip()).first()
            sent_at = row.get("sent_at")
            if isinstance(sent_at, str) and sent_at.strip():
                sent_at = timeutil.parse_aware(sent_at.strip())
            try:
                made.append(
                    feedback_receive(
                        name=row.get("name", ""),
                        content=row.get("content", ""),
                        phone=row.get("phone", ""),
                        email=row.get("email", ""),
                        channel=FeedbackChannel.IMPORT,
                        unit=unit,
                        dossier=dossier,
                        category=row.get("category", ""),
                        actor=actor,
                        at=sent_at or None,
                    )
                )
            except ValidationFailed as error:
                raise ValidationFailed(
                    f"Dòng {number}: {error.message}", code=error.code, details={"row": number}
                ) from error
    return made


# --- the officers' steps -------------------------------------------------------------------------


def _locked(feedback: Feedback) -> Feedback:
    try:
        return (
            Feedback.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=feedback.pk)
        )
    except Feedback.DoesNotExist:
        raise NotFound("Không tìm thấy phản ánh, kiến nghị.", code="feedback_not_found") from None


def _check(feedback: Feedback, action: str, actor) -> rules.FeedbackAction:
    row = rules.ACTIONS[action]
    if not rules.action_allows(action=action, status=feedback.status):
        raise InvalidTransition(
            f"Không thể “{row.label.lower()}” khi phản ánh đang ở trạng thái "
            f"“{feedback.get_status_display().lower()}”.",
            code="feedback_invalid_state",
        )
    if rules.CITIZEN in row.roles:
        return row
    if not user_has_role(user=actor, role=row.roles, unit=feedback.unit):
        raise PermissionDenied(
            f"Bạn không có quyền “{row.label.lower()}” cho phản ánh này.",
            code="feedback_forbidden",
        )
    return row


def _step(
    feedback: Feedback,
    *,
    action: str,
    actor,
    at: datetime | None,
    note: str = "",
    change=None,
) -> Feedback:
    """Lock, check, apply `change(feedback, at)`, judge the step against its limit, record."""
    feedback = _locked(feedback)
    row = _check(feedback, action, actor)
    at = at or timeutil.now()
    before, before_unit = feedback.status, feedback.unit
    if change is not None:
        change(feedback, at)
    if rules.step_is_late(action=action, at=at, facts=feedback):
        feedback.late = True
    if row.to_state is not None:
        feedback.status = row.to_state
    moved = feedback.unit_id != (before_unit.pk if before_unit else None)
    _event(
        feedback,
        kind=action,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=before,
        note=note,
        from_unit=before_unit if moved else None,
        to_unit=feedback.unit if moved else None,
    )
    feedback.save()
    return feedback


@transaction.atomic
def feedback_classify(
    *,
    actor,
    feedback: Feedback,
    category: str,
    dossier: Dossier | None = None,
    procedure: Procedure | None = None,
    at: datetime | None = None,
) -> Feedback:
    if category not in FeedbackCategory.values:
        raise ValidationFailed("Hãy chọn phân loại phản ánh.", code="feedback_category_invalid")

    def change(f: Feedback, _at):
        f.category = category
        if dossier is not None:
            f.dossier = dossier
            f.procedure = procedure or dossier.procedure
        elif procedure is not None:
            f.procedure = procedure

    return _step(
        feedback,
        action="classified",
        actor=actor,
        at=at,
        note=FeedbackCategory(category).label,
        change=change,
    )


@transaction.atomic
def feedback_assign(*, actor, feedback: Feedback, handler, at: datetime | None = None) -> Feedback:
    locked = _locked(feedback)
    if not user_has_role(user=handler, role=(Role.PROCESSOR, Role.LEADER), unit=locked.unit):
        raise ValidationFailed(
            "Cán bộ được giao phải là chuyên viên hoặc lãnh đạo của cơ quan xử lý.",
            code="feedback_handler_invalid",
        )

    def change(f: Feedback, _at):
        f.handler = handler

    name = handler.get_full_name() or handler.get_username()
    return _step(locked, action="assigned", actor=actor, at=at, note=name, change=change)


@transaction.atomic
def feedback_forward(
    *, actor, feedback: Feedback, unit: Unit, note: str = "", at: datetime | None = None
) -> Feedback:
    """Hand the feedback to another unit: the history keeps both units, the clock starts again."""
    locked = _locked(feedback)
    if unit.pk == locked.unit_id:
        raise ValidationFailed(
            "Phản ánh đang ở chính cơ quan này.", code="feedback_forward_same_unit"
        )

    def change(f: Feedback, moment):
        f.unit = unit
        f.handler = None
        _start_clock(f, moment)

    return _step(locked, action="forwarded", actor=actor, at=at, note=_text(note), change=change)


@transaction.atomic
def feedback_refuse(*, actor, feedback: Feedback, reason: str, at: datetime | None = None):
    reason = _text(reason)
    if not reason:
        raise ValidationFailed("Hãy nêu lý do từ chối.", code="feedback_reason_required")

    def change(f: Feedback, moment):
        f.refused_at, f.refusal_reason = moment, reason

    return _step(feedback, action="refused", actor=actor, at=at, note=reason, change=change)


@transaction.atomic
def feedback_request_info(*, actor, feedback: Feedback, question: str, at: datetime | None = None):
    question = _text(question)
    if not question:
        raise ValidationFailed("Hãy nêu thông tin cần bổ sung.", code="feedback_question_required")

    def change(f: Feedback, moment):
        f.info_requested_at, f.info_request = moment, question

    return _step(
        feedback, action="info_requested", actor=actor, at=at, note=question, change=change
    )


@transaction.atomic
def feedback_supply_info(*, feedback: Feedback, text: str, at: datetime | None = None):
    """The sender answers the request for information: a new sending, the clock starts again."""
    text = _text(text)
    if not text:
        raise ValidationFailed("Hãy nhập thông tin bổ sung.", code="feedback_text_required")

    def change(f: Feedback, moment):
        f.content = f"{f.content}\n\n— Bổ sung: {text}"[: MAX_TEXT * 2]
        _start_clock(f, moment)

    return _step(feedback, action="info_supplied", actor=None, at=at, note=text, change=change)


@transaction.atomic
def feedback_answer(*, actor, feedback: Feedback, answer: str, at: datetime | None = None):
    answer = _text(answer)
    if not answer:
        raise ValidationFailed("Hãy nhập nội dung trả lời.", code="feedback_answer_required")

    def change(f: Feedback, moment):
        f.answer, f.answered_at = answer, moment

    return _step(feedback, action="answered", actor=actor, at=at, change=change)


@transaction.atomic
def feedback_return(*, actor, feedback: Feedback, note: str, at: datetime | None = None):
    note = _text(note)
    if not note:
        raise ValidationFailed("Hãy nêu điều cần sửa.", code="feedback_note_required")
    return _step(feedback, action="returned", actor=actor, at=at, note=note)


@transaction.atomic
def feedback_approve(*, actor, feedback: Feedback, at: datetime | None = None) -> Feedback:
    """The leader approves the answer: the feedback is handled (judged against the 15 days), the
    publication clock starts, and the sender is told — after the commit, by the worker."""
    from motcua.notifications.services import feedback_answer_notify

    def change(f: Feedback, moment):
        f.handled_at = moment
        f.publish_due_at = rules.publish_due(calendar=calendar_get(unit=f.unit), handled_at=moment)

    feedback = _step(feedback, action="approved", actor=actor, at=at, change=change)
    # One message per approval: an answer raised again and approved anew is told again.
    feedback_answer_notify(
        reference=feedback.reference,
        occasion=str(feedback.last_seq),
        answer=feedback.answer,
        phone=feedback.phone,
        email=feedback.email,
        dossier=feedback.dossier,
    )
    return feedback


@transaction.atomic
def feedback_publish(
    *,
    actor,
    feedback: Feedback,
    content: str | None = None,
    answer: str | None = None,
    at: datetime | None = None,
) -> Feedback:
    """Publish on the portal. Whatever text is given, personal data is removed."""

    def change(f: Feedback, moment):
        names = [f.name]
        f.published_content = redact(_text(content) if content else f.content, names=names)
        f.published_answer = redact(_text(answer) if answer else f.answer, names=names)
        f.published_at = moment

    return _step(feedback, action="published", actor=actor, at=at, change=change)


# --- the sender and the public -------------------------------------------------------------------


@transaction.atomic
def feedback_verdict(*, feedback: Feedback, satisfied: bool, at: datetime | None = None):
    def change(f: Feedback, _moment):
        f.satisfied = bool(satisfied)

    note = "Hài lòng" if satisfied else "Không hài lòng"
    return _step(feedback, action="verdict", actor=None, at=at, note=note, change=change)


@transaction.atomic
def feedback_raise_again(*, feedback: Feedback, reason: str, at: datetime | None = None):
    """The sender is not content with the outcome: handled again, the clock starts again."""
    reason = _text(reason)
    if not reason:
        raise ValidationFailed("Hãy nêu lý do phản ánh lại.", code="feedback_reason_required")

    def change(f: Feedback, moment):
        f.raised_again += 1
        f.content = f"{f.content}\n\n— Phản ánh lại: {reason}"[: MAX_TEXT * 2]
        f.handled_at = f.published_at = None
        f.satisfied = None
        _start_clock(f, moment)

    return _step(feedback, action="raised_again", actor=None, at=at, note=reason, change=change)


@transaction.atomic
def feedback_react(*, feedback: Feedback, like: bool) -> Feedback:
    """A visitor's like or dislike of a published answer (the door keeps one per visitor)."""
    feedback = _locked(feedback)
    if feedback.status != FeedbackStatus.PUBLISHED:
        raise InvalidTransition(
            "Chỉ bày tỏ ý kiến được với câu trả lời đã công khai.", code="feedback_not_published"
        )
    if like:
        feedback.likes += 1
    else:
        feedback.dislikes += 1
    feedback.save(update_fields=["likes", "dislikes"])
    return feedback


# --- satisfaction ratings ------------------------------------------------------------------------

RATEABLE_STATES = (State.RESOLVED, State.RETURNED)


def rating_change_window() -> timedelta:
    return timedelta(days=int(getattr(settings, "MOTCUA_RATING_CHANGE_DAYS", 7)))


@transaction.atomic
def rating_submit(
    *,
    dossier: Dossier,
    scores: dict[str, int],
    comment: str = "",
    channel: str = RatingChannel.PORTAL,
    at: datetime | None = None,
) -> Rating:
    """Rate a dossier once its result is out: a score of 1–5 per active criterion. A second
    rating within MOTCUA_RATING_CHANGE_DAYS of the first replaces it; later it is refused."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.state not in RATEABLE_STATES:
        raise InvalidTransition(
            "Chỉ đánh giá được sau khi hồ sơ đã có kết quả.", code="rating_not_returned"
        )
    if channel not in RatingChannel.values:
        raise ValidationFailed("Nơi đánh giá không hợp lệ.", code="rating_channel_invalid")
    from motcua.feedback.selectors import rating_criteria

    criteria = rating_criteria()
    if not criteria:
        raise ValidationFailed("Chưa có tiêu chí đánh giá.", code="rating_no_criteria")
    values = {}
    for criterion in criteria:
        value = scores.get(criterion.code)
        if value is None:
            raise ValidationFailed(
                f"Hãy chọn mức độ hài lòng cho “{criterion.name}”.",
                code="rating_score_missing",
                details={"criterion": criterion.code},
            )
        if value not in range(1, 6):
            raise ValidationFailed("Mức độ hài lòng phải từ 1 đến 5.", code="rating_score_invalid")
        values[criterion] = int(value)
    at = at or timeutil.now()
    overall = round(sum(values.values()) / len(values) + 1e-9)  # halves round up
    rating = Rating.objects.filter(dossier=dossier).first()
    if rating is not None:
        if at > rating.created_at + rating_change_window():
            raise InvalidTransition(
                "Đã quá thời hạn sửa đánh giá của hồ sơ này.", code="rating_exists"
            )
        rating.scores.all().delete()
        rating.score, rating.comment, rating.channel = overall, _text(comment, limit=2000), channel
        rating.updated_at = at
        rating.changes += 1
        rating.save()
    else:
        rating = Rating.objects.create(
            dossier=dossier,
            score=overall,
            comment=_text(comment, limit=2000),
            channel=channel,
            created_at=at,
            updated_at=at,
        )
    RatingScore.objects.bulk_create(
        RatingScore(rating=rating, criterion=c, score=v) for c, v in values.items()
    )
    return rating
