"""Administrator-editable calendar data: extra days off, make-up working days, working hours."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.workcalendar.calendar import parse_periods, parse_weekdays


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


class CalendarOverride(models.Model):
    """A date whose status differs from the public-holiday package: a day off, a swap decided by
    the government or a province, or a make-up working Saturday. Without a unit it is national
    (every unit); with a unit it applies to that unit's subtree and wins over the national rows and
    the package — the nearest unit up the tree that has a row for the date decides."""

    date = models.DateField(_("ngày"))
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_overrides",
        help_text=_(
            "Để trống: áp dụng toàn quốc. Chọn đơn vị (thường là tỉnh, thành phố): áp dụng cho "
            "đơn vị đó và mọi đơn vị cấp dưới, ưu tiên hơn lịch toàn quốc."
        ),
    )
    kind = models.CharField(_("loại"), max_length=16, choices=OverrideKind.choices)
    name = models.CharField(
        _("tên / lý do"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Nghỉ bù Quốc khánh; Làm bù cho ngày 02/05."),
    )
    source = models.CharField(
        _("căn cứ"),
        max_length=300,
        blank=True,
        help_text=_(
            "Văn bản quyết định ngày nghỉ / làm bù, ví dụ: Công văn của Chính phủ ngày 25/12/2025."
        ),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày nghỉ / làm bù")
        verbose_name_plural = _("ngày nghỉ / làm bù")
        ordering = ["-date"]
        constraints = [
            # One row per date and unit; NULLs are distinct in a unique index, so the national
            # rows (no unit) get their own partial index.
            models.UniqueConstraint(
                fields=["date", "unit"],
                condition=models.Q(unit__isnull=False),
                name="calendar_override_unit_date_unique",
                violation_error_message=_(
                    "Đơn vị này đã có ngày nghỉ / làm bù cho ngày đã chọn; hãy sửa dòng đó."
                ),
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(unit__isnull=True),
                name="calendar_override_national_date_unique",
                violation_error_message=_(
                    "Ngày đã chọn đã có ngày nghỉ / làm bù toàn quốc; hãy sửa dòng đó."
                ),
            ),
        ]

    def __str__(self) -> str:
        label = self.name or self.get_kind_display()
        return f"{self.date:%d/%m/%Y} — {label}"


def _validate_periods(value: str) -> None:
    try:
        parse_periods(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _validate_weekdays(value: str) -> None:
    try:
        parse_weekdays(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class WorkingSchedule(models.Model):
    """Working hours and weekdays of a unit and its subtree; the row without a unit is the
    deployment default (settings.MOTCUA_WORKING_PERIODS applies when there is none)."""

    unit = models.OneToOneField(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_schedule",
        help_text=_("Để trống: lịch mặc định của hệ thống. Áp dụng cho cả các đơn vị cấp dưới."),
    )
    periods = models.CharField(
        _("khung giờ làm việc"),
        max_length=200,
        default="07:30-11:30,13:00-17:00",
        validators=[_validate_periods],
        help_text=_(
            "Định dạng HH:MM-HH:MM, cách nhau bởi dấu phẩy, ví dụ 07:30-11:30,13:00-17:00."
        ),
    )
    weekdays = models.CharField(
        _("ngày làm việc trong tuần"),
        max_length=20,
        default="0,1,2,3,4",
        validators=[_validate_weekdays],
        help_text=_("0 = thứ Hai … 6 = Chủ nhật, cách nhau bởi dấu phẩy, ví dụ 0,1,2,3,4."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("lịch làm việc")
        verbose_name_plural = _("lịch làm việc")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        owner = str(self.unit) if self.unit_id else _("Mặc định")
        return f"{owner}: {self.periods}"

    def clean(self) -> None:
        # A unique column admits many NULLs, so the single default row is checked here.
        if self.unit_id is None:
            others = WorkingSchedule.objects.filter(unit__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(_("Đã có lịch làm việc mặc định; hãy sửa lịch đó."))
