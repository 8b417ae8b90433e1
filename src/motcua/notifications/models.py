"""Messages to applicants: the templates an administrator edits, each message to send, and every
attempt to send it (shown on the officer's dossier page)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent


class MessageKind(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    FINANCIAL_OBLIGATION = "financial_obligation_requested", _("Thông báo nghĩa vụ tài chính")
    RESOLVED = "resolved", _("Có kết quả giải quyết")
    APOLOGISED = "apologised", _("Xin lỗi và hẹn lại ngày trả kết quả")
    FEEDBACK_ANSWERED = "feedback_answered", _("Trả lời phản ánh, kiến nghị")
    # The one-time code a citizen asks for on the portal to use their document store.
    STORE_CODE = "store_code", _("Mã xác thực dùng kho dữ liệu")


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn (SMS/Zalo)")


class MessageTemplate(models.Model):
    """One kind of message on one channel. Written only through notifications.services (the
    placeholders are checked there); the shipped defaults live in notifications.defaults."""

    kind = models.CharField(_("loại thông báo"), max_length=40, choices=MessageKind.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=MessageChannel.choices)
    subject = models.CharField(_("tiêu đề (thư điện tử)"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    enabled = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="message_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_channel_display()}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")


class Notification(models.Model):
    """One message to one address, rendered once: every retry sends the same text."""

    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # The event that caused it; null for messages not caused by a dossier event (feedback).
    event = models.ForeignKey(
        DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the message is about when there is no event (a feedback reference): with `kind` and
    # `channel` it makes repeated calls idempotent.
    reference = models.CharField(max_length=64, blank=True)
    # Sent to the gateway as its idempotency key: a retry after a lost answer is not a second SMS.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("loại thông báo"), max_length=40, choices=MessageKind.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=MessageChannel.choices)
    # The address is what the message needs; pages show only `address_masked`.
    address = models.CharField(max_length=254)
    address_masked = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)
    # When a worker took it to send (status "sending"): one that died since is found by its age.
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"],
                condition=models.Q(event__isnull=False),
                name="notification_event_channel_unique",
            ),
            models.UniqueConstraint(
                fields=["reference", "kind", "channel"],
                condition=models.Q(event__isnull=True),
                name="notification_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.address_masked}"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Gửi được")
    RETRY = "retry", _("Lỗi tạm thời, sẽ gửi lại")
    FAILED = "failed", _("Lỗi, không gửi lại")


class NotificationAttempt(models.Model):
    """One try at sending a notification, successful or not."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempt_rows"
    )
    # Copied from the notification so the dossier page reads one indexed table.
    dossier = models.ForeignKey(
        Dossier,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_attempts",
    )
    number = models.PositiveSmallIntegerField(_("lần thứ"))
    at = models.DateTimeField(_("thời điểm"))
    outcome = models.CharField(_("kết quả"), max_length=8, choices=AttemptOutcome.choices)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    # The gateway's or mail server's id of the accepted message, when it gives one.
    provider_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("lần gửi thông báo")
        verbose_name_plural = _("các lần gửi thông báo")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "number"], name="notification_attempt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}#{self.number} {self.outcome}"


class DailyJob(models.Model):
    """A job the worker runs once a day (`notifications.schedule.DAILY_JOBS`): the day it last
    ran, so a restarted worker does not run it twice, and the queued task of its next run."""

    name = models.CharField(_("công việc"), max_length=64, unique=True)
    last_run_on = models.DateField(_("ngày chạy gần nhất"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("lúc chạy gần nhất"), null=True, blank=True)
    last_result = models.CharField(_("kết quả lần chạy gần nhất"), max_length=200, blank=True)
    # The task queued for the next run (its id in the task backend) and when it is due.
    next_task_id = models.CharField(max_length=64, blank=True)
    next_run_at = models.DateTimeField(_("lần chạy tiếp theo"), null=True, blank=True)

    class Meta:
        verbose_name = _("công việc hằng ngày")
        verbose_name_plural = _("công việc hằng ngày")

    def __str__(self) -> str:
        return f"{self.name} {self.last_run_on or '-'}"
