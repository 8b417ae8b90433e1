"""The catalogue in Django's admin: a door like the others, so every save goes through
catalog.services (validation, change records, the rollups following a procedure's class)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    Component,
    Fee,
    Field,
    FilingAnywhere,
    Procedure,
    ProcessStep,
    Publication,
    PublicationPosting,
)
from motcua.catalog.services import (
    PROCEDURE_FIELDS,
    field_get_or_create,
    field_update,
    filing_anywhere_set,
    procedure_upsert,
    process_steps_validate,
    publication_delete,
    publication_posting_save,
    publication_save,
)
from motcua.core.admin import ChangeHistoryMixin
from motcua.core.errors import ValidationFailed


@admin.register(Field)
class FieldAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        if change:
            field_update(field=obj, code=obj.code, name=obj.name, actor=request.user)
        else:
            obj.pk = field_get_or_create(name=obj.name, code=obj.code, actor=request.user).pk

    def has_delete_permission(self, request, obj=None):
        return False  # procedures refer to their field


class ComponentInline(admin.TabularInline):
    model = Component
    fields = ("code", "name", "required", "must_digitize", "copies")
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    fields = ("code", "name", "amount")
    extra = 0


class ProcessStepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.time_limit_value is None:
            return
        try:
            process_steps_validate(
                steps=_rows(self, ("name", "role", "working_hours", "unit")),
                time_limit_hours=self.instance.time_limit_hours,
            )
        except ValidationFailed as error:
            raise forms.ValidationError(error.message) from error


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    formset = ProcessStepFormSet
    fields = ("name", "role", "unit", "working_hours")
    extra = 0
    autocomplete_fields = ("unit",)


class PublicationInline(admin.TabularInline):
    model = Publication
    extra = 0


def _rows(formset, names: tuple[str, ...]) -> list[dict]:
    """The formset's kept rows, in order, as the service's input."""
    return [
        {name: form.cleaned_data.get(name) for name in names}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


@admin.register(Procedure)
class ProcedureAdmin(ChangeHistoryMixin, admin.ModelAdmin):
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

    def has_delete_permission(self, request, obj=None):
        return False  # dossiers refer to it: a procedure is ended by unticking "đang áp dụng"

    def _upsert(self, request, obj, **parts):
        values = {name: getattr(obj, name) for name in PROCEDURE_FIELDS if name != "field"}
        procedure, _ = procedure_upsert(
            code=obj.code,
            field_name=obj.field.name,
            actor=request.user,
            **values,
            **parts,
        )
        return procedure

    def save_model(self, request, obj, form, change):
        # A new procedure needs its row before its inlines; a changed one is written whole, with
        # its inlines, in save_related — one service call, one change record.
        if not change:
            obj.pk = self._upsert(request, obj).pk

    def save_related(self, request, form, formsets, change):
        by_model = {formset.model: formset for formset in formsets}
        procedure = self._upsert(
            request,
            form.instance,
            units=list(form.cleaned_data.get("units") or []),
            components=_rows(
                by_model[Component], ("code", "name", "required", "must_digitize", "copies")
            ),
            fees=[
                {**row, "code": row["code"] or ""}
                for row in _rows(by_model[Fee], ("code", "name", "amount"))
            ],
            steps=_rows(by_model[ProcessStep], ("name", "role", "working_hours", "unit")),
        )
        for formset in formsets:  # the admin's change message reads what the formsets saved
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        publications = by_model[Publication]
        for publication_form in publications.forms:
            if not publication_form.has_changed() and publication_form.instance.pk:
                continue
            if publication_form.cleaned_data.get("DELETE"):
                if publication_form.instance.pk:
                    publication_delete(publication=publication_form.instance, actor=request.user)
            elif publication_form.cleaned_data:
                publication = publication_form.save(commit=False)
                publication.procedure = procedure
                publication_save(publication=publication, actor=request.user)


@admin.register(PublicationPosting)
class PublicationPostingAdmin(admin.ModelAdmin):
    list_display = ("publication", "unit", "posted_on")
    autocomplete_fields = ("unit",)

    def save_model(self, request, obj, form, change):
        publication_posting_save(posting=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FilingAnywhere)
class FilingAnywhereAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    """The province's list of procedures filed at any of its centres, by decision."""

    list_display = (
        "procedure",
        "province",
        "decision_number",
        "decision_date",
        "valid_from",
        "valid_to",
    )
    list_filter = ("province",)
    search_fields = ("procedure__code", "procedure__name", "decision_number")
    autocomplete_fields = ("province", "procedure")

    def get_readonly_fields(self, request, obj=None):
        fixed = ("province", "procedure", "valid_from") if obj is not None else ()
        return (*fixed, *super().get_readonly_fields(request, obj))

    def save_model(self, request, obj, form, change):
        obj.pk = filing_anywhere_set(
            province=obj.province,
            procedure=obj.procedure,
            decision_number=obj.decision_number,
            decision_date=obj.decision_date,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            actor=request.user,
        ).pk

    def has_delete_permission(self, request, obj=None):
        return False  # ended by its "áp dụng đến" date, so past dossiers keep their reason
