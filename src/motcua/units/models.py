"""Units (the administrative tree) and the staff who act in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DEPARTMENT = "department", _("Sở, ban, ngành, phòng chuyên môn")
    DISTRICT = "district", _("Huyện, quận, thị xã")
    COMMUNE = "commune", _("Xã, phường, thị trấn, đặc khu")
    CENTRE = "centre", _("Trung tâm Phục vụ hành chính công, Bộ phận Một cửa")


class Unit(models.Model):
    """A node of the unit tree. `path` is a materialized path of codes ("/30/298/11143/") so a
    subtree is one indexed prefix query, whatever the depth.

    A unit is its row, not its code: statistics codes are reused after a reorganisation (commune
    Tứ Kỳ 11074 until 30/6/2025 and the new commune Tứ Kỳ 11074 from 1/7/2025 are two units). One
    code never names two units on the same day — the database refuses overlapping validity (a
    trigger on SQLite, an exclusion constraint on PostgreSQL; units/migrations/0002). Dossiers and
    figures point at the row, so history survives the reuse."""

    code = models.CharField(_("mã đơn vị"), max_length=32, db_index=True)
    agency_id = models.CharField(
        _("mã định danh điện tử (QCVN 102)"), max_length=32, blank=True, db_index=True
    )
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=128, blank=True)
    level = models.CharField(_("cấp"), max_length=16, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Unique: a reused code under the same parent gets a dated segment ("11074~20250701").
    path = models.CharField(_("đường dẫn cây"), max_length=512, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("Đơn vị tiếp nhận nhiệm vụ khi đơn vị này được sáp nhập."),
    )

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="unit_validity_ordered",
            ),
            # The full "no overlap" rule is a trigger / exclusion constraint (0002); this one
            # states the common case portably: one open-ended unit per code.
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="unit_code_open_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name

    @property
    def reference(self) -> str:
        """How links and files name this unit so `unit_get_by_code` finds this one: the code, and
        for a unit that has ended, its last day ("11074@2025-06-30") — the code may be reused."""
        return f"{self.code}@{self.valid_to.isoformat()}" if self.valid_to else self.code

    @property
    def dossier_code_prefix(self) -> str:
        return self.agency_id or self.code


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")


class UnitSuccession(models.Model):
    """One edge of a reorganisation: `predecessor` ended the day before `effective_on` and
    `successor` took over (all of it in a merger, a part of it in a split)."""

    predecessor = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị trước"),
        on_delete=models.PROTECT,
        related_name="succeeded_by",
    )
    successor = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị kế thừa"),
        on_delete=models.PROTECT,
        related_name="succeeds",
    )
    effective_on = models.DateField(_("có hiệu lực từ"))
    kind = models.CharField(_("hình thức"), max_length=16, choices=SuccessionKind.choices)
    decision = models.CharField(_("văn bản quyết định"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        ordering = ["effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class Role(models.TextChoices):
    DESK_OFFICER = "desk_officer", _("Cán bộ tiếp nhận")
    PROCESSOR = "processor", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo")
    SUPERVISOR = "supervisor", _("Cán bộ giám sát")
    ADMINISTRATOR = "administrator", _("Quản trị đơn vị")


class Membership(models.Model):
    """A staff member holds a role in a unit; the role reaches the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    title = models.CharField(_("chức danh"), max_length=128, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("phân công cán bộ")
        verbose_name_plural = _("phân công cán bộ")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
