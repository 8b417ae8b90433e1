from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FailureCount(models.Model):
    """Failed attempts (logins, portal lookups) of one subject in a fixed window, and the lock they
    earned: counted in the database so that every worker sees, and adds to, the same number
    (core.throttle). Times are Unix seconds: compared in SQL the same way on both databases."""

    key = models.CharField(max_length=200, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    window_ends = models.BigIntegerField()
    blocked_until = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("lần thử thất bại")
        verbose_name_plural = _("lần thử thất bại")
        indexes = [models.Index(fields=["window_ends"], name="failure_count_window_idx")]

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class ChangeRecord(models.Model):
    """One change to reference data that decides outcomes — procedures (their time limits drive
    deadlines), units, calendar days, staff roles: who, when, and the values before and after.
    Written by the services that make the change (`core.audit.change_record`), whatever the door;
    append-only like the dossiers' event log."""

    class Action(models.TextChoices):
        CREATED = "created", _("Tạo mới")
        UPDATED = "updated", _("Sửa")
        DELETED = "deleted", _("Xóa")

    object_type = models.CharField(_("loại đối tượng"), max_length=64)  # "catalog.procedure"
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=255)
    action = models.CharField(_("thao tác"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("người thực hiện"), max_length=255)
    at = models.DateTimeField(_("thời điểm"))
    before = models.JSONField(_("trước"), default=dict)
    after = models.JSONField(_("sau"), default=dict)

    class Meta:
        verbose_name = _("lịch sử thay đổi")
        verbose_name_plural = _("lịch sử thay đổi")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="change_record_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.object_repr} — {self.get_action_display()} — {self.actor_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Lịch sử thay đổi chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Lịch sử thay đổi không được xóa.")


class TwoFactorDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238, 30-second steps, 6 digits; core.twofactor). The
    secret is shown once, at enrolment; `last_step` refuses a code used twice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_device"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("thiết bị xác thực hai bước")
        verbose_name_plural = _("thiết bị xác thực hai bước")

    def __str__(self) -> str:
        return str(self.user)
