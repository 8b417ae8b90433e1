"""The portal keeps one model of its own: the one-time codes a citizen asks for to see their own
document store while filing online (StoreCode). The feedback and ratings citizens leave here live
in the feedback app (motcua.feedback), whose services every door calls."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreCode(models.Model):
    """A one-time code sent to the contact recorded with a person's earlier dossiers, so the filing
    page may show the documents held for that personal identification number. Only a salted
    HMAC of the code is kept; the row lives until it is used up, then is swept (portal.services).
    This is not VNeID: it proves the citizen reads that phone or mailbox, nothing more."""

    id_number = models.CharField(_("số định danh cá nhân"), max_length=32, db_index=True)
    # Empty when no contact is on record: the row exists so that the answer looks the same.
    channel = models.CharField(_("kênh"), max_length=8, blank=True)
    address_masked = models.CharField(_("gửi tới"), max_length=254, blank=True)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(_("số lần nhập"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    verified_at = models.DateTimeField(_("xác thực lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác thực dùng kho dữ liệu")
        verbose_name_plural = _("mã xác thực dùng kho dữ liệu")

    def __str__(self) -> str:
        return f"{self.pk} {self.channel or '-'} {self.created_at:%Y-%m-%d %H:%M}"
