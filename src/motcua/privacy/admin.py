from django.contrib import admin

from motcua.privacy.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log is read-only: nobody edits the record of who looked."""

    list_display = ("at", "user", "dossier_code", "document_id", "action", "sensitive")
    list_filter = ("action", "sensitive")
    search_fields = ("dossier_code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
