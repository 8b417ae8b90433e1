"""What OCR made of a scanned document: its text (and the folded text officers search) and the
searchable PDF/A beside the original scan, which is kept untouched as it was handed in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import DossierDocument


class OcrStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ nhận dạng")
    DONE = "done", _("Đã nhận dạng")
    FAILED = "failed", _("Nhận dạng lỗi")
    UNAVAILABLE = "unavailable", _("Chưa cài công cụ nhận dạng")


class DocumentText(models.Model):
    document = models.OneToOneField(
        DossierDocument, on_delete=models.CASCADE, related_name="ocr", verbose_name=_("giấy tờ")
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=OcrStatus.choices, default=OcrStatus.PENDING
    )
    text = models.TextField(_("nội dung nhận dạng"), blank=True)
    # fold(text): lower case, no diacritics, so "giay chung sinh" finds "GIẤY CHỨNG SINH".
    text_folded = models.TextField(blank=True)
    searchable_pdf = models.FileField(
        _("bản PDF/A có lớp chữ"), upload_to="dossiers/ocr/", blank=True
    )
    error = models.CharField(_("lỗi"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("nội dung nhận dạng (OCR)")
        verbose_name_plural = _("nội dung nhận dạng (OCR)")

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status}"


class HeldDocument(models.Model):
    """The citizen's document store (kho dữ liệu): a digitized paper or an electronic result kept
    for its owner, keyed by their personal identification number, so the state does not ask for
    it again (Decree 45/2020). Files stay behind the storage API, never served as media; every
    offer and reuse is logged (HeldDocumentAccess)."""

    class Kind(models.TextChoices):
        COMPONENT = "component", _("Giấy tờ đã số hóa")
        RESULT = "result", _("Kết quả giải quyết điện tử")

    owner_id_number = models.CharField(_("số định danh chủ sở hữu"), max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COMPONENT)
    # The catalogue component it serves (Component.code): the match offered at intake.
    component_code = models.CharField(_("mã thành phần"), max_length=64, blank=True)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    file = models.FileField(_("tệp"), upload_to="dossiers/store/")
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    sensitive = models.BooleanField(_("dữ liệu cá nhân nhạy cảm"), default=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    source_document = models.ForeignKey(
        DossierDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("thời điểm lưu"))

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu của công dân")
        indexes = [
            models.Index(fields=["owner_id_number", "component_code"], name="held_owner_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_id_number", "component_code", "sha256"], name="held_unique_content"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_owner(self) -> str:
        value = self.owner_id_number
        return "*" * max(0, len(value) - 4) + value[-4:]


class HeldDocumentAccess(models.Model):
    """Who looked at or used a citizen's stored document, when, and for which dossier."""

    class Action(models.TextChoices):
        OFFERED = "offered", _("Được gợi ý khi tiếp nhận")
        REUSED = "reused", _("Tái sử dụng cho hồ sơ")
        DELETED = "deleted", _("Xóa khi hết thời hạn lưu")

    held = models.ForeignKey(
        HeldDocument, null=True, on_delete=models.SET_NULL, related_name="accesses"
    )
    owner_id_number = models.CharField(max_length=32)
    action = models.CharField(max_length=16, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dossier_code = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("truy cập kho dữ liệu")
        verbose_name_plural = _("nhật ký truy cập kho dữ liệu")

    def __str__(self) -> str:
        return f"{self.action} {self.held_id} {self.at:%Y-%m-%d %H:%M}"
