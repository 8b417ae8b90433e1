"""Fees owed by a dossier, payment orders sent to a provider, the provider's transactions, every
callback received (with its verdict) and the receipts (biên lai) issued.

Money is integer đồng everywhere (PositiveBigIntegerField); nothing here is ever a float. The
dossier's own `fee_paid_amount` stays the one count of money paid: every accepted payment goes
through `dossiers.services.dossier_record_payment`, which writes the dossier's event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Fee
from motcua.dossiers.models import Dossier, DossierEvent


class FeeKind(models.TextChoices):
    # The national payload's LoaiPhiLePhi distinguishes the two.
    FEE = "phi", _("Phí")
    CHARGE = "le_phi", _("Lệ phí")


class FeeSource(models.TextChoices):
    SCHEDULE = "schedule", _("Biểu phí của thủ tục")
    OBLIGATION = "obligation", _("Nghĩa vụ tài chính")


class FeeLine(models.Model):
    """One line of what the dossier owes: from the procedure's fee schedule at receipt, or from a
    financial obligation the processing agency requested (state 6)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fee_lines")
    source = models.CharField(_("nguồn"), max_length=16, choices=FeeSource.choices)
    # The schedule's line it was copied from (the copy keeps the amount at receipt).
    fee = models.ForeignKey(Fee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The obligation request it came from.
    event = models.ForeignKey(
        DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("mã phí, lệ phí"), max_length=32, blank=True)
    name = models.CharField(_("tên phí, lệ phí"), max_length=255)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    kind = models.CharField(_("loại"), max_length=8, choices=FeeKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khoản phí, lệ phí của hồ sơ")
        verbose_name_plural = _("khoản phí, lệ phí của hồ sơ")
        ordering = ["dossier", "position", "pk"]
        constraints = [
            # Creating the lines twice (two doors, a replayed signal) adds nothing.
            models.UniqueConstraint(
                fields=["dossier", "fee"],
                condition=Q(fee__isnull=False),
                name="feeline_one_per_fee",
            ),
            models.UniqueConstraint(
                fields=["event"], condition=Q(event__isnull=False), name="feeline_one_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} đồng"


class Provider(models.TextChoices):
    # The values of DuocThanhToanTrucTuyen each provider means are in selectors.PROVIDER_FLAGS.
    NATIONAL = "national", _("Nền tảng thanh toán của Cổng Dịch vụ công quốc gia")
    PROVINCE = "province", _("Cổng thanh toán của tỉnh")


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Thanh toán không thành công")
    EXPIRED = "expired", _("Hết hạn")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class PaymentOrder(models.Model):
    """What the citizen is asked to pay online, for one dossier, through one provider."""

    order_id = models.CharField(_("mã đơn thanh toán"), max_length=40, unique=True)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payment_orders")
    provider = models.CharField(_("đơn vị thanh toán"), max_length=16, choices=Provider.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    currency = models.CharField(max_length=3, default="VND")
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    # The part of `amount` recorded on the dossier (0 or amount).
    paid_amount = models.PositiveBigIntegerField(_("đã ghi nhận (đồng)"), default=0)
    pay_url = models.CharField(max_length=2000, blank=True)
    # The provider's own id of the order (the national platform answers INIT with one).
    provider_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đơn thanh toán")
        verbose_name_plural = _("đơn thanh toán")
        indexes = [models.Index(fields=["dossier", "status"], name="payorder_dossier_status_idx")]

    def __str__(self) -> str:
        return self.order_id


class TransactionStatus(models.TextChoices):
    PAID = "paid", _("Đã trừ tiền")
    FAILED = "failed", _("Không thành công")
    PENDING = "pending", _("Đang xử lý")


class PaymentTransaction(models.Model):
    """One attempt at the provider, as the provider reported it (callback, status query or
    statement). `recorded`: counted on the dossier; `refund_due`: captured money we must return (a
    second capture of a paid order, or a capture the dossier can no longer take)."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="transactions")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    transaction_id = models.CharField(_("mã giao dịch"), max_length=64)
    status = models.CharField(max_length=16, choices=TransactionStatus.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    occurred_at = models.DateTimeField()
    recorded = models.BooleanField(default=False)
    refund_due = models.BooleanField(default=False)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_reference = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["order", "occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "transaction_id"], name="paytxn_one_per_provider_id"
            )
        ]

    def __str__(self) -> str:
        return self.transaction_id


class Verdict(models.TextChoices):
    RECORDED = "recorded", _("Đã ghi nhận")
    DUPLICATE = "duplicate", _("Trùng lặp")
    BAD_SIGNATURE = "bad_signature", _("Sai chữ ký")
    STALE = "stale_timestamp", _("Thời điểm gửi quá lệch")
    UNKNOWN_ORDER = "unknown_order", _("Không có đơn thanh toán")
    MISMATCH = "mismatch", _("Không khớp đơn thanh toán")
    INVALID = "invalid", _("Nội dung không hợp lệ")
    UNCONFIRMED = "unconfirmed", _("Đơn vị thanh toán không xác nhận")


class ReceivedCallback(models.Model):
    """Every callback that reached us, accepted or not, with the reason of its verdict. Written after
    the callback's own transaction, so a refused one is kept while changing nothing else."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    received_at = models.DateTimeField(auto_now_add=True)
    order_id = models.CharField(max_length=64, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    http_status = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        verbose_name = _("lượt gọi lại của đơn vị thanh toán")
        verbose_name_plural = _("lượt gọi lại của đơn vị thanh toán")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.order_id} {self.verdict}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    CARD = "card", _("Thẻ (máy POS tại quầy)")
    TRANSFER = "transfer", _("Chuyển khoản")
    ONLINE = "online", _("Thanh toán trực tuyến")


class Receipt(models.Model):
    """Biên lai: one per payment recorded on a dossier through this app."""

    number = models.CharField(_("số biên lai"), max_length=32, unique=True)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="receipts")
    transaction = models.OneToOneField(
        PaymentTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="receipt"
    )
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    # The reference given to dossier_record_payment (the dossier's event carries it too).
    reference = models.CharField(max_length=128)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the provider's electronic receipt says (the national platform's GET_BILL answer).
    provider_bill = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("biên lai")
        verbose_name_plural = _("biên lai")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="receipt_one_per_reference")
        ]

    def __str__(self) -> str:
        return self.number
