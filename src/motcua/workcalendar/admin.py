from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.core.admin import ChangeHistoryMixin
from motcua.workcalendar.models import CalendarOverride, WorkingSchedule
from motcua.workcalendar.services import (
    calendar_override_delete,
    calendar_override_set,
    working_schedule_delete,
    working_schedule_set,
)


class YearListFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    """Saved through workcalendar.services: validation, one row per day and layer, the record."""

    list_display = ["date", "weekday", "kind", "name", "unit", "source", "updated_at"]
    list_filter = ["kind", YearListFilter]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    search_fields = ["name", "source", "unit__name", "unit__code"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        return ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][
            obj.date.weekday()
        ]

    def get_readonly_fields(self, request, obj=None):
        # A day and its layer are the row's identity: another day is another row.
        fixed = ("date", "unit") if obj is not None else ()
        return (*fixed, *super().get_readonly_fields(request, obj))

    def save_model(self, request, obj, form, change):
        obj.pk = calendar_override_set(
            day=obj.date,
            kind=obj.kind,
            name=obj.name,
            source=obj.source,
            unit=obj.unit,
            actor=request.user,
        ).pk

    def delete_model(self, request, obj):
        calendar_override_delete(day=obj.date, unit=obj.unit, actor=request.user)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            self.delete_model(request, override)


@admin.register(WorkingSchedule)
class WorkingScheduleAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    list_display = ["__str__", "unit", "periods", "weekdays", "updated_at"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    search_fields = ["unit__name", "unit__code"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("unit",) if obj is not None else ()
        return (*fixed, *super().get_readonly_fields(request, obj))

    def save_model(self, request, obj, form, change):
        obj.pk = working_schedule_set(
            unit=obj.unit, periods=obj.periods, weekdays=obj.weekdays, actor=request.user
        ).pk

    def delete_model(self, request, obj):
        working_schedule_delete(schedule=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for schedule in queryset:
            self.delete_model(request, schedule)
