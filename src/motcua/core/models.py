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
