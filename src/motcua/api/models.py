"""System tokens (other systems' keys to the API), their uses, and the answers kept for
`Idempotency-Key` replays."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    READ = "read", _("chỉ đọc")
    WRITE = "write", _("đọc và ghi")


class SystemToken(models.Model):
    """A key another system presents as `Authorization: Bearer …`. It acts as its own account
    (`user`), whose roles in `unit` are ordinary memberships: every permission check of the API is
    the pages' own (`units.selectors.user_has_role`). Only a hash of the key is stored."""

    name = models.CharField(_("tên hệ thống"), max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản hệ thống"),
        on_delete=models.PROTECT,
        related_name="system_token",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(_("phạm vi"), max_length=8, choices=TokenScope.choices)
    roles = models.CharField(_("vai trò"), max_length=200, blank=True)
    # The key's first characters, to find the row; the key itself is only compared by its hash.
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa hệ thống")
        verbose_name_plural = _("khóa hệ thống")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TokenUse(models.Model):
    """One request made with a system token (who, when, what)."""

    token = models.ForeignKey(SystemToken, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    remote_addr = models.CharField(max_length=45, blank=True)

    class Meta:
        indexes = [models.Index(fields=["token", "at"], name="api_tokenuse_token_at")]

    def __str__(self) -> str:
        return f"{self.token_id} {self.method} {self.path}"


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed for the same key and
    body of the same caller; the same key with another body is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # the daily sweep's

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotent_user_key")
        ]

    def __str__(self) -> str:
        return self.key
