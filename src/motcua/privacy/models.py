"""Personal data protection (Law 91/2025/QH15, Decree 356/2025/NĐ-CP; docs/privacy.md): the log of
accesses to personal data, consents given on the portal, and data subjects' requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW_DOCUMENT = "view_document", _("Xem giấy tờ")
    VIEW_SENSITIVE_DOCUMENT = "view_sensitive_document", _("Xem giấy tờ chứa dữ liệu nhạy cảm")
    ANSWER_REQUEST = "answer_request", _("Trả lời yêu cầu của chủ thể dữ liệu")


class PersonalDataAccess(models.Model):
    """One look at personal data: who, when, which dossier and document — never the data."""

    at = models.DateTimeField(_("thời điểm"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The code, not a key: the log outlives nothing it points to, and reads without joins.
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, blank=True)
    document_id = models.PositiveBigIntegerField(null=True, blank=True)
    action = models.CharField(_("thao tác"), max_length=32, choices=AccessAction.choices)
    sensitive = models.BooleanField(_("dữ liệu nhạy cảm"), default=False)

    class Meta:
        verbose_name = _("truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        indexes = [
            models.Index(fields=["dossier_code", "at"], name="privacy_access_dossier_idx"),
            models.Index(fields=["user", "at"], name="privacy_access_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.dossier_code}"


class Consent(models.Model):
    """The consent a citizen gave on a portal form: the exact text shown, its version, when."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("mục đích"), max_length=64)
    text_version = models.CharField(_("phiên bản nội dung"), max_length=32)
    text = models.TextField(_("nội dung đã đồng ý"))
    given_at = models.DateTimeField(_("thời điểm đồng ý"))

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý xử lý dữ liệu cá nhân")

    def __str__(self) -> str:
        return f"{self.purpose} {self.text_version}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Xem dữ liệu cá nhân")
    CORRECT = "correct", _("Chỉnh sửa dữ liệu cá nhân")
    DELETE = "delete", _("Xóa dữ liệu cá nhân")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Đang giải quyết")
    ANSWERED = "answered", _("Đã đáp ứng")
    REFUSED = "refused", _("Từ chối, có nêu lý do")


class DataSubjectRequest(models.Model):
    """A data subject's request to see, correct or delete their personal data, answered by the
    unit the dossier was filed with before `due_at`."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_subject_requests",
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=16, choices=RequestKind.choices)
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=RequestStatus.choices,
        default=RequestStatus.RECEIVED,
    )
    subject_name = models.CharField(_("họ và tên chủ thể dữ liệu"), max_length=255)
    subject_id_number = models.CharField(_("số định danh"), max_length=32, blank=True)
    contact = models.CharField(_("địa chỉ liên hệ để trả lời"), max_length=255)
    content = models.TextField(_("nội dung yêu cầu"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="privacy_request_open_idx")
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.get_kind_display()}"
