from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcessStep,
    Publication,
    PublicationPosting,
)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class ProcessStepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        hours = [
            form.cleaned_data["working_hours"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        limit = self.instance.time_limit_hours if self.instance.time_limit_value else None
        if hours and limit is not None and sum(hours, Decimal(0)) != limit:
            raise forms.ValidationError(
                _(
                    "Tổng thời gian các bước (%(total)s giờ) phải bằng thời hạn giải quyết (%(limit)s giờ)."
                )
                % {"total": sum(hours, Decimal(0)).normalize(), "limit": limit.normalize()}
            )


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    formset = ProcessStepFormSet
    extra = 0
    autocomplete_fields = ("unit",)


class PublicationInline(admin.TabularInline):
    model = Publication
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "field",
        "level",
        "online_level",
        "time_limit_display",
        "active",
    )
    list_filter = ("level", "online_level", "result_kind", "field", "active")
    search_fields = ("code", "national_code", "name")
    autocomplete_fields = ("units",)
    inlines = (ComponentInline, FeeInline, ProcessStepInline, PublicationInline)

    @admin.display(description=_("thời hạn"))
    def time_limit_display(self, obj):
        return obj.time_limit_display


@admin.register(PublicationPosting)
class PublicationPostingAdmin(admin.ModelAdmin):
    list_display = ("publication", "unit", "posted_on")
    autocomplete_fields = ("unit",)
