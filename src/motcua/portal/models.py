"""What citizens leave on the portal besides dossiers. Both are placeholders for workflows that come
later (satisfaction survey, PAKN handling): they store what is given and nothing more."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier
from motcua.units.models import Unit


class Rating(models.Model):
    """Đánh giá mức độ hài lòng: one per dossier, given once the result has been returned."""

    dossier = models.OneToOneField(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(_("mức độ hài lòng (1–5)"))
    comment = models.TextField(_("ý kiến"), blank=True)
    created_at = models.DateTimeField(_("thời điểm đánh giá"), auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}"


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")


class Feedback(models.Model):
    """Phản ánh, kiến nghị (PAKN) sent from the portal; handling comes with the feedback workflow."""

    name = models.CharField(_("họ và tên"), max_length=255)
    phone = models.CharField(_("số điện thoại"), max_length=32, blank=True)
    email = models.CharField(_("thư điện tử"), max_length=254, blank=True)
    content = models.TextField(_("nội dung phản ánh, kiến nghị"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan, đơn vị bị phản ánh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
    )
    created_at = models.DateTimeField(_("thời điểm gửi"), auto_now_add=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The number the citizen quotes when asking about the feedback."""
        return f"PAKN-{self.pk:06d}"
