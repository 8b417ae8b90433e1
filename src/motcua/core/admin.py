"""What every admin page of reference data shares: its writes go through the services (each admin
says which in `save_model` / `delete_model`), and its change form shows the change records those
services wrote (core.audit)."""

from django.contrib import admin
from django.contrib import messages as admin_messages
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from motcua.core.audit import changes_of
from motcua.core.errors import DomainError
from motcua.core.models import ChangeRecord

HISTORY_ROWS = 50


class ChangeHistoryMixin:
    """Adds a read-only "Lịch sử thay đổi" field listing who changed what, when, before → after."""

    @admin.display(description=_("Lịch sử thay đổi"))
    def change_history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        records = list(changes_of(obj)[:HISTORY_ROWS])
        return mark_safe(  # the template escapes every value
            render_to_string("admin/motcua/change_history.html", {"records": records})
        )

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "change_history")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A refusal from the service (bad time limit, a cycle in the tree …) is the
        # administrator's to read, on the same page, with nothing written.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, level=admin_messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "object_type", "object_repr", "action", "actor_name")
    list_filter = ("object_type", "action")
    search_fields = ("object_repr", "actor_name")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
