"""Messages to applicants: made from a dossier event (or a feedback answer), sent by the task
worker, every attempt recorded. Template edits come through here too."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction

from motcua.core import timeutil
from motcua.core.errors import ValidationFailed
from motcua.core.formatting import datetime_vi, number_vi
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications.defaults import (
    DEFAULT_TEMPLATES,
    EVENT_MESSAGES,
    REQUIRED_PLACEHOLDERS,
)
from motcua.notifications.models import (
    AttemptOutcome,
    MessageChannel,
    MessageKind,
    MessageTemplate,
    Notification,
    NotificationAttempt,
    NotificationStatus,
)
from motcua.notifications.rendering import (
    email_mask,
    phone_international,
    phone_mask,
    template_fields,
    template_render,
)
from motcua.notifications.selectors import (
    PAUSED,
    message_template_effective,
    notification_channels_enabled,
)
from motcua.notifications.sms import SendFailed, TextMessage, sms_backend
from motcua.portal.selectors import dossier_tracking_url

logger = logging.getLogger("motcua.notifications")

SMS_MAX_CHARS = 480  # three segments of accented text before the placeholders are filled


@contextmanager
def notifications_paused() -> Iterator[None]:
    """Dossier events committed inside the block send no message: for generated or replayed
    history (the demo's year of dossiers), not for real actions."""
    token = PAUSED.set(True)
    try:
        yield
    finally:
        PAUSED.reset(token)


# --- templates -----------------------------------------------------------------------------------


def message_template_validate(
    *, channel: str, subject: str, body: str, kind: str = ""
) -> tuple[str, str]:
    """The cleaned (subject, body), or a Vietnamese error naming what is wrong."""
    subject, body = subject.strip(), body.strip()
    if not body:
        raise ValidationFailed("Nội dung mẫu thông báo không được để trống.", code="template_empty")
    if channel == MessageChannel.EMAIL:
        if not subject:
            raise ValidationFailed("Thư điện tử cần có tiêu đề.", code="template_subject_required")
        if "\n" in subject or "\r" in subject:
            raise ValidationFailed("Tiêu đề chỉ được có một dòng.", code="template_subject_lines")
        template_fields(subject)
    else:
        subject = ""  # a text message has no subject
        if len(body) > SMS_MAX_CHARS:
            raise ValidationFailed(
                f"Tin nhắn dài quá {SMS_MAX_CHARS} ký tự.", code="template_too_long"
            )
    missing = REQUIRED_PLACEHOLDERS.get(kind, set()) - set(template_fields(body))
    if missing:
        raise ValidationFailed(
            "Nội dung mẫu thông báo này phải có "
            + ", ".join("{" + name + "}" for name in sorted(missing))
            + ".",
            code="template_field_required",
            details={"fields": sorted(missing)},
        )
    return subject, body


def message_template_save(
    *,
    kind: str,
    channel: str,
    subject: str,
    body: str,
    enabled: bool = True,
    actor=None,
) -> MessageTemplate:
    if kind not in MessageKind.values or channel not in MessageChannel.values:
        raise ValidationFailed("Loại thông báo hoặc kênh không hợp lệ.", code="template_kind")
    subject, body = message_template_validate(
        channel=channel, subject=subject, body=body, kind=kind
    )
    template, _ = MessageTemplate.objects.update_or_create(
        kind=kind,
        channel=channel,
        defaults={"subject": subject, "body": body, "enabled": enabled, "updated_by": actor},
    )
    return template


def message_templates_reset(*, templates=None, actor=None) -> int:
    """Put the shipped default back into the given templates (every kind and channel when None);
    creates the rows that are missing. Returns how many were written."""
    if templates is None:
        keys = list(DEFAULT_TEMPLATES)
    else:
        keys = [(t.kind, t.channel) for t in templates]
    with transaction.atomic():
        for kind, channel in keys:
            subject, body = DEFAULT_TEMPLATES[(kind, channel)]
            message_template_save(
                kind=kind, channel=channel, subject=subject, body=body, enabled=True, actor=actor
            )
    return len(keys)


# --- making messages -----------------------------------------------------------------------------


def _moment(value) -> datetime | None:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def tracking_link(*, code: str) -> str:
    return dossier_tracking_url(code=code)


def _event_values(*, dossier: Dossier, event: DossierEvent) -> dict[str, str]:
    """What the templates may show, from the dossier and the event: never the applicant's name,
    ID number or address."""
    payload = event.payload or {}
    due_at = _moment(payload.get("set", {}).get("due_at")) or dossier.due_at
    values = {
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": dossier.procedure.name,
        "co_quan": dossier.unit.name,
        "ngay_hen_tra": datetime_vi(due_at),
        "lien_ket": tracking_link(code=dossier.code),
    }
    if event.kind == "supplement_requested":
        values["noi_dung"] = payload.get("content", "")
    elif event.kind == "financial_obligation_requested":
        values["noi_dung"] = payload.get("content", "")
        values["so_tien"] = number_vi(payload.get("amount") or 0, decimals=0) + " đồng"
    elif event.kind == "resolved":
        from motcua.feedback.selectors import rating_link

        values["noi_dung"] = payload.get("result", "")
        values["lien_ket_danh_gia"] = rating_link(dossier=dossier)
    elif event.kind == "apologised":
        values["ngay_hen_moi"] = datetime_vi(_moment(payload.get("new_due_at")))
        values["ly_do"] = payload.get("reason", "")
    return values


def _notifications_make(
    *,
    kind: str,
    values: dict[str, str],
    addresses: dict[str, str],
    dossier: Dossier | None,
    event: DossierEvent | None,
    reference: str = "",
) -> list[Notification]:
    """One notification per enabled channel the applicant gave an address for; the ones that
    already existed (a repeated call) are not returned."""
    made = []
    for channel in notification_channels_enabled():
        address = (addresses.get(channel) or "").strip()
        if not address:
            continue  # the applicant gave no phone (or e-mail): that channel is not theirs
        template = message_template_effective(kind=kind, channel=channel)
        if template is None:
            continue
        subject, body = (template_render(text, values) for text in template)
        mask = email_mask if channel == MessageChannel.EMAIL else phone_mask
        lookup = (
            {"event": event, "channel": channel}
            if event is not None
            else {"event": None, "reference": reference, "kind": kind, "channel": channel}
        )
        notification, created = Notification.objects.get_or_create(
            **lookup,
            defaults={
                "dossier": dossier,
                "reference": reference,
                "kind": kind,
                "address": address,
                "address_masked": mask(address),
                "subject": subject,
                "body": body,
            },
        )
        if created:
            made.append(notification)
    return made


def notifications_for_event(*, event_id: int) -> list[Notification]:
    """The messages a committed dossier event calls for (none for most kinds)."""
    event = DossierEvent.objects.select_related("dossier__procedure", "dossier__unit").get(
        pk=event_id
    )
    kind = EVENT_MESSAGES.get(event.kind)
    if kind is None:
        return []
    dossier = event.dossier
    with transaction.atomic():
        return _notifications_make(
            kind=kind,
            values=_event_values(dossier=dossier, event=event),
            addresses={
                MessageChannel.EMAIL: dossier.applicant_email,
                MessageChannel.SMS: dossier.applicant_phone,
            },
            dossier=dossier,
            event=event,
        )


def feedback_answer_notify(
    *,
    reference: str,
    answer: str,
    phone: str = "",
    email: str = "",
    dossier: Dossier | None = None,
    occasion: str = "",
) -> list[Notification]:
    """Tell the sender of a feedback (phản ánh, kiến nghị) that it was answered. For the feedback
    app to call inside the transaction that records the answer: the messages are written with it
    and sent by the worker after it commits (a rolled-back answer sends nothing). Calling it again
    for the same reference (and `occasion`: the feedback app passes the approval's sequence, so a
    feedback raised again and answered anew is told again) makes nothing new."""
    from motcua.notifications.tasks import notifications_enqueue

    reference = reference.strip()
    if not reference:
        raise ValidationFailed("Thiếu số phản ánh, kiến nghị.", code="feedback_reference_required")
    if PAUSED.get():
        return []  # generated history (the demo) messages nobody
    with transaction.atomic():
        made = _notifications_make(
            kind=MessageKind.FEEDBACK_ANSWERED,
            values={"ma_phan_anh": reference, "noi_dung": answer.strip()},
            addresses={MessageChannel.EMAIL: email, MessageChannel.SMS: phone},
            dossier=dossier,
            event=None,
            reference=f"{reference}#{occasion}" if occasion else reference,
        )
        notifications_enqueue(notification_ids=[n.pk for n in made])
    return made


def store_code_notify(
    *, reference: str, channel: str, address: str, code: str, minutes: int
) -> Notification | None:
    """Send a one-time code for the citizen's document store (the portal asks) to one contact on
    record, by the worker like every message; None when that channel is off or its template is
    turned off. For the portal to call inside the transaction that records the code. The code
    stays in the message only until it is handed over (then it is blanked, see
    notification_send): the portal keeps just its hash."""
    from motcua.notifications.tasks import notifications_enqueue

    if channel not in notification_channels_enabled():
        return None
    with transaction.atomic():
        made = _notifications_make(
            kind=MessageKind.STORE_CODE,
            values={"ma_xac_thuc": code, "so_phut": str(minutes)},
            addresses={channel: address},
            dossier=None,
            event=None,
            reference=reference,
        )
        notifications_enqueue(notification_ids=[n.pk for n in made])
    return made[0] if made else None


CODE_REDACTED = "(mã xác thực một lần đã được gửi; không lưu lại)"


def store_code_messages_forget(*, references: list[str]) -> int:
    """The codes behind these messages expired: a message not handed over yet is given up and
    its code blanked (a late code is useless and should not sit in the table)."""
    return (
        Notification.objects.filter(kind=MessageKind.STORE_CODE, reference__in=references)
        .exclude(status=NotificationStatus.SENT)
        .exclude(body=CODE_REDACTED)
        .update(status=NotificationStatus.FAILED, body=CODE_REDACTED)
    )


# --- sending -------------------------------------------------------------------------------------


def retry_delay(*, attempt: int) -> timedelta:
    """Wait before attempt `attempt + 1`: the base, doubled each time, at most an hour."""
    base = settings.MOTCUA_NOTIFY_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempt - 1), 3600))


def _deliver(notification: Notification) -> str:
    if notification.channel == MessageChannel.EMAIL:
        try:
            validate_email(notification.address)
        except ValidationError as exc:
            raise SendFailed("Địa chỉ thư điện tử không hợp lệ.", temporary=False) from exc
        message_id = make_msgid(domain=settings.MOTCUA_EMAIL_MESSAGE_ID_DOMAIN)
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.address],
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        )
        try:
            accepted = message.send(fail_silently=False)
        except OSError as exc:  # smtplib's errors and the network's
            raise SendFailed(f"Máy chủ thư lỗi: {exc}", temporary=True) from exc
        if not accepted:
            raise SendFailed("Máy chủ thư không nhận thư.", temporary=True)
        return message_id
    to = phone_international(notification.address)
    if to is None:
        raise SendFailed("Số điện thoại không phải số Việt Nam hợp lệ.", temporary=False)
    return sms_backend().send(TextMessage(to=to, text=notification.body, key=str(notification.key)))


def notification_send(*, notification_id: int) -> NotificationAttempt | None:
    """Try to send once and record the attempt. None when the notification is not waiting to be
    sent (already sent, given up, or being sent by another worker): a task run twice sends once."""
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, claimed_at=timeutil.now())
    if not claimed:
        return None
    notification = Notification.objects.get(pk=notification_id)
    number = notification.attempts + 1
    provider_id, error = "", ""
    # No transaction is open while the gateway or mail server is called: on SQLite it would hold
    # the write lock, on PostgreSQL a connection in a transaction, for as long as the call takes.
    try:
        provider_id = _deliver(notification)
        outcome = AttemptOutcome.SENT
    except SendFailed as exc:
        error = str(exc)
        temporary = exc.temporary
    except Exception as exc:  # a bug or an adapter's surprise: recorded, tried again, not lost
        logger.exception("Gửi thông báo %s lỗi", notification_id)
        error, temporary = f"{type(exc).__name__}: {exc}", True
    if error:
        last = number >= settings.MOTCUA_NOTIFY_MAX_ATTEMPTS
        outcome = AttemptOutcome.RETRY if temporary and not last else AttemptOutcome.FAILED
    at = timeutil.now()
    status = {
        AttemptOutcome.SENT: NotificationStatus.SENT,
        AttemptOutcome.RETRY: NotificationStatus.PENDING,
        AttemptOutcome.FAILED: NotificationStatus.FAILED,
    }[outcome]
    with transaction.atomic():
        attempt = NotificationAttempt.objects.create(
            notification=notification,
            dossier_id=notification.dossier_id,
            number=number,
            at=at,
            outcome=outcome,
            error=error[:500],
            provider_id=provider_id[:128],
        )
        # A one-time code is not kept once it is handed over or given up on.
        redacted = (
            {"body": CODE_REDACTED}
            if notification.kind == MessageKind.STORE_CODE and outcome != AttemptOutcome.RETRY
            else {}
        )
        Notification.objects.filter(pk=notification_id).update(
            attempts=number,
            status=status,
            sent_at=at if outcome == AttemptOutcome.SENT else None,
            **redacted,
        )
    return attempt
