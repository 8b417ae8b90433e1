"""The national-portal sync: an outbox row per dossier event (written in the event's own
transaction), each dossier's sync progress, and every delivery attempt."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("chờ gửi")
    DELIVERED = "delivered", _("đã gửi")
    DEAD = "dead", _("lỗi, chờ gửi lại")


class OutboxEntry(models.Model):
    """A dossier event the portal has not yet been told about. The worker sends the dossier's
    state at sending time (not the event's), so one push answers every pending row of a dossier."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_outbox"
    )
    event = models.OneToOneField(
        "dossiers.DossierEvent", on_delete=models.CASCADE, related_name="portal_outbox"
    )
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hàng đợi đồng bộ")
        verbose_name_plural = _("hàng đợi đồng bộ")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sync_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.event_id} {self.status}"


class DossierSync(models.Model):
    """How far the portal has a dossier: added (confirmed), how many trail entries it confirmed.
    Its row is the lock two workers take before pushing the same dossier."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_sync"
    )
    added = models.BooleanField(default=False)
    trail_sent = models.PositiveIntegerField(default=0)
    last_pushed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.dossier_id} added={self.added} trail={self.trail_sent}"


class Delivery(models.Model):
    """One request to the portal and its answer (the delivery log)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_deliveries"
    )
    operation = models.CharField(max_length=16)  # add | update | trail
    at = models.DateTimeField(auto_now_add=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    message = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["dossier", "at"], name="sync_delivery_dossier_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.operation} ok={self.ok}"


class WebhookEndpoint(models.Model):
    """Another system that wants to hear of dossier events in a unit's subtree, signed with its
    own secret (HMAC-SHA256)."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event owed to one endpoint (written in the event's transaction), and how its delivery
    went: the delivery log."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("dossiers.DossierEvent", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="sync_webhook_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sync_webhook_due")]

    def __str__(self) -> str:
        return f"{self.endpoint_id}/{self.event_id} {self.status}"
