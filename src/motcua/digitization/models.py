"""What OCR made of a scanned document: its text (and the folded text officers search) and the
searchable PDF/A beside the original scan, which is kept untouched as it was handed in."""

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
