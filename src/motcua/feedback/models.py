"""Feedback (phản ánh, kiến nghị — PAKN) and satisfaction ratings of dossiers.

A feedback row is the projection of its history (`FeedbackEvent`, append-only): each service
writes one event and the row's new state in one transaction. The due dates are computed by the
working-day calendar when the clock starts (the sending, the latest forwarding, information
supplied, the feedback raised again) and stored, so the indicators are plain queries
(feedback/rules.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.units.models import Unit


class FeedbackChannel(models.TextChoices):
    PORTAL = "portal", _("Cổng dịch vụ công")
    DESK = "desk", _("Tại Bộ phận Một cửa")
    API = "api", _("Qua giao diện lập trình (API)")
    IMPORT = "import", _("Nhập từ tệp")


class FeedbackCategory(models.TextChoices):
    RULES = "rules", _("Về quy định hành chính, thủ tục hành chính")
    CONDUCT = "conduct", _("Về hành vi, thái độ của cán bộ, công chức")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đang xử lý")
    INFO_REQUESTED = "info_requested", _("Chờ người gửi bổ sung thông tin")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    ANSWERED = "answered", _("Đã dự thảo trả lời, chờ lãnh đạo duyệt")
    APPROVED = "approved", _("Đã xử lý, chờ công khai")
    PUBLISHED = "published", _("Đã công khai câu trả lời")


class Feedback(models.Model):
    # Who sent it: needed to answer, never published (the published text is redacted).
    name = models.CharField(_("họ và tên"), max_length=255)
    phone = models.CharField(_("số điện thoại"), max_length=32, blank=True)
    email = models.CharField(_("thư điện tử"), max_length=254, blank=True)
    content = models.TextField(_("nội dung phản ánh, kiến nghị"))
    channel = models.CharField(
        _("kênh tiếp nhận"),
        max_length=8,
        choices=FeedbackChannel.choices,
        default=FeedbackChannel.PORTAL,
    )
    # Classification (indicator 5.1): empty until an officer classifies it.
    category = models.CharField(
        _("phân loại"), max_length=8, choices=FeedbackCategory.choices, blank=True
    )
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ được phản ánh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("thủ tục được phản ánh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The unit responsible for handling it now; the figures count against it (and its parents).
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ được giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
    )
    sent_at = models.DateTimeField(_("thời điểm gửi"), db_index=True)
    # Start of the running clock: the sending, the latest forwarding, information supplied or the
    # feedback raised again. The four due dates below are computed from it (and `handled_at`).
    clock_from = models.DateTimeField(_("tính hạn từ"))
    refuse_due_at = models.DateTimeField(_("hạn từ chối"))
    info_due_at = models.DateTimeField(_("hạn đề nghị bổ sung thông tin"))
    handle_due_at = models.DateTimeField(_("hạn xử lý"))
    publish_due_at = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(_("thời điểm xử lý xong"), null=True, blank=True)
    published_at = models.DateTimeField(_("thời điểm công khai"), null=True, blank=True)
    # Sticky: a step taken after its due date stays late whatever happens next.
    late = models.BooleanField(_("trễ hạn"), default=False)
    refusal_reason = models.TextField(_("lý do từ chối"), blank=True)
    info_request = models.TextField(_("thông tin cần bổ sung"), blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    # What the portal shows: personal data removed (feedback.redaction).
    published_content = models.TextField(_("nội dung công khai"), blank=True)
    published_answer = models.TextField(_("câu trả lời công khai"), blank=True)
    # The citizen's verdict and the public's reactions (indicator 5.3).
    satisfied = models.BooleanField(_("người gửi hài lòng"), null=True, blank=True)
    likes = models.PositiveIntegerField(_("lượt thích"), default=0)
    dislikes = models.PositiveIntegerField(_("lượt không thích"), default=0)
    raised_again = models.PositiveSmallIntegerField(_("số lần phản ánh lại"), default=0)
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["unit", "status"], name="feedback_unit_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The number the citizen quotes when asking about the feedback."""
        return f"PAKN-{self.pk:06d}"


class FeedbackEvent(models.Model):
    """One step in a feedback's history; never changed or deleted."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("thao tác"), max_length=24)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(max_length=16, choices=FeedbackStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=FeedbackStatus.choices)
    from_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("lịch sử xử lý phản ánh")
        verbose_name_plural = _("lịch sử xử lý phản ánh")
        ordering = ["feedback", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "seq"], name="feedback_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("FeedbackEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("FeedbackEvent is append-only")


# --- satisfaction ratings ------------------------------------------------------------------------


class RatingCriterion(models.Model):
    """One aspect citizens rate (the national portal rates several). Administrators edit them."""

    code = models.SlugField(_("mã tiêu chí"), max_length=32, unique=True)
    name = models.CharField(_("tiêu chí"), max_length=255)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("tiêu chí đánh giá")
        verbose_name_plural = _("tiêu chí đánh giá")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("Trang tra cứu hồ sơ")
    KIOSK = "kiosk", _("Máy đánh giá tại quầy")
    LINK = "link", _("Đường dẫn trong thông báo")


class Rating(models.Model):
    """Đánh giá mức độ hài lòng: one per dossier, after the result; changeable for a while."""

    dossier = models.OneToOneField(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="rating"
    )
    # Overall satisfaction 1–5: the rounded mean of the criteria's scores.
    score = models.PositiveSmallIntegerField(_("mức độ hài lòng (1–5)"))
    comment = models.TextField(_("ý kiến"), blank=True)
    channel = models.CharField(
        _("nơi đánh giá"), max_length=8, choices=RatingChannel.choices, default="portal"
    )
    created_at = models.DateTimeField(_("thời điểm đánh giá"))
    updated_at = models.DateTimeField(_("thời điểm sửa"))
    changes = models.PositiveSmallIntegerField(_("số lần sửa"), default=0)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="feedback_rating_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}"


class RatingScore(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RatingCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("điểm (1–5)"))

    class Meta:
        verbose_name = _("điểm theo tiêu chí")
        verbose_name_plural = _("điểm theo tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="rating_score_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_criterion_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
