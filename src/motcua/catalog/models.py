"""The procedure catalogue: what a citizen can apply for, under which rules."""

from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold
from motcua.units.models import Role, Unit

national_code_validator = RegexValidator(
    r"^\d\.\d{6}$", _("Mã thủ tục quốc gia có dạng n.nnnnnn, ví dụ 1.001193.")
)


class Field(models.Model):
    """Lĩnh vực: the domain a procedure belongs to (Hộ tịch, Chứng thực, Đất đai…)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class ResultKind(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Bản điện tử")


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class Procedure(models.Model):
    code = models.CharField(
        _("mã thủ tục"),
        max_length=64,
        unique=True,
        help_text=_("Mã quốc gia (n.nnnnnn) hoặc mã địa phương có đuôi mã định danh cơ quan."),
    )
    national_code = models.CharField(
        _("mã quốc gia"), max_length=16, blank=True, validators=[national_code_validator]
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=ProcedureLevel.choices)
    online_level = models.CharField(
        _("mức độ trực tuyến"),
        max_length=16,
        choices=OnlineLevel.choices,
        default=OnlineLevel.PARTIAL,
    )
    time_limit_value = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=2)
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"),
        max_length=16,
        choices=TimeLimitUnit.choices,
        default=TimeLimitUnit.WORKING_DAYS,
    )
    result_kind = models.CharField(
        _("loại kết quả"), max_length=16, choices=ResultKind.choices, default=ResultKind.PAPER
    )
    result_name = models.CharField(_("tên kết quả"), max_length=255, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    steps_description = models.TextField(_("trình tự thực hiện"), blank=True)
    where_to_file = models.TextField(_("cơ quan, địa điểm tiếp nhận"), blank=True)
    applicant_requirements = models.TextField(_("đối tượng, điều kiện thực hiện"), blank=True)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    # Code, name and field folded to plain lower-case ASCII for diacritic-insensitive search.
    search_text = models.TextField(editable=False, default="")
    # Units that resolve the procedure; empty means every unit of the procedure's level.
    units = models.ManyToManyField(
        Unit, verbose_name=_("đơn vị thực hiện"), blank=True, related_name="procedures"
    )

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field__name", "name"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = fold(
            f"{self.code} {self.name} {self.field.name if self.field_id else ''}"
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def time_limit_hours(self) -> Decimal:
        if self.time_limit_unit == TimeLimitUnit.WORKING_HOURS:
            return self.time_limit_value
        return self.time_limit_value * 8

    @property
    def time_limit_seconds(self) -> int:
        return int(self.time_limit_hours * 3600)

    @property
    def time_limit_display(self) -> str:
        value = f"{self.time_limit_value.normalize():f}".replace(".", ",")
        return f"{value} {self.get_time_limit_unit_display()}"

    @property
    def total_fee(self) -> int:
        return sum(fee.amount for fee in self.fees.all())


class Component(models.Model):
    """Thành phần hồ sơ: a document the dossier must (or may) contain."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="components"
    )
    code = models.CharField(_("mã thành phần"), max_length=32)
    name = models.CharField(_("tên thành phần"), max_length=500)
    required = models.BooleanField(_("bắt buộc"), default=True)
    must_digitize = models.BooleanField(_("phải số hóa"), default=True)
    copies = models.CharField(_("số lượng"), max_length=64, blank=True, default="01 bản chính")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "code"], name="component_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="fees"
    )
    code = models.CharField(_("mã phí, lệ phí"), max_length=32, blank=True)
    name = models.CharField(_("tên phí, lệ phí"), max_length=255)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ".replace(",", ".")


class ProcessStep(models.Model):
    """One step of a procedure's internal process (quy trình nội bộ): who does it and in how long.
    The steps' hours add up to the procedure's time limit."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="process_steps"
    )
    position = models.PositiveSmallIntegerField(_("bước"))
    name = models.CharField(_("nội dung công việc"), max_length=255)
    role = models.CharField(_("vai trò thực hiện"), max_length=32, choices=Role.choices)
    # Null: the unit that received the dossier. Set: a fixed unit (e.g. the district's justice office).
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Để trống: đơn vị tiếp nhận hồ sơ."),
    )
    working_hours = models.DecimalField(
        _("thời gian (giờ làm việc)"), max_digits=7, decimal_places=2
    )

    class Meta:
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "position"], name="process_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class Publication(models.Model):
    """A decision publishing (or amending) a procedure, and when it became public."""

    CONTENT_PARTS = (
        "steps",
        "method",
        "components",
        "time_limit",
        "applicants",
        "agency",
        "result",
    )

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="publications"
    )
    decision_number = models.CharField(_("số quyết định công bố"), max_length=64)
    decision_date = models.DateField(_("ngày ký quyết định"))
    effective_date = models.DateField(_("ngày có hiệu lực"))
    made_public_date = models.DateField(
        _("ngày công khai trên CSDL quốc gia"), null=True, blank=True
    )
    content_parts = models.JSONField(
        _("bộ phận nội dung đã công khai"),
        default=list,
        blank=True,
        help_text=_(
            "Các phần: trình tự, cách thức, thành phần, thời hạn, đối tượng, cơ quan, kết quả."
        ),
    )

    class Meta:
        verbose_name = _("quyết định công bố")
        verbose_name_plural = _("quyết định công bố")
        ordering = ["-decision_date"]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.decision_date:%d/%m/%Y})"

    @property
    def has_full_content(self) -> bool:
        return set(self.CONTENT_PARTS) <= set(self.content_parts or [])


class PublicationPosting(models.Model):
    """Whether a unit has posted the published procedure at its desk and on its website."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("quyết định"), on_delete=models.CASCADE, related_name="postings"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE)
    posted_on = models.DateField(_("ngày niêm yết"), null=True, blank=True)

    class Meta:
        verbose_name = _("niêm yết tại đơn vị")
        verbose_name_plural = _("niêm yết tại đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["publication", "unit"], name="posting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.publication} — {self.unit}"


class FilingAnywhere(models.Model):
    """A procedure the province lets citizens file at any of its service centres, whatever the
    administrative boundary (Decree 118/2025/NĐ-CP): each province decides its list by a decision
    (e.g. Đồng Nai's 2095/QĐ-UBND of 31/10/2025), so the list is data."""

    province = models.ForeignKey(
        Unit,
        verbose_name=_("tỉnh, thành phố"),
        on_delete=models.PROTECT,
        related_name="procedures_filed_anywhere",
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+"
    )
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_date = models.DateField(_("ngày ký quyết định"))
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("thủ tục tiếp nhận không phụ thuộc địa giới")
        verbose_name_plural = _("thủ tục tiếp nhận không phụ thuộc địa giới")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "procedure", "valid_from"], name="filing_anywhere_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} — {self.province} ({self.decision_number})"
