"""Read-only views of dossiers for administrators: every change goes through the services, so the
admin never writes a dossier or its log."""

from django.contrib import admin

from motcua.dossiers.models import Dossier, DossierEvent, DossierStep


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = DossierEvent
    fields = ("seq", "kind", "at", "actor_name", "from_state", "to_state")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = DossierStep
    fields = ("seq", "name", "unit", "role", "started_at", "due_at", "finished_at", "on_time")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("code", "procedure", "unit", "state", "received_at", "due_at")
    list_filter = ("state", "channel")
    search_fields = ("code",)
    show_full_result_count = False  # an exact count over millions of rows costs seconds
    list_select_related = ("procedure", "unit")
    exclude = ("applicant_id_number",)
    inlines = (StepInline, EventInline)
