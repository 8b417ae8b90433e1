from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.workcalendar.models import CalendarOverride, WorkingSchedule


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
class CalendarOverrideAdmin(admin.ModelAdmin):
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


@admin.register(WorkingSchedule)
class WorkingScheduleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "unit", "periods", "weekdays", "updated_at"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    search_fields = ["unit__name", "unit__code"]
