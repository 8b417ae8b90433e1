"""The sync queue in the admin: read-only, with the dead-letter replay as an action (the same
service as `motcua sync replay`)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from motcua.sync import services
from motcua.sync.models import Delivery, OutboxEntry, OutboxStatus


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnly):
    list_display = ("dossier", "event", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    search_fields = ("dossier__code",)
    list_select_related = ("dossier", "event")
    actions = ["replay"]

    @admin.action(description=_("Gửi lại các hồ sơ lỗi đã chọn"))
    def replay(self, request, queryset):
        dossier_ids = set(
            queryset.filter(status=OutboxStatus.DEAD).values_list("dossier_id", flat=True)
        )
        outcomes = {}
        for dossier_id in sorted(dossier_ids):
            services.sync_replay(dossier_id=dossier_id)
            outcome = services.sync_push(dossier_id=dossier_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        self.message_user(
            request, f"Đã gửi lại {len(dossier_ids)} hồ sơ: {outcomes}", messages.INFO
        )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("dossier", "operation", "at", "ok", "http_status", "error_code", "message")
    list_filter = ("ok", "operation")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier",)
