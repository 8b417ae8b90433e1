"""Counters behind every rate, scorecard and report, kept current by each dossier event.

One row per (filed-with unit, procedure, local day). Flows are counted on the day they happen
(received on the receipt day, ended on the end day); stocks (open, overdue) are stored as differences
— +1 on the day a dossier enters the stock, −1 on the day it leaves — so the stock at the end of any
day is the sum of the differences up to it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.units.models import Unit

COUNTER_COLUMNS = (
    # by receipt day
    "received",
    "received_online",
    "received_digitized",
    "received_reused",
    "received_with_fee",
    "received_paid_online",
    "received_synced",
    "received_multi_supplement",
    # by end-of-processing day
    "ended",
    "ended_early",
    "ended_on_time",
    "ended_late",
    "resolved_with_result",
    "resolved_with_result_file",
    # stock differences
    "open_delta",
    "overdue_delta",
)


class CounterColumns(models.Model):
    """The counted columns (COUNTER_COLUMNS), shared by the daily counters and their rollups."""

    received = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    received_digitized = models.IntegerField(default=0)
    received_reused = models.IntegerField(default=0)
    received_with_fee = models.IntegerField(default=0)
    received_paid_online = models.IntegerField(default=0)
    received_synced = models.IntegerField(default=0)
    received_multi_supplement = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)
    ended_early = models.IntegerField(default=0)
    ended_on_time = models.IntegerField(default=0)
    ended_late = models.IntegerField(default=0)
    resolved_with_result = models.IntegerField(default=0)
    resolved_with_result_file = models.IntegerField(default=0)
    open_delta = models.IntegerField(default=0)
    overdue_delta = models.IntegerField(default=0)

    class Meta:
        abstract = True


# The counter tables hold no foreign-key constraints in the database (db_constraint=False): they
# are derived from the dossiers, whose own constraints already keep every unit and procedure they
# count in place (a unit with counts has dossiers or, for rollups, units below it), and checking
# each of the ~6 counter rows an imported dossier upserts cost the database more than the rows.
# Django still protects the rows on delete.


class DailyCounter(CounterColumns):
    # Indexed by the unique constraint, which starts with it.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    day = models.DateField()

    class Meta(CounterColumns.Meta):
        abstract = False
        verbose_name = _("bộ đếm chỉ số theo ngày")
        verbose_name_plural = _("bộ đếm chỉ số theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "procedure", "day"], name="daily_counter_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "unit"], name="daily_counter_day_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.procedure_id}/{self.day}"


class Metric(models.TextChoices):
    ONLINE_DOSSIERS = "online_dossiers", _("Tỷ lệ hồ sơ trực tuyến")
    FULL_DIGITIZATION = "full_digitization", _("Tỷ lệ số hóa đầy đủ thành phần hồ sơ")
    RESULT_DIGITIZATION = "result_digitization", _("Tỷ lệ số hóa kết quả")
    ONLINE_PAYMENT = "online_payment", _("Tỷ lệ thanh toán trực tuyến")


class Target(models.Model):
    """Chỉ tiêu: every unit of `level` below `unit` (or `unit` itself when no level) must reach
    `percent` for `metric` between the dates."""

    metric = models.CharField(_("chỉ số"), max_length=64)
    percent = models.DecimalField(_("chỉ tiêu (%)"), max_digits=5, decimal_places=2)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị giao"), on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("áp dụng cho cấp"), max_length=16, blank=True)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "unit", "level", "valid_from", "valid_to"], name="target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} ≥ {self.percent}% ({self.unit})"


class Span(models.TextChoices):
    """The length of time a rollup row covers; its `day` is the span's first day."""

    DAY = "d", _("ngày")
    MONTH = "m", _("tháng")
    YEAR = "y", _("năm")


class RollupCounter(CounterColumns):
    """The daily counters summed over a unit's whole subtree (the unit and every unit below it), per
    day, month and year and per procedure class — the procedure attributes the scorecard formulas
    read. A subtree's figures for any period are then a few dozen rows, whatever the number of
    dossiers, units or procedures. Derived: written with every counter change (counters_add) and
    rebuilt from DailyCounter when a unit moves or a procedure changes class."""

    # Indexed by the unique constraint, which starts with it.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    span = models.CharField(max_length=1, choices=Span.choices)
    day = models.DateField()
    online_level = models.CharField(max_length=16)
    result_kind = models.CharField(max_length=16)

    class Meta(CounterColumns.Meta):
        abstract = False
        verbose_name = _("bộ đếm tổng hợp theo đơn vị")
        verbose_name_plural = _("bộ đếm tổng hợp theo đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "span", "day", "online_level", "result_kind"],
                name="rollup_counter_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.span}{self.day}/{self.online_level}/{self.result_kind}"


class ProcedureUse(models.Model):
    """Dossiers received per procedure over a unit's whole subtree, per day, month and year: which
    procedures were used (and paid online) in a period, for the payment indicators."""

    # Indexed by the unique constraint, which starts with it.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    span = models.CharField(max_length=1, choices=Span.choices)
    day = models.DateField()
    received = models.IntegerField(default=0)
    received_paid_online = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("thủ tục phát sinh hồ sơ")
        verbose_name_plural = _("thủ tục phát sinh hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "span", "day", "procedure"], name="procedure_use_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.procedure_id}/{self.span}{self.day}"
